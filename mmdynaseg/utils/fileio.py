"""Atomic file writes, resumable results files, and label maps as PNG
arrays: one home for every file mmdynaseg writes."""
import fcntl
import glob
import json
import math
import os
import os.path as osp
import tempfile
from contextlib import contextmanager
from typing import Any, Callable, Iterator, List, Optional

import numpy as np

PARTIAL = '.partial'
# largest label a (16-bit) PNG label map holds
MAX_LABEL = int(np.iinfo(np.uint16).max)


def _default_mode() -> int:
    """``0o666`` minus the process umask: the mode ``open()`` would give."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextmanager
def atomic_output(path: str) -> Iterator[str]:
    """A temporary path beside ``path``, moved onto it when the block ends.

    Write the file (or make a symlink) at the yielded path; when the block
    finishes without error it is renamed onto ``path`` in one step, so a
    reader, another process writing the same file or an interrupted run
    never sees half a file; on error it is removed. The file gets the
    permissions ``open()`` would give (``0o666`` minus the umask), not the
    owner-only ``0o600`` of ``tempfile.mkstemp``. The temporary name is
    ``.<name>.<random>.partial<ext>`` (the extension kept for writers
    that infer the format from it); :func:`remove_partial_files` deletes
    those a killed process left behind.

    Args:
        path (str): The file to write.

    Yields:
        str: The temporary path to write to (an empty file exists there).
    """
    name = osp.basename(path)
    handle, tmp = tempfile.mkstemp(
        prefix=f'.{name}.',
        suffix=PARTIAL + osp.splitext(name)[1],
        dir=osp.dirname(path) or '.')
    os.close(handle)
    try:
        yield tmp
        if not osp.islink(tmp):
            os.chmod(tmp, _default_mode())
        os.replace(tmp, path)
    finally:
        if osp.lexists(tmp):
            os.remove(tmp)


def write_bytes(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (:func:`atomic_output`)."""
    with atomic_output(path) as tmp, open(tmp, 'wb') as f:
        f.write(data)


def write_text(path: str, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    write_bytes(path, text.encode('utf-8'))


def load_results(path: str, settings: dict, start_over: str,
                 **empty) -> dict:
    """The results a run with ``settings`` saved at ``path``, to resume.

    A results file is JSON: ``{'settings': ..., **results}``. A run resumes
    only the results of the same settings (compared as JSON, so a tuple
    given now equals the list saved then).

    Args:
        path (str): The results file.
        settings (dict): The settings of this run (JSON-serialisable).
        start_over (str): How to start over instead, for the error, e.g.
            ``'pass another --work-dir'``.
        **empty: The results of a run that has none yet, e.g.
            ``images={}``.

    Returns:
        dict: The saved results, or ``dict(settings=settings, **empty)``
        if ``path`` does not exist.

    Raises:
        ValueError: If ``path`` holds the results of other settings.
    """
    settings = json.loads(json.dumps(finite_json(settings)))
    if not osp.isfile(path):
        return dict(settings=settings, **empty)
    broken = (f'; move it aside and rerun to start again, or restore it '
              f'from a copy ({start_over})')
    with open(path) as f:
        try:
            saved = json.load(f)
        except json.JSONDecodeError as error:
            raise ValueError(
                f'{path} is not valid JSON ({error}): it may have been cut '
                f'short by a full disk or a copy{broken}.') from None
    if not isinstance(saved, dict):
        raise ValueError(f'{path} holds a JSON {type(saved).__name__}, not '
                         f'the results object this tool writes{broken}.')
    if saved.get('settings') != settings:
        raise ValueError(
            f"{path} holds results of other settings ({saved.get('settings')}"
            f'); to resume them, repeat those settings, or {start_over}.')
    return saved


def finite_json(value: Any) -> Any:
    """``value`` with every NaN or infinite float replaced by None, so that
    it is valid (strict) JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: finite_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_json(item) for item in value]
    return value


def prepare_output_folder(folder: str, option: str) -> None:
    """Create ``folder`` if needed and check that it can be written to;
    otherwise raise an error naming it, the option that gave it and the
    fix.

    Args:
        folder (str): The output folder.
        option (str): The option or setting that names it (e.g.
            ``'--out'``).

    Raises:
        OSError: It cannot be created (e.g. a file of that name).
        PermissionError: It is not writable.
    """
    fix = f'pass a folder you can write to as {option}.'
    if osp.exists(folder) and not osp.isdir(folder):
        raise NotADirectoryError(
            f"the output folder '{folder}' is a file; {fix}")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as error:
        raise OSError(f"cannot create the output folder '{folder}' "
                      f'({error.strerror or error}); {fix}') from error
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PermissionError(
            f"the output folder '{folder}' is not writable; {fix}")


@contextmanager
def folder_lock(folder: str, wait: bool = True) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` (``flock`` on the folder
    itself, so no lock file is left behind).

    Args:
        folder (str): An existing folder.
        wait (bool): Wait while another process holds it; else raise
            ``BlockingIOError`` at once. Defaults to True.
    """
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(descriptor,
                    fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield
    finally:
        os.close(descriptor)  # releases the lock


def update_results(path: str,
                   settings: dict,
                   start_over: str,
                   update: Callable[[dict], None],
                   indent: Optional[int] = None,
                   **empty) -> dict:
    """Change the results saved at ``path`` by ``update``, under a lock.

    The file is read again (:func:`load_results`), changed in place by
    ``update`` and written atomically while its folder is locked
    (:func:`folder_lock`), so processes adding their own results to one
    file at the same time do not lose each other's. ``indent`` is :func:`json.dumps`'s (``None``: one
    line). ``settings``, ``start_over`` and ``empty`` as
    :func:`load_results`'s.

    Returns:
        dict: The saved results, with every process's so far.
    """
    with folder_lock(osp.dirname(osp.abspath(path))):
        results = load_results(path, settings, start_over, **empty)
        update(results)
        write_text(path,
                   json.dumps(finite_json(results), indent=indent,
                              allow_nan=False))
    return results


def remove_partial_files(folder: str) -> List[str]:
    """Delete the temporary files of interrupted :func:`atomic_output`
    calls in ``folder``; return their paths."""
    stale = glob.glob(osp.join(glob.escape(folder), f'.*{PARTIAL}*'))
    for path in stale:
        os.remove(path)
    return stale


def label_map_array(labels: np.ndarray) -> np.ndarray:
    """Integer labels as a PNG-ready array: uint8, or uint16 when one
    exceeds 255 (cluster maps, guide maps).

    Args:
        labels (np.ndarray): ``(H, W)`` non-negative integer labels.

    Returns:
        np.ndarray: ``labels`` as uint8, or as uint16 if the largest does
        not fit 8 bits.

    Raises:
        ValueError: If a label is negative or larger than 65535.
    """
    if labels.size and (labels.min() < 0 or labels.max() > MAX_LABEL):
        raise ValueError(
            f'labels must lie in [0, {MAX_LABEL}] to be written as a PNG, '
            f'got [{labels.min()}, {labels.max()}]; for cluster ids, lower '
            'the number of clusters (decode_head.num_classes).')
    dtype = np.uint8 if labels.size == 0 or labels.max() <= 255 \
        else np.uint16
    return labels.astype(dtype)
