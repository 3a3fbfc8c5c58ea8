"""Segmentors of mmdynaseg."""
from .per_image_dynaseg import PerImageDynaSeg, optimises_per_image

__all__ = ['PerImageDynaSeg', 'optimises_per_image']
