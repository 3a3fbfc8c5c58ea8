"""Data transforms of mmdynaseg."""
from .bsds500_annotations import (LoadBSDS500Annotations,
                                  read_bsds500_segmentations)
from .loading import ImageLoadError, LoadImageOrSkip
from .reset_ori_shape import ResetOriShape
from .resize_short_side import ResizeShortSide

__all__ = [
    'ImageLoadError', 'LoadBSDS500Annotations', 'LoadImageOrSkip',
    'ResetOriShape', 'ResizeShortSide', 'read_bsds500_segmentations'
]
