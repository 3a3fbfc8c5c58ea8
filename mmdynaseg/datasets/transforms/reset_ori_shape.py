"""Make the transformed image the 'original' one for evaluation."""
from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS


@TRANSFORMS.register_module()
class ResetOriShape(BaseTransform):
    """Set ``ori_shape`` to the current image size.

    MMSeg's segmentors resize the logits to ``img_meta['ori_shape']`` and
    metrics compare them with the packed ``gt_sem_seg``. A protocol that
    evaluates on a crop of image *and* label, such as PiCIE's COCO-Stuff
    evaluation (short side 320, centre crop 320 x 320), therefore needs the
    crop to become the original: put this transform after the crop, so the
    prediction and the cropped label have the same size.

    Required keys: ``img``. Modified keys: ``ori_shape``.
    """

    def transform(self, results: dict) -> dict:
        """Set ``results['ori_shape']`` to ``results['img'].shape[:2]``."""
        results['ori_shape'] = results['img'].shape[:2]
        return results
