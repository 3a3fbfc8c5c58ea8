"""Short-side resize with torchvision's output size."""
from typing import Tuple

from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS


@TRANSFORMS.register_module()
class ResizeShortSide(BaseTransform):
    """Resize so the short side is ``size``, as torchvision does.

    ``torchvision.transforms.functional.resize(img, size)`` with an integer
    ``size`` makes the short side ``size`` and the long side
    ``int(size * long / short)`` (truncated); PiCIE's COCO-Stuff evaluation
    resizes this way with Pillow (bilinear image, nearest label) before its
    centre crop. MMSeg's ``Resize(keep_ratio=True)`` and
    ``ResizeShortestEdge`` round the long side instead, which moves a
    640 x 480 image's crop by a pixel. The image and every map in
    ``seg_fields`` are resized by MMSeg's ``Resize`` to that exact size
    (label maps with nearest neighbour).

    Required keys: ``img``, ``seg_fields`` (optional). Modified keys:
    ``img``, ``img_shape``, ``gt_seg_map`` (optional). Added keys:
    ``scale``, ``scale_factor``, ``keep_ratio``.

    Args:
        size (int): Short side after resizing.
        interpolation (str): Image interpolation. Defaults to
            ``'bilinear'``.
        backend (str): ``'pillow'`` (as torchvision on PIL images) or
            ``'cv2'``. Defaults to ``'pillow'``.
    """

    def __init__(self,
                 size: int,
                 interpolation: str = 'bilinear',
                 backend: str = 'pillow') -> None:
        super().__init__()
        self.size = size
        self.resize = TRANSFORMS.build(
            dict(
                type='Resize',
                scale=(size, size),
                keep_ratio=False,
                interpolation=interpolation,
                backend=backend))

    def output_size(self, height: int, width: int) -> Tuple[int, int]:
        """(width, height) after resizing a ``height`` x ``width`` image."""
        if width <= height:
            return self.size, int(self.size * height / width)
        return int(self.size * width / height), self.size

    def transform(self, results: dict) -> dict:
        """Resize ``results``; see the class docstring."""
        self.resize.scale = self.output_size(*results['img'].shape[:2])
        return self.resize(results)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(size={self.size}, {self.resize})'
