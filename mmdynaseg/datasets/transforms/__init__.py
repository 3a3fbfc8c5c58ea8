"""Data transforms of mmdynaseg."""
from .bsds500_annotations import (LoadBSDS500Annotations,
                                  read_bsds500_segmentations)
from .estimate_silhouette_k import EstimateSilhouetteK
from .load_guidance import LoadGuidance
from .loading import ImageLoadError, LoadImageOrSkip
from .pack_guided_seg_inputs import PackGuidedSegInputs
from .reset_ori_shape import ResetOriShape
from .resize_short_side import ResizeShortSide

__all__ = [
    'EstimateSilhouetteK', 'ImageLoadError', 'LoadBSDS500Annotations',
    'LoadGuidance', 'LoadImageOrSkip', 'PackGuidedSegInputs',
    'ResetOriShape', 'ResizeShortSide', 'read_bsds500_segmentations'
]
