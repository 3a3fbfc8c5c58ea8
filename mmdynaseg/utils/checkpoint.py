"""Loading MMEngine checkpoints under torch >= 2.6.

torch 2.6 made ``torch.load`` default to ``weights_only=True``. MMEngine
checkpoints hold more than tensors (the message hub's ``HistoryBuffer``
objects with bound methods, numpy arrays), so MMEngine 0.10's local loader
fails on them: in ``load_from``, ``resume`` and ``tools/test.py CKPT``.
Importing mmdynaseg (which every config does through ``custom_imports``)
replaces MMEngine's loader of local paths with one that loads them as torch
< 2.6 did. As with any pickle, load only checkpoints you trust.
"""
import os.path as osp
from typing import Optional, Union

import torch
from mmengine.runner import CheckpointLoader


@CheckpointLoader.register_scheme(prefixes='', force=True)
def load_local_checkpoint(
        filename: str,
        map_location: Optional[Union[str, torch.device]] = None) -> dict:
    """Load a local checkpoint written by MMEngine (or any ``torch.save``).

    Args:
        filename (str): Path of the checkpoint.
        map_location (str | torch.device, optional): As in ``torch.load``.

    Returns:
        dict: The checkpoint.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(
            f'checkpoint {filename!r} does not exist; check the path given '
            'to load_from, --resume or tools/test.py.')
    return torch.load(filename, map_location=map_location, weights_only=False)
