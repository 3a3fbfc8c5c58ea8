"""Loading every annotator's segmentation of a BSDS500 image."""
import io
from typing import Optional

import numpy as np
import scipy.io
from mmcv.transforms import BaseTransform
from mmengine import fileio
from mmseg.registry import TRANSFORMS


def read_bsds500_segmentations(path: str,
                               backend_args: Optional[dict] = None
                               ) -> np.ndarray:
    """Read the human segmentations of one BSDS500 ground-truth file.

    A BSDS500 ``groundTruth/<split>/<id>.mat`` holds a 1 x A cell array
    ``groundTruth`` of structs, one per annotator, whose ``Segmentation``
    field is an H x W map of segment ids 1..N (Arbelaez et al., TPAMI 2011).

    Args:
        path (str): The ``.mat`` file.
        backend_args (dict, optional): MMEngine file backend arguments.

    Returns:
        np.ndarray: The A segment maps, shape (A, H, W), int64.

    Raises:
        ValueError: The file cannot be read, is not a BSDS500 ground-truth
            file, or its annotators' maps differ in size.
    """
    fix = ('use the groundTruth .mat files of the official BSDS500 release '
           '(see data/README.md).')
    try:
        mat = scipy.io.loadmat(io.BytesIO(fileio.get(path, backend_args)))
        annotators = mat['groundTruth']
        maps = [annotators[0, k]['Segmentation'][0, 0]
                for k in range(annotators.shape[1])]
    except Exception as error:  # loadmat and indexing raise many types
        reason = str(error) or type(error).__name__
        raise ValueError(
            f"'{path}' is not a readable BSDS500 ground-truth file with "
            f"groundTruth{{k}}.Segmentation ({reason}); {fix}") from error
    shapes = [np.shape(seg) for seg in maps]
    if not maps or len(set(shapes)) != 1 or len(shapes[0]) != 2:
        raise ValueError(
            f"'{path}' holds {len(maps)} annotator maps of shapes "
            f'{shapes}; expected one or more 2-D '
            f'maps of the same size; {fix}')
    return np.stack(maps).astype(np.int64)


@TRANSFORMS.register_module()
class LoadBSDS500Annotations(BaseTransform):
    """Load all annotators' segmentations of a BSDS500 image.

    Sets ``gt_seg_map`` to the first annotator's map (so MMSeg's transforms
    and ``PackSegInputs`` handle it like any label map) and ``gt_annotators``
    to all of them, shape (A, H, W), for segment-covering evaluation. Pack
    ``gt_annotators`` as metainfo with ``PackSegInputs(meta_keys=... +
    ('gt_annotators', ))``. Geometric transforms after this one change
    ``gt_seg_map`` only, so use none in an evaluation pipeline.

    Required keys: ``seg_map_path``, ``img`` (to check sizes), ``seg_fields``
    (optional). Added keys: ``gt_seg_map``, ``gt_annotators``.

    Args:
        backend_args (dict, optional): MMEngine file backend arguments.

    Raises:
        ValueError: The ``.mat`` file is unreadable or has no segmentations,
            or its maps differ in size from the image.
    """

    def __init__(self, backend_args: Optional[dict] = None) -> None:
        super().__init__()
        self.backend_args = backend_args

    def transform(self, results: dict) -> dict:
        """Read ``results['seg_map_path']``; see the class docstring."""
        path = results['seg_map_path']
        annotators = read_bsds500_segmentations(path, self.backend_args)
        image_shape = tuple(results['img'].shape[:2])
        if annotators.shape[1:] != image_shape:
            raise ValueError(
                f"segmentations in '{path}' are {annotators.shape[1:]} but "
                f"image '{results.get('img_path')}' is {image_shape}; the "
                'ground truth must belong to its image (check the split '
                'folders and file names).')
        results['gt_seg_map'] = annotators[0]
        results['gt_annotators'] = annotators
        results.setdefault('seg_fields', []).append('gt_seg_map')
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(backend_args={self.backend_args})'
