"""Segmentors of mmdynaseg."""
from .optimises_per_image import optimises_per_image
from .per_image_dynaseg import PerImageDynaSeg

__all__ = ['PerImageDynaSeg', 'optimises_per_image']
