"""Guide read from a folder of label PNGs."""
import os.path as osp
import warnings

import mmcv
import numpy as np
from mmseg.registry import TASK_UTILS
from PIL import Image

from .base_guide import BaseGuide


@TASK_UTILS.register_module()
class PrecomputedGuide(BaseGuide):
    """Guide labels from ``<guide_dir>/<image stem><suffix>``.

    Any segmentation saved as single-channel label PNGs (8- or 16-bit,
    palette PNGs give their indices) can guide DynaGuide, e.g. the output
    of ``tools/segment.py`` or of another model. 255 marks pixels without
    guidance. A missing file raises an error naming it; a label map whose
    size differs from the image is resized (nearest) to it with a warning;
    a single-label map gives a warning (see :class:`BaseGuide`). The files
    are read once per image and kept in memory.

    Args:
        guide_dir (str): Folder of the label PNGs.
        suffix (str): File name ending after the stem. Defaults to
            ``'.png'``.
    """

    def __init__(self, guide_dir: str, suffix: str = '.png') -> None:
        super().__init__(cache_dir=None)
        self.guide_dir = guide_dir
        self.suffix = suffix

    def compute(self, image: np.ndarray, img_path: str) -> np.ndarray:
        """The image's label PNG, at the image's size."""
        stem = osp.splitext(osp.basename(img_path))[0]
        path = osp.join(self.guide_dir, stem + self.suffix)
        if not osp.isfile(path):
            raise FileNotFoundError(
                f"no guide for image '{img_path}': '{path}' does not exist. "
                'Write one label PNG per image, named by the image stem, '
                'into guide_dir (or fix guide_dir / suffix).')
        labels = np.array(Image.open(path))
        if labels.ndim != 2:
            raise ValueError(
                f"guide '{path}' has shape {labels.shape}; it must be a "
                'single-channel label PNG (8-bit, 16-bit or palette).')
        height, width = image.shape[:2]
        if labels.shape != (height, width):
            warnings.warn(
                f"guide '{path}' has size {labels.shape}, its image "
                f"'{img_path}' has {(height, width)}; resizing the guide "
                '(nearest).')
            labels = mmcv.imresize(
                labels, (width, height), interpolation='nearest')
        return labels
