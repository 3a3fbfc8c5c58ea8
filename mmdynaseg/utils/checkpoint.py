"""MMEngine checkpoints under torch >= 2.6, with ``weights_only=True`` kept.

torch 2.6 made ``torch.load`` default to ``weights_only=True``: only
tensors, containers and allow-listed types are unpickled, so a checkpoint
cannot run code when it is loaded. MMEngine checkpoints also hold the
message hub's ``HistoryBuffer`` objects, whose statistics methods pickle
as ``getattr(HistoryBuffer, 'min')`` (``'max'``, ``'current'``,
``'mean'``), and numeric numpy arrays and scalars. Importing mmdynaseg
allow-lists exactly those (:data:`MMENGINE_CHECKPOINT_GLOBALS`): the
pickled name ``builtins.getattr`` resolves to
:func:`history_buffer_method`, which returns those four methods and
refuses every other attribute, so a pickle cannot walk from an allowed
object to ``os`` or ``exec``.

It also makes every checkpoint MMEngine loads go through
:func:`load_checkpoint_file` (local files) or, for its other schemes,
through :func:`drop_config_text`: MMEngine's resume executes the config
text saved in ``meta['config']`` (``Config.fromstring``), so that text is
moved to ``meta['config_text']``, readable but never run.
:func:`load_checkpoint_file` and :func:`check_checkpoint` give errors that
name the file and the fix.
"""
import functools
import os.path as osp
import pickle
import zipfile
from typing import Any, Callable, Dict, List, Optional, Union

import numpy as np
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner import CheckpointLoader
from torch import nn

try:  # numpy >= 2
    from numpy._core.multiarray import _reconstruct, scalar
except ImportError:  # numpy 1.x
    from numpy.core.multiarray import _reconstruct, scalar

# the numeric numpy dtypes' classes (a pickled dtype is built on them)
_NUMERIC_DTYPES = sorted({
    type(np.dtype(code))
    for code in '?' + np.typecodes['AllInteger'] + np.typecodes['AllFloat']
},
                         key=str)
# the statistics methods a HistoryBuffer pickles (HistoryBuffer.__getstate__)
HISTORY_BUFFER_METHODS = ('min', 'max', 'current', 'mean')
NOT_NEEDED = 'is not a reconstruction MMEngine checkpoints need'


def history_buffer_method(owner: Any, name: str) -> Callable:
    """``getattr`` as MMEngine checkpoints use it, and nothing more.

    A pickle (protocol 2) names a class's method ``HistoryBuffer.min`` as
    ``getattr(HistoryBuffer, 'min')``. This stands in for ``getattr``
    while unpickling: it returns the four statistics methods of
    ``HistoryBuffer`` and refuses every other object and attribute.

    Args:
        owner: The object the pickle asks an attribute of.
        name (str): The attribute.

    Returns:
        Callable: ``getattr(HistoryBuffer, name)``.

    Raises:
        pickle.UnpicklingError: Any other attribute.
    """
    if owner is HistoryBuffer and name in HISTORY_BUFFER_METHODS:
        return getattr(HistoryBuffer, name)
    raise pickle.UnpicklingError(
        f'getattr({getattr(owner, "__qualname__", type(owner).__name__)}, '
        f'{name!r}) {NOT_NEEDED} '
        f'(only getattr(HistoryBuffer, name) for name in '
        f'{HISTORY_BUFFER_METHODS})')


MMENGINE_CHECKPOINT_GLOBALS = [
    HistoryBuffer, (history_buffer_method, 'builtins.getattr'), np.ndarray,
    np.dtype, _reconstruct, scalar
] + _NUMERIC_DTYPES
torch.serialization.add_safe_globals(MMENGINE_CHECKPOINT_GLOBALS)


class CheckpointError(ValueError):
    """A checkpoint file cannot be loaded, or does not fit the model."""


