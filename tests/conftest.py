"""Shared fixtures: the repository root, a tiny end-to-end config and
BSDS500-layout files."""
from pathlib import Path
from typing import Dict, Sequence

import numpy as np
import pytest
import scipy.io
from PIL import Image

REPO_ROOT = Path(__file__).resolve().parents[1]

TINY_CONFIG = """\
_base_ = '{repo}/configs/dynaseg_fsf_cnn_demo.py'
data_root = '{data_root}'
generate = dict(num_train=4, num_val=2, size=(24, 24))
train_dataloader = dict(
    batch_size=2, dataset=dict(data_root=data_root, generate=generate))
val_dataloader = dict(dataset=dict(data_root=data_root, generate=generate))
test_dataloader = val_dataloader
model = dict(
    backbone=dict(channels=8),
    decode_head=dict(in_channels=8, channels=8, num_classes=8))
train_cfg = dict(max_iters=4, val_interval=4)
default_hooks = dict(
    checkpoint=dict(interval=2), logger=dict(interval=1))
"""


@pytest.fixture
def bf16_kernels(monkeypatch):
    """Treat this CPU as having fast bf16 kernels, so that the bf16 code
    paths (autocast of the per-image loop and of the optimiser wrapper) are
    tested on every machine; without them torch emulates bf16."""
    import mmdynaseg.engine.optimizers.autocast_optim_wrapper as wrapper
    import mmdynaseg.models.utils.step_arithmetic as per_image_steps
    for module in (wrapper, per_image_steps):
        monkeypatch.setattr(module, 'supports_autocast', lambda *args: True)


class _Getattr:
    """Pickles as ``getattr(owner, name)``."""

    def __init__(self, owner, name: str) -> None:
        self.owner, self.name = owner, name

    def __reduce__(self):
        return getattr, (self.owner, self.name)


class _CodeRunningBuffer:
    """Pickles as an MMEngine ``HistoryBuffer`` whose ``__reduce_ex__``,
    reached through a ``getattr`` chain, makes ``copy.deepcopy`` of it run
    ``exec`` on code that creates the folder ``marker``.

    ``getattr(getattr, '__self__')`` is the ``builtins`` module; deepcopy
    calls ``buffer.__reduce_ex__(4)``, here ``chain[4]``, and calls what
    that returns: ``exec(code)``. MMEngine deep-copies the message hub's
    runtime info on resume and the optimizer its param groups.
    """

    def __init__(self, marker: Path) -> None:
        self.marker = str(marker)

    def __reduce__(self):
        from mmengine.logging import HistoryBuffer
        run = _Getattr(_Getattr(getattr, '__self__'), 'exec')
        chain = (0, 0, 0, 0, (run, (f'import os; os.mkdir({self.marker!r})',
                                    )))
        return HistoryBuffer, (), {
            '__reduce_ex__': _Getattr(chain, '__getitem__')
        }


@pytest.fixture(scope='session')
def code_running_buffer():
    """Function of a marker path giving an object that pickles as a
    HistoryBuffer which runs code (creating ``marker``) when deep-copied,
    if unpickled with a bare ``getattr`` allowed."""
    return _CodeRunningBuffer


@pytest.fixture(scope='session')
def repo_root() -> Path:
    """Root of the mmdynaseg checkout."""
    return REPO_ROOT


def _write_tiny_config(directory: Path) -> Path:
    path = directory / 'tiny_dynaseg.py'
    path.write_text(
        TINY_CONFIG.format(repo=REPO_ROOT, data_root=directory / 'data'))
    return path


@pytest.fixture(scope='session')
def write_tiny_config():
    """Function writing a 4-iteration DynaSeg config into a folder; its demo
    data lives in ``<folder>/data``."""
    return _write_tiny_config


@pytest.fixture
def tiny_config(tmp_path) -> Path:
    """A 4-iteration DynaSeg config on a tiny generated demo dataset."""
    return _write_tiny_config(tmp_path)


