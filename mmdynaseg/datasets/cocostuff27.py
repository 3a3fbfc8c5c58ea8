"""COCO-Stuff-27: the curated IIC / PiCIE / STEGO unsupervised benchmark."""
import os.path as osp
from typing import List

import numpy as np
from mmengine import fileio
from mmengine.logging import print_log
from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS

from ..utils import IGNORE_INDEX
from .split_folders import DatasetError

CLASSES = ('electronic-things', 'appliance-things', 'food-things',
           'furniture-things', 'indoor-things', 'kitchen-things',
           'accessory-things', 'animal-things', 'outdoor-things',
           'person-things', 'sports-things', 'vehicle-things',
           'ceiling-stuff', 'floor-stuff', 'food-stuff', 'furniture-stuff',
           'rawmaterial-stuff', 'textile-stuff', 'wall-stuff',
           'window-stuff', 'building-stuff', 'ground-stuff', 'plant-stuff',
           'sky-stuff', 'solid-stuff', 'structural-stuff', 'water-stuff')
PALETTE = [[255, 160, 0], [210, 105, 30], [255, 215, 0], [160, 82, 45],
           [255, 99, 71], [218, 112, 214], [199, 21, 133], [255, 0, 0],
           [255, 255, 100], [220, 20, 60], [255, 140, 180], [0, 0, 142],
           [200, 200, 255], [120, 90, 60], [240, 230, 140], [139, 69, 19],
           [180, 180, 180], [106, 90, 205], [245, 245, 220], [0, 206, 209],
           [70, 70, 70], [150, 120, 90], [34, 139, 34], [135, 206, 235],
           [105, 105, 105], [153, 153, 153], [0, 90, 200]]
THING_IDS = tuple(range(12))
STUFF_IDS = tuple(range(12, 27))
# Coarse class of each COCO-Stuff fine id 0-181 (COCO category id - 1, the
# pixel values of stuffthingmaps_trainval2017): things 0-90 -> 0-11, stuff
# 91-181 -> 12-26, as used by IIC, PiCIE and STEGO.
FINE_TO_COARSE = (
    9, 11, 11, 11, 11, 11, 11, 11, 11, 8, 8, 8, 8, 8, 8, 7, 7, 7, 7, 7, 7,
    7, 7, 7, 7, 6, 6, 6, 6, 6, 6, 6, 6, 10, 10, 10, 10, 10, 10, 10, 10,
    10, 10, 5, 5, 5, 5, 5, 5, 5, 5, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 4, 4, 4, 4,
    4, 4, 4, 4, 17, 17, 22, 20, 20, 22, 15, 25, 16, 13, 12, 12, 17, 17,
    23, 15, 15, 17, 15, 21, 15, 25, 13, 13, 13, 13, 13, 22, 26, 14, 14,
    15, 22, 21, 21, 24, 20, 22, 15, 17, 16, 15, 22, 24, 21, 17, 25, 16,
    21, 17, 22, 16, 21, 21, 25, 21, 26, 21, 24, 20, 17, 14, 21, 26, 15,
    23, 20, 21, 24, 15, 24, 22, 25, 15, 20, 17, 17, 22, 14, 18, 18, 18,
    18, 18, 18, 18, 26, 26, 19, 19, 24)
CONVERTER = 'tools/dataset_converters/cocostuff27.py'
SPLIT_LIST = 'Coco164kFull_Stuff_Coarse_7.txt'
# the curated lists, shipped inside the package (PiCIE, MIT licence)
CURATED_DIR = osp.join(osp.dirname(osp.abspath(__file__)),
                       'cocostuff27_curated')


def curated_split_list(split: str) -> str:
    """Path of the shipped curated list of ``split`` (e.g. ``'val2017'``).
    """
    return osp.join(CURATED_DIR, split, SPLIT_LIST)


