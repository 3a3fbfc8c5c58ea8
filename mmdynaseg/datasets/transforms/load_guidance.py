"""Attach an image's guide pseudo-labels to the pipeline results."""
from typing import Optional

import numpy as np
from mmcv.transforms import BaseTransform
from mmengine.logging import MMLogger, print_log
from mmseg.registry import TASK_UTILS, TRANSFORMS

from mmdynaseg import guides  # noqa: F401  (registers the guides)
from mmdynaseg.utils import GUIDE_MAP_KEY
from .loading import ON_ERROR


@TRANSFORMS.register_module()
class LoadGuidance(BaseTransform):
    """Add the guide labels of the loaded image (DynaGuide).

    Builds the guide (``mmseg.registry.TASK_UTILS``: e.g.
    ``KMeansColorGuide``, ``SuperpixelGuide``, ``PrecomputedGuide``) and
    puts its labels for ``results['img_path']`` (computed once per image,
    see :class:`mmdynaseg.guides.BaseGuide`) into
    ``results['gt_guide_map']``, listed in ``results['seg_fields']`` so
    that mmseg's ``RandomFlip``, ``Resize``, ``RandomCrop``, ... transform
    it with the image (nearest for resizing). Place it right after the
    image loading (a guide is cached per file, so it must see the image as
    read) and pack with ``PackGuidedSegInputs``::

        train_pipeline = [
            dict(type='LoadImageOrSkip', on_error='skip'),
            dict(type='LoadGuidance', guide=dict(type='KMeansColorGuide')),
            dict(type='RandomFlip', prob=0.5),
            dict(type='PackGuidedSegInputs'),
        ]

    The guide is computed on the image as RGB (mmcv loads BGR).

    A guide that cannot be made for an image (e.g. ``PrecomputedGuide``
    without the image's PNG) raises its error, which names the file
    (``on_error='raise'``), or is reported in the log and the image skipped
    (``on_error='skip'``: returns ``None``, and a training dataset fetches
    another image), so a long training run does not die on one image.

    Args:
        guide (dict): Config of the guide.
        on_error (str): ``'raise'`` or ``'skip'``. Defaults to ``'raise'``.
    """

    def __init__(self, guide: dict, on_error: str = 'raise') -> None:
        if on_error not in ON_ERROR:
            raise ValueError(
                f'on_error must be one of {ON_ERROR}, got {on_error!r}.')
        self.guide = TASK_UTILS.build(guide)
        self.on_error = on_error

    def transform(self, results: dict) -> Optional[dict]:
        """Set ``gt_guide_map`` (H, W) and register it in ``seg_fields``."""
        image = results['img']
        if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
            raise ValueError(
                f"LoadGuidance needs the 8-bit 3-channel image of "
                f"'{results['img_path']}', got dtype {image.dtype} and "
                f'shape {image.shape}: load it with LoadImageOrSkip (default '
                'color_type, to_float32=False).')
        if tuple(image.shape[:2]) != tuple(results['ori_shape'][:2]):
            raise ValueError(
                f"LoadGuidance got '{results['img_path']}' resized from "
                f"{tuple(results['ori_shape'][:2])} to {image.shape[:2]}; "
                'place it right after the image loading, before geometric '
                'transforms.')
        try:
            labels = self.guide(results['img_path'], image[..., ::-1])
        except (OSError, ValueError) as error:
            if self.on_error == 'raise':
                raise
            print_log(
                f"skipping '{results['img_path']}': no guide ({error})",
                logger=MMLogger.get_current_instance(),
                level=30)
            return None
        results[GUIDE_MAP_KEY] = labels.copy()
        results.setdefault('seg_fields', []).append(GUIDE_MAP_KEY)
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(guide={type(self.guide).__name__})'