def _write_bsds500_mat(path: Path,
                       maps: Sequence[np.ndarray],
                       field: str = 'Segmentation') -> str:
    cells = np.empty((1, len(maps)), dtype=object)
    for k, seg in enumerate(maps):
        cells[0, k] = {field: seg}
    scipy.io.savemat(str(path), {'groundTruth': cells})
    return str(path)


@pytest.fixture(scope='session')
def write_bsds500_mat():
    """Function ``(path, maps, field='Segmentation') -> str`` writing a .mat
    in the BSDS500 layout: ``groundTruth``, a 1 x A cell array of structs
    with one ``field`` map per annotator (as MATLAB saves it)."""
    return _write_bsds500_mat


@pytest.fixture(scope='session')
def write_bsds500():
    """Function ``(root, split, images, segmentation) -> root`` writing a
    BSDS500 folder: ``images/<split>/<stem>.jpg`` for each ``stem -> RGB
    uint8 array`` of ``images`` (PNG-encoded under the .jpg name, so the
    colours are exact) and ``groundTruth/<split>/<stem>.mat`` with one
    annotator drawing ``segmentation``."""

    def write(root: Path, split: str, images: Dict[str, np.ndarray],
              segmentation: np.ndarray) -> Path:
        for folder in ('images', 'groundTruth'):
            (root / folder / split).mkdir(parents=True, exist_ok=True)
        for stem, image in images.items():
            Image.fromarray(image).save(
                root / 'images' / split / f'{stem}.jpg', format='PNG')
            _write_bsds500_mat(root / 'groundTruth' / split / f'{stem}.mat',
                               [segmentation])
        return root

    return write


COCO_SPLIT_LIST = 'Coco164kFull_Stuff_Coarse_7.txt'


def _write_coco27(root: Path, ids, labels: bool = True,
                  split: str = 'val2017') -> None:
    """Tiny COCO-Stuff-27 tree: 40 x 60 images whose labels are three
    vertical bands, 20 px wide each, of classes 3, 7 and 255 (ignore)."""
    (root / 'curated' / split).mkdir(parents=True)
    (root / 'curated' / split / COCO_SPLIT_LIST).write_text(
        ''.join(f'{i}\n' for i in ids))
    (root / 'images' / split).mkdir(parents=True)
    (root / 'labels27' / split).mkdir(parents=True)
    label = np.repeat(np.array([3, 7, 255], np.uint8), 20)[None].repeat(40, 0)
    for i in ids:
        Image.fromarray(np.full((40, 60, 3), 90, np.uint8)).save(
            root / 'images' / split / f'{i}.jpg')
        if labels:
            Image.fromarray(label).save(root / 'labels27' / split / f'{i}.png')


@pytest.fixture(scope='session')
def write_coco27():
    """Function ``(root, ids, labels=True, split='val2017')`` writing a
    tiny COCO-Stuff-27 tree (:func:`_write_coco27`)."""
    return _write_coco27


COLOURS = [(200, 30, 30), (30, 200, 30), (30, 30, 200), (230, 220, 40),
           (20, 20, 20)]


def _stripes(num_colours: int, noise: float = 4.0,
             seed: int = 0) -> np.ndarray:
    """A 40 x 60 RGB image of ``num_colours`` (<= 5) flat vertical stripes,
    with Gaussian noise (sigma ``noise``)."""
    width = 60 // num_colours
    image = np.concatenate([
        np.broadcast_to(np.array(c, np.float64), (40, width, 3))
        for c in COLOURS[:num_colours]
    ], axis=1)
    noisy = image + np.random.default_rng(seed).normal(0, noise, image.shape)
    return np.clip(np.round(noisy), 0, 255).astype(np.uint8)


@pytest.fixture(scope='session')
def stripes():
    """Function ``(num_colours, noise=4, seed=0) -> RGB image`` of flat
    colour stripes: an image with a known number of colour regions."""
    return _stripes
