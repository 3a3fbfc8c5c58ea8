"""Procedurally generated labelled demo dataset (no downloads)."""
import os
import os.path as osp
import shutil
import tempfile
from typing import Tuple

import numpy as np
from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS
from PIL import Image
from skimage import draw

CLASSES = ('sky', 'grass', 'brick', 'sand', 'water')
PALETTE = [[135, 190, 235], [60, 150, 50], [170, 60, 40], [220, 190, 120],
           [30, 70, 130]]
SKY, GRASS, BRICK, SAND, WATER = range(len(CLASSES))


def _textures(rng: np.random.Generator, height: int,
              width: int) -> np.ndarray:
    """One full-size RGB texture per class, shape (classes, H, W, 3)."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    base = np.asarray(PALETTE, np.float32)
    base *= rng.uniform(0.85, 1.15, size=(len(CLASSES), 1))  # lighting
    tex = np.broadcast_to(base[:, None, None, :],
                          (len(CLASSES), height, width, 3)).copy()
    # sky: smooth vertical gradient, faint noise
    tex[SKY] += (y / height * -45)[..., None] + rng.normal(
        0, 3, (height, width, 1))
    # grass: strong per-pixel noise with vertical blade streaks
    streaks = rng.normal(0, 14, (1, width, 1))
    tex[GRASS] += rng.normal(0, 16, (height, width, 1)) + streaks
    # brick: staggered bricks with light mortar joints
    row = (y // 8).astype(int)
    joint = (y % 8 < 1.5) | (((x + 8 * (row % 2)) % 16) < 1.5)
    tex[BRICK][joint] = 200
    tex[BRICK] += rng.normal(0, 8, (height, width, 1))
    # sand: fine speckle
    tex[SAND] -= 60 * (rng.random((height, width, 1)) < 0.12)
    tex[SAND] += rng.normal(0, 6, (height, width, 1))
    # water: horizontal ripples
    phase = rng.uniform(0, 2 * np.pi)
    tex[WATER] += (18 * np.sin(y / 2.5 + 0.3 * np.sin(x / 9) + phase))[...,
                                                                       None]
    return np.clip(tex, 0, 255).astype(np.uint8)


def _layout(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """Label map: ground, optional sky above a wavy horizon, 1-3 shapes."""
    label = np.full((height, width), rng.choice([GRASS, SAND, WATER]),
                    np.uint8)
    if rng.random() < 0.7:
        cols = np.arange(width)
        horizon = (height * rng.uniform(0.25, 0.5) + height * 0.06 * np.sin(
            cols / width * 2 * np.pi * rng.uniform(0.5, 2) +
            rng.uniform(0, 6))).astype(int)
        label[np.arange(height)[:, None] < horizon[None, :]] = SKY
    for _ in range(rng.integers(1, 4)):
        cls = rng.choice([c for c in (GRASS, BRICK, SAND, WATER)])
        cy, cx = rng.uniform(0.2, 0.8) * height, rng.uniform(0.1, 0.9) * width
        ry, rx = rng.uniform(0.1, 0.3) * height, rng.uniform(0.1, 0.3) * width
        kind = rng.integers(3)
        if kind == 0:
            rr, cc = draw.ellipse(cy, cx, ry, rx, shape=label.shape)
        elif kind == 1:
            rr, cc = draw.rectangle((cy - ry, cx - rx), (cy + ry, cx + rx),
                                    shape=label.shape)
        else:
            angles = np.sort(rng.uniform(0, 2 * np.pi, 3))
            rr, cc = draw.polygon(cy + 1.5 * ry * np.sin(angles),
                                  cx + 1.5 * rx * np.cos(angles),
                                  shape=label.shape)
        label[rr, cc] = cls
    return label


def render_demo_sample(seed: int, size: Tuple[int, int] = (128, 128)
                       ) -> Tuple[np.ndarray, np.ndarray]:
    """Render one (RGB image, label map) pair, deterministic in ``seed``."""
    rng = np.random.default_rng(seed)
    height, width = size
    label = _layout(rng, height, width)
    tex = _textures(rng, height, width)
    image = np.take_along_axis(tex, label[None, :, :, None].astype(np.int64),
                               axis=0)[0]
    return image, label


def generate_demo_dataset(root: str,
                          num_train: int = 64,
                          num_val: int = 24,
                          size: Tuple[int, int] = (128, 128),
                          seed: int = 0) -> None:
    """Write the demo dataset to ``root`` unless it is already there.

    Layout: ``images/{train,val}/NNNNN.png`` (RGB) and
    ``labels/{train,val}/NNNNN.png`` (class ids, uint8). The files are built
    in a temporary folder and moved into place in one rename, so concurrent
    processes (distributed ranks) never see a half-written dataset.
    """
    if osp.isdir(root):
        return
    parent = osp.dirname(osp.abspath(root))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix='.dynaseg_demo-', dir=parent)
    splits = dict(train=(0, num_train), val=(num_train, num_train + num_val))
    for split, (start, stop) in splits.items():
        os.makedirs(osp.join(tmp, 'images', split))
        os.makedirs(osp.join(tmp, 'labels', split))
        for index in range(start, stop):
            image, label = render_demo_sample(seed * 100003 + index, size)
            name = f'{index - start:05d}.png'
            Image.fromarray(image).save(osp.join(tmp, 'images', split, name))
            Image.fromarray(label).save(osp.join(tmp, 'labels', split, name))
    try:
        os.rename(tmp, root)
    except OSError:  # another process finished first
        shutil.rmtree(tmp, ignore_errors=True)


@DATASETS.register_module()
class DynaSegDemoDataset(BaseSegDataset):
    """Textured shapes on textured ground: 5 classes, generated on first use.

    Each image has a ground region (grass, sand or water), usually sky above
    a wavy horizon, and 1-3 ellipses, rectangles or triangles of grass,
    brick, sand or water. Classes differ in colour and texture statistics
    (see :func:`render_demo_sample`), so an unsupervised segmenter can find
    them without labels; the labels exist only for scoring.

    Args:
        data_root (str): Where the dataset lives; it is generated there by
            :func:`generate_demo_dataset` if the folder does not exist.
        generate (dict): Keyword arguments of :func:`generate_demo_dataset`
            (``num_train``, ``num_val``, ``size``, ``seed``).
        **kwargs: Arguments of ``BaseSegDataset``; ``data_prefix`` selects
            the split, e.g. ``dict(img_path='images/val',
            seg_map_path='labels/val')``.
    """

    METAINFO = dict(classes=CLASSES, palette=PALETTE)

    def __init__(self,
                 data_root: str = 'data/dynaseg_demo',
                 generate: dict = dict(),
                 **kwargs) -> None:
        generate_demo_dataset(data_root, **generate)
        super().__init__(
            data_root=data_root,
            img_suffix='.png',
            seg_map_suffix='.png',
            **kwargs)
