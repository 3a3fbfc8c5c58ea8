"""Whether a model config optimises a network on each image alone."""
from mmseg.registry import MODELS

from .per_image_dynaseg import PerImageDynaSeg


def optimises_per_image(model_cfg: dict) -> bool:
    """Whether a model config optimises a network on each image alone.

    Such a model (:class:`PerImageDynaSeg` or a subclass) needs no trained
    checkpoint: ``tools/test.py`` and ``tools/segment.py`` run it without
    one. Needs ``mmdynaseg`` imported (it registers the class).

    Args:
        model_cfg (dict): The config's ``model``.

    Returns:
        bool: True for a :class:`PerImageDynaSeg` config.
    """
    model_type = model_cfg.get('type')
    if isinstance(model_type, str):
        model_type = MODELS.get(model_type)
    return isinstance(model_type, type) and issubclass(
        model_type, PerImageDynaSeg)
