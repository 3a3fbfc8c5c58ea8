"""mmdynaseg: DynaSeg / DynaGuide unsupervised segmentation for MMSegmentation.

Importing the package registers its models, datasets, transforms, metrics
and hooks in MMSegmentation's registries (configs do it with
``custom_imports``).
"""
from . import datasets, engine, evaluation, guides, models, utils  # noqa: F401
from .version import __version__

__all__ = ['__version__']
