"""Snapshots of per-image optimisations, to resume one where it stopped."""
import hashlib
import logging
import os
import os.path as osp
import re
from typing import Optional, Tuple

import numpy as np
import torch
from mmengine.logging import print_log

from .checkpoint import CheckpointError, load_checkpoint_file
from .fileio import atomic_output

SUFFIX = '.pth'
DIGEST_CHARS = 12  # hex characters of the pixel digest in a key


def _image_stem(name: Optional[str]) -> str:
    """The stem that names an image's snapshots: of ``name`` (e.g. its
    path), ``'image'`` if None."""
    return osp.splitext(osp.basename(name))[0] if name else 'image'


class SnapshotStore:
    """A folder of per-image optimisation snapshots, one file per image.

    A snapshot is a dict of tensors and plain values (what
    ``torch.load(weights_only=True)`` reads back), written atomically
    (:func:`atomic_output`) as ``<stem>-<digest of the image>.pth``, with
    the run's ``signature`` (a string naming its settings). Only a run
    with the same image and signature resumes it; an unreadable one, or
    one of other settings, is reported and left for the run to overwrite.

    Args:
        folder (str): Where the snapshots are kept (made when first
            written).
    """

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def key(self, image: np.ndarray, name: Optional[str] = None) -> str:
        """The file name of an image's snapshot: its ``name``'s stem (e.g.
        of its path; ``'image'`` if None) and a digest of its pixels."""
        digest = hashlib.sha1(np.ascontiguousarray(image).tobytes())
        return f'{_image_stem(name)}-{digest.hexdigest()[:DIGEST_CHARS]}' \
            f'{SUFFIX}'

    def load(self, key: str, signature: str) -> Optional[dict]:
        """The snapshot saved under ``key`` with ``signature``, or None
        (none saved, unreadable, or of another signature)."""
        path = osp.join(self.folder, key)
        if not osp.isfile(path):
            return None
        try:  # truncated, another format, or objects beyond tensors
            snapshot = load_checkpoint_file(path)
        except CheckpointError as error:
            print_log(
                f'{path} is not a readable snapshot ({error}); optimising '
                'that image from step 0 (it will be overwritten).',
                logger='current',
                level=logging.WARNING)
            return None
        if not isinstance(snapshot, dict) or \
                snapshot.get('signature') != signature:
            print_log(
                f'{path} is a snapshot of other settings (network, losses, '
                'guide, steps, seed, ...); optimising that image from step 0 '
                '(it will be overwritten).',
                logger='current',
                level=logging.WARNING)
            return None
        return snapshot

    def save(self, key: str, signature: str, snapshot: dict) -> None:
        """Save ``snapshot`` (with ``signature``) under ``key``."""
        os.makedirs(self.folder, exist_ok=True)
        with atomic_output(osp.join(self.folder, key)) as tmp:
            torch.save(dict(snapshot, signature=signature), tmp)

    def progress(self, name: str) -> Optional[Tuple[int, float]]:
        """The steps and seconds saved for the image named ``name`` (as
        given to :meth:`key`, any pixels and settings), or None (none, or
        unreadable): how far its optimisation got, for progress reports.
        Of several snapshots of that name, the one with the most steps."""
        pattern = re.compile(
            f'{re.escape(_image_stem(name))}-[0-9a-f]{{{DIGEST_CHARS}}}'
            f'{re.escape(SUFFIX)}')
        found = []
        files = os.listdir(self.folder) if osp.isdir(self.folder) else []
        for file in filter(pattern.fullmatch, files):
            try:
                snapshot = load_checkpoint_file(osp.join(self.folder, file))
                found.append(
                    (int(snapshot['steps']), float(snapshot['seconds'])))
            except Exception:  # unreadable: a run starts that image anew
                continue
        return max(found, default=None)

    def remove(self, key: str) -> None:
        """Delete the snapshot under ``key`` if there is one."""
        path = osp.join(self.folder, key)
        if osp.isfile(path):
            os.remove(path)
