"""Guidance sources of DynaGuide, registered in ``mmseg.registry.TASK_UTILS``.

Build one with ``TASK_UTILS.build(dict(type='KMeansColorGuide'))``; the
pipeline transform ``LoadGuidance(guide=dict(type=...))`` does it.
"""
from .base_guide import IGNORE_INDEX, BaseGuide
from .kmeans_color_guide import KMeansColorGuide
from .precomputed_guide import PrecomputedGuide
from .superpixel_guide import SuperpixelGuide

__all__ = [
    'IGNORE_INDEX', 'BaseGuide', 'KMeansColorGuide', 'PrecomputedGuide',
    'SuperpixelGuide'
]