def fine_to_coarse_lut() -> np.ndarray:
    """Lookup table ``lut[fine] -> coarse`` over all uint8 values.

    Fine ids 0-181 map to the 27 coarse classes; 255 (unlabeled) and every
    other value map to ``IGNORE_INDEX`` (255), so ``lut[fine_map]`` turns a
    COCO-Stuff label map into a 27-class one.
    """
    lut = np.full(256, IGNORE_INDEX, np.uint8)
    lut[:len(FINE_TO_COARSE)] = FINE_TO_COARSE
    return lut


@DATASETS.register_module()
class COCOStuff27Dataset(BaseSegDataset):
    """COCO-Stuff with 27 coarse classes on the curated split lists.

    The unsupervised-segmentation protocol of IIC (Ji et al., ICCV 2019),
    PiCIE (Cho et al., CVPR 2021) and STEGO (Hamilton et al., ICLR 2022):
    images listed in ``Coco164kFull_Stuff_Coarse_7.txt`` (49,629 train2017 /
    2,175 val2017 ids), the 182 COCO-Stuff fine classes merged into 12 thing
    and 15 stuff classes (``FINE_TO_COARSE``). Expected layout under
    ``data_root``::

        curated/{train2017,val2017}/Coco164kFull_Stuff_Coarse_7.txt  optional
        images/{train2017,val2017}/<id>.jpg
        labels27/{train2017,val2017}/<id>.png  uint8 0-26, 255 ignore

    written by ``tools/dataset_converters/cocostuff27.py``. The curated
    lists ship inside the package (:func:`curated_split_list`): when
    ``ann_file`` does not exist and names such a list
    (``.../<split>/Coco164kFull_Stuff_Coarse_7.txt``), the shipped one is
    read, so only the images and label maps are needed. ``metainfo``
    also carries ``thing_ids`` (0-11) and ``stuff_ids`` (12-26).

    Args:
        ann_file (str): The split list, one image id per line (relative to
            ``data_root``).
        **kwargs: Arguments of ``BaseSegDataset``, e.g. ``data_prefix=dict(
            img_path='images/val2017', seg_map_path='labels27/val2017')``;
            leave out ``seg_map_path`` for label-free training.

    Raises:
        FileNotFoundError: The split list, or an image or label map it
            lists, does not exist.
        ValueError: The split list is empty.
    """

    METAINFO = dict(
        classes=CLASSES,
        palette=PALETTE,
        thing_ids=THING_IDS,
        stuff_ids=STUFF_IDS)

    def __init__(self, ann_file: str, **kwargs) -> None:
        super().__init__(
            ann_file=ann_file,
            img_suffix='.jpg',
            seg_map_suffix='.png',
            **kwargs)

    def load_data_list(self) -> List[dict]:
        """Read the split list and check that every listed file exists."""
        if not fileio.exists(self.ann_file, self.backend_args):
            split = osp.basename(osp.dirname(self.ann_file))
            shipped = curated_split_list(split)
            if osp.basename(self.ann_file) != SPLIT_LIST or not osp.isfile(
                    shipped):
                raise DatasetError(
                    f"split list '{self.ann_file}' not found; set ann_file "
                    'to a list of image ids, or to curated/<split>/'
                    f'{SPLIT_LIST} for the shipped curated lists '
                    f"({CURATED_DIR}; see data/README.md).")
            print_log(
                f"'{self.ann_file}' not found: reading the shipped curated "
                f"list '{shipped}'.",
                logger='current')
            self.ann_file = shipped
        data_list = super().load_data_list()
        if not data_list:
            raise DatasetError(
                f"split list '{self.ann_file}' is empty; restore it, or "
                'delete it to use the shipped curated list.')
        missing = [
            path for info in data_list
            for path in (info['img_path'], info.get('seg_map_path'))
            if path is not None and not fileio.exists(path, self.backend_args)
        ]
        if missing:
            raise DatasetError(
                f'{len(missing)} file(s) listed by {self.ann_file} are '
                f'missing, e.g. {missing[:3]}. Prepare the dataset with '
                f'{CONVERTER} (see data/README.md).')
        return data_list