def load_checkpoint_file(
        filename: str,
        map_location: Optional[Union[str, torch.device]] = 'cpu') -> dict:
    """``torch.load(filename, weights_only=True)`` with clear errors.

    Args:
        filename (str): Path of the checkpoint.
        map_location (str | torch.device, optional): As in ``torch.load``.
            Defaults to ``'cpu'``.

    Returns:
        dict: The checkpoint.

    Raises:
        FileNotFoundError: The file does not exist.
        CheckpointError: The file is empty, truncated, not a checkpoint, or
            holds pickled objects beyond MMEngine's (which are not run).
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(
            f'checkpoint {filename!r} does not exist; check the path given '
            'to load_from, --resume, tools/test.py or --checkpoint.')
    try:
        return drop_config_text(
            torch.load(filename, map_location=map_location,
                       weights_only=True))
    except pickle.UnpicklingError as error:
        if 'Weights only load failed' not in str(error) or not (
                _is_pickle_or_zip(filename)):
            raise CheckpointError(_not_a_checkpoint(filename,
                                                    error)) from None
        unsafe = _unsafe_globals(filename) or [
            line.strip() for line in str(error).splitlines()
            if NOT_NEEDED in line
        ]
        raise CheckpointError(
            f'checkpoint {filename!r} holds pickled objects that are not '
            f'tensors or MMEngine training state ({", ".join(unsafe)}); '
            'they were not loaded, since unpickling them could run code. '
            'If you trust the file, keep only its weights: in Python, '
            f"ckpt = torch.load({filename!r}, weights_only=False); "
            "torch.save(dict(state_dict=ckpt['state_dict']), 'clean.pth') "
            "(or ckpt itself if it is a state_dict), and load clean.pth."
        ) from None
    except (EOFError, RuntimeError, zipfile.BadZipFile) as error:
        raise CheckpointError(_not_a_checkpoint(filename, error)) from None


def drop_config_text(checkpoint: Any) -> Any:
    """Move ``meta['config']`` to ``meta['config_text']``, so that it is
    never executed.

    MMEngine's ``Runner.resume`` turns ``meta['config']`` into a ``Config``
    with ``Config.fromstring``, which executes the text; a crafted
    checkpoint could run any code there. The text stays readable.

    Args:
        checkpoint: A loaded checkpoint (anything ``torch.load`` returns).

    Returns:
        The same object, its ``meta`` changed in place if it has one.
    """
    meta = checkpoint.get('meta') if isinstance(checkpoint, dict) else None
    if isinstance(meta, dict) and 'config' in meta:
        meta['config_text'] = meta.pop('config')
    return checkpoint


def _without_config_text(loader: Callable) -> Callable:
    """An MMEngine scheme loader whose checkpoints pass
    :func:`drop_config_text`."""

    @functools.wraps(loader)
    def load(*args, **kwargs) -> Any:
        return drop_config_text(loader(*args, **kwargs))

    return load


for _prefix, _loader in list(CheckpointLoader._schemes.items()):
    CheckpointLoader.register_scheme(
        _prefix,
        load_checkpoint_file if _prefix == '' else
        _without_config_text(_loader),
        force=True)


def _is_pickle_or_zip(filename: str) -> bool:
    """Whether the file looks like a ``torch.save`` output (a zip archive,
    or a legacy pickle, which starts with the PROTO opcode)."""
    with open(filename, 'rb') as f:
        if zipfile.is_zipfile(f):
            return True
        f.seek(0)
        return f.read(1) == b'\x80'


def _not_a_checkpoint(filename: str, error: Exception) -> str:
    """Message for a file torch cannot read at all."""
    size = osp.getsize(filename)
    what = 'is empty (0 bytes)' if size == 0 else (
        f'is not a readable PyTorch checkpoint ({size} bytes; '
        f'{type(error).__name__}: {str(error).splitlines()[0][:150]})')
    return (f'checkpoint {filename!r} {what}: it may be truncated by an '
            'interrupted copy or download, or not a checkpoint; copy or '
            'save it again.')


def _unsafe_globals(filename: str) -> List[str]:
    """The pickled globals of a checkpoint that are not allow-listed."""
    try:
        return torch.serialization.get_unsafe_globals_in_checkpoint(filename)
    except Exception:  # a legacy (non-zip) file: torch cannot list them
        return ['objects torch cannot list in this legacy format']


def check_checkpoint(filename: str, model: nn.Module) -> Dict:
    """Load a checkpoint and check that its weights fit ``model``.

    Every parameter and buffer of the model must be in the checkpoint's
    ``state_dict`` (``'module.'`` prefixes of distributed training are
    ignored) as a tensor of the same shape, and the checkpoint must hold
    nothing else; otherwise loading it would silently keep random
    weights.

    Args:
        filename (str): Path of the checkpoint.
        model (nn.Module): The model it is meant for.

    Returns:
        dict: The checkpoint (:func:`load_checkpoint_file`).

    Raises:
        CheckpointError: The file cannot be loaded or does not fit.
    """
    checkpoint = load_checkpoint_file(filename)
    state = checkpoint.get('state_dict', checkpoint) \
        if isinstance(checkpoint, dict) else None
    if not isinstance(state, dict):
        raise CheckpointError(
            f'checkpoint {filename!r} holds no state_dict of weights.')
    state = {
        key[len('module.'):] if key.startswith('module.') else key: value
        for key, value in state.items()
    }
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    not_tensors = sorted(
        f'{key} ({type(state[key]).__name__})' for key in expected
        if key in state and not isinstance(state[key], torch.Tensor))
    mismatched = sorted(
        f'{key} {tuple(state[key].shape)} vs {tuple(value.shape)}'
        for key, value in expected.items()
        if isinstance(state.get(key), torch.Tensor)
        and tuple(state[key].shape) != tuple(value.shape))
    problems = [(label, keys) for label, keys in (
        ('missing', missing), ('unexpected', unexpected),
        ('not tensors', not_tensors),
        ('of another shape (checkpoint vs model)', mismatched)) if keys]
    if problems:
        details = '; '.join(
            f'{len(keys)} {label}: {", ".join(keys[:5])}'
            f'{", ..." if len(keys) > 5 else ""}' for label, keys in problems)
        raise CheckpointError(
            f'checkpoint {filename!r} does not fit the config\'s model '
            f'({details}). Use the checkpoint trained with this config, or '
            'the config it was trained with.')
    return checkpoint
