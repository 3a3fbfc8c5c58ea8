"""CamVid road scenes, 11 classes (SegNet release)."""
from typing import Dict, List, Optional, Sequence

from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS

from ..utils import IGNORE_INDEX
from .split_folders import load_split

VOID = 11


@DATASETS.register_module()
class CamVidDataset(BaseSegDataset):
    """CamVid with the 11 classes of the SegNet release; void is ignored.

    Brostow, Fauqueur, Cipolla, "Semantic object classes in video: a
    high-definition ground truth database", PRL 2009; 11-class split of
    Badrinarayanan et al. (SegNet, TPAMI 2017). Layout under ``data_root``::

        images/{train,val,test}/<name>.jpg  (or .png: set img_suffix)
        labels/{train,val,test}/<name>.png  uint8 0-10, 11 = void

    Label 11 (void) is mapped to 255 when the label map is loaded (through
    the dataset's ``label_map``, applied by ``LoadAnnotations``), so every
    metric ignores it with its default ``ignore_index=255``. Class names use
    ``sign_symbol`` for sign/symbol, since metric keys (``IoU.<class>``)
    become log tags. The palette is the SegNet tutorial's.

    Args:
        img_suffix (str): Image file suffix. Defaults to ``'.jpg'``.
        **kwargs: Arguments of ``BaseSegDataset``, e.g. ``data_prefix=dict(
            img_path='images/val', seg_map_path='labels/val')``.
    """

    METAINFO = dict(
        classes=('sky', 'building', 'pole', 'road', 'pavement', 'tree',
                 'sign_symbol', 'fence', 'car', 'pedestrian', 'bicyclist'),
        palette=[[128, 128, 128], [128, 0, 0], [192, 192, 128],
                 [128, 64, 128], [60, 40, 222], [128, 128, 0],
                 [192, 128, 128], [64, 64, 128], [64, 0, 128], [64, 64, 0],
                 [0, 128, 192]])

    def __init__(self, img_suffix: str = '.jpg', **kwargs) -> None:
        super().__init__(
            img_suffix=img_suffix, seg_map_suffix='.png', **kwargs)

    def load_data_list(self) -> List[dict]:
        """MMSeg's data list, with clear errors for a missing or empty
        split (:func:`load_split`)."""
        return load_split(self, super().load_data_list)

    @classmethod
    def get_label_map(cls,
                      new_classes: Optional[Sequence] = None
                      ) -> Dict[int, int]:
        """MMSeg's class-subset label map, plus void (11) -> 255."""
        label_map = super().get_label_map(new_classes) or {}
        label_map[VOID] = IGNORE_INDEX
        return label_map
