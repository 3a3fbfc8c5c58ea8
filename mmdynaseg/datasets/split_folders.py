"""Clear errors for a missing or empty split folder of a dataset."""
import os.path as osp
from typing import Callable, List

from mmseg.datasets import BaseSegDataset


class DatasetError(FileNotFoundError):
    """A dataset's folders or lists are missing or empty; the message names
    them and the fix. The tools print it without a traceback."""


def load_split(dataset: BaseSegDataset,
               load: Callable[[], List[dict]]) -> List[dict]:
    """Check the dataset's split folders, then ``load()`` its data list.

    MMSeg's ``BaseSegDataset`` reports a missing folder as a bare
    ``FileNotFoundError`` and an empty one as "need at least one array to
    concatenate"; this names the folder, what it should hold and the fix.

    Args:
        dataset (BaseSegDataset): The dataset (its ``data_prefix``,
            ``img_suffix``).
        load (Callable): Its parent's ``load_data_list``.

    Returns:
        list[dict]: The data list, never empty.

    Raises:
        DatasetError: A split folder is missing, or holds no image.
    """
    name = type(dataset).__name__
    fix = (f"set the {name}'s data_root to a folder laid out as "
           'data/README.md describes, in the dataloader that reads it (e.g. '
           '--cfg-options train_dataloader.dataset.data_root=/path/to/'
           'dataset, or val_dataloader / test_dataloader)')
    for key in ('img_path', 'seg_map_path'):
        folder = dataset.data_prefix.get(key)
        if folder and not osp.isdir(folder):
            raise DatasetError(
                f"{name}: folder '{folder}' ({key}) does not exist; {fix}.")
    data_list = load()
    if not data_list:
        raise DatasetError(
            f"{name}: no '*{dataset.img_suffix}' image in "
            f"'{dataset.data_prefix.get('img_path')}'; put the split's "
            f'images there or {fix}.')
    return data_list
