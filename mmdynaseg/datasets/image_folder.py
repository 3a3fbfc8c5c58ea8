"""Any folder of images, without labels: train on and segment your data."""
import os
import os.path as osp
from typing import List, Optional

from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS

from .split_folders import DatasetError

IMG_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff')


@DATASETS.register_module()
class ImageFolderDataset(BaseSegDataset):
    """Every image in a folder (``data_root`` / ``data_prefix.img_path``).

    Files with the extensions of ``IMG_EXTENSIONS`` (in any letter case)
    are listed in sorted path order, in the folder only or, with
    ``recursive=True``, in its subfolders too. There are no labels: the
    dataset serves label-free training (DynaSeg needs none) and the
    segmentation of the images into cluster ids
    (``tools/test.py CONFIG CKPT --out DIR``). Unreadable files are handled
    by the pipeline (``LoadImageOrSkip``).

    Metainfo: MMSeg's ``BaseSegDataset`` builds its label map and palette
    from ``metainfo['classes']`` and requires the key when
    ``test_mode=True``, but an image folder has no classes and the
    predictions are cluster ids, so ``classes`` is the empty tuple and
    ``palette`` the empty list. Metrics that need classes
    (``UnsupervisedIoUMetric``) cannot be used with this dataset; score
    labelled data with a ``BaseSegDataset`` (see docs/new_dataset.md).

    Args:
        data_root (str, optional): Folder of the images, or its parent.
        data_prefix (dict): ``img_path``: folder of the images relative to
            ``data_root`` (or absolute). Defaults to ``dict(img_path='')``.
        recursive (bool): Also list the images of subfolders. Defaults to
            False.
        **kwargs: Other arguments of ``BaseSegDataset`` (``pipeline``,
            ``indices``, ``serialize_data``...).

    Raises:
        FileNotFoundError: If the folder does not exist or holds no image.
    """

    METAINFO = dict(classes=(), palette=[])

    def __init__(self,
                 data_root: Optional[str] = None,
                 data_prefix: dict = dict(img_path=''),
                 recursive: bool = False,
                 **kwargs) -> None:
        self.recursive = recursive
        super().__init__(
            data_root=data_root, data_prefix=data_prefix, **kwargs)

    def _image_paths(self, folder: str) -> List[str]:
        """Image files of ``folder`` (and its subfolders if recursive)."""
        if self.recursive:
            paths = [
                osp.join(parent, name)
                for parent, _, names in os.walk(folder) for name in names
            ]
        else:
            paths = [entry.path for entry in os.scandir(folder)]
        return sorted(
            path for path in paths
            if path.lower().endswith(IMG_EXTENSIONS) and osp.isfile(path))

    def load_data_list(self) -> List[dict]:
        """One ``dict(img_path=...)`` per image; no ``seg_map_path``."""
        folder = self.data_prefix.get('img_path', '')
        if not osp.isdir(folder):
            raise DatasetError(
                f"image folder '{folder}' does not exist; point the "
                "ImageFolderDataset's data_root (and data_prefix.img_path) "
                'at your folder of images, e.g. --cfg-options '
                'train_dataloader.dataset.data_root=/path/to/images')
        paths = self._image_paths(folder)
        if not paths:
            where = 'or its subfolders' if self.recursive else (
                '(subfolders are not searched: set recursive=True in the '
                'dataset config to include them)')
            raise DatasetError(
                f"no image ({', '.join(IMG_EXTENSIONS)}) in '{folder}' "
                f'{where}; put your images there or point data_root at the '
                'folder that holds them.')
        return [
            dict(
                img_path=path,
                label_map=self.label_map,
                reduce_zero_label=self.reduce_zero_label,
                seg_fields=[]) for path in paths
        ]
