"""Guidance sources of DynaGuide, registered in ``mmseg.registry.TASK_UTILS``.

Build one with ``TASK_UTILS.build(dict(type='KMeansColorGuide'))``; the
pipeline transform ``LoadGuidance(guide=dict(type=...))`` does it.

``MMSegModelGuide(config=..., checkpoint=...)`` guides with the prediction
of any trained MMSegmentation model (a local config and checkpoint), e.g. a
supervised model of another dataset; the model is built on first use.
"""
from .base_guide import IGNORE_INDEX, BaseGuide
from .kmeans_color_guide import KMeansColorGuide
from .mmseg_model_guide import MMSegModelGuide
from .precomputed_guide import PrecomputedGuide
from .superpixel_guide import SuperpixelGuide

__all__ = [
    'IGNORE_INDEX', 'BaseGuide', 'KMeansColorGuide', 'MMSegModelGuide',
    'PrecomputedGuide', 'SuperpixelGuide'
]
