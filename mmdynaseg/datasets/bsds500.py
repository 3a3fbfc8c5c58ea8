"""Berkeley Segmentation Dataset 500 (BSDS500)."""
from typing import List

import numpy as np
from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS

from .split_folders import load_split

NUM_SEGMENT_IDS = 256


def _segment_palette() -> list:
    """A fixed random colour per segment id (seeded, reproducible)."""
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, size=(NUM_SEGMENT_IDS, 3)).tolist()


@DATASETS.register_module()
class BSDS500Dataset(BaseSegDataset):
    """BSDS500: natural images with 4-9 human segmentations each.

    Arbelaez, Maire, Fowlkes, Malik, "Contour Detection and Hierarchical
    Image Segmentation", TPAMI 2011. Layout under ``data_root``::

        images/{train,val,test}/<id>.jpg
        groundTruth/{train,val,test}/<id>.mat

    The ``.mat`` files are read as they are (no conversion step) by
    :class:`LoadBSDS500Annotations`, which keeps every annotator for
    segment-covering evaluation.

    BSDS500 has no classes: its label maps hold per-image segment ids
    1..N. MMSeg still needs ``classes`` and ``palette`` (test mode, the
    visualiser), so ``metainfo`` names the ids ``segment_0`` ..
    ``segment_255`` with a fixed random palette; the visualiser then paints
    every ground-truth segment and predicted cluster id below 256 in its own
    colour. The names carry no meaning across images.

    Args:
        **kwargs: Arguments of ``BaseSegDataset``, e.g. ``data_prefix=dict(
            img_path='images/val', seg_map_path='groundTruth/val')``; leave
            out ``seg_map_path`` for label-free training.
    """

    METAINFO = dict(
        classes=tuple(f'segment_{i}' for i in range(NUM_SEGMENT_IDS)),
        palette=_segment_palette())

    def __init__(self, **kwargs) -> None:
        super().__init__(img_suffix='.jpg', seg_map_suffix='.mat', **kwargs)

    def load_data_list(self) -> List[dict]:
        """MMSeg's data list, with clear errors for a missing or empty
        split (:func:`load_split`)."""
        return load_split(self, super().load_data_list)
