"""Data transforms of mmdynaseg."""
from .loading import ImageLoadError, LoadImageOrSkip

__all__ = ['ImageLoadError', 'LoadImageOrSkip']
