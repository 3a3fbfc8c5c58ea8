"""Base of the guidance sources: per-image labels cached by image path."""
import os
import os.path as osp
import warnings
from typing import Dict, Optional

import numpy as np
from PIL import Image

from ..utils import IGNORE_INDEX, atomic_output, label_map_array


class BaseGuide:
    """A source of guide pseudo-labels, computed once per image (DynaGuide).

    DynaGuide trains the network against an external segmentation of each
    image (the guide). A guide is a function of the image only, so
    :meth:`__call__` computes it (:meth:`compute`) the first time it sees an
    ``img_path`` and then serves it from an in-memory dict keyed by that
    path, and, with ``cache_dir``, from ``<cache_dir>/<image stem>.png``
    (uint8, or uint16 when a label exceeds 255), which other processes and
    later runs reuse. Use one ``cache_dir`` per guide configuration and
    dataset: the file name is the image stem only. A cached PNG whose size
    differs from the image is recomputed with a warning.

    Each dataloader worker keeps its own in-memory cache; the labels are
    kept in the smallest unsigned integer type that holds them.

    Args:
        cache_dir (str, optional): Folder of the on-disk cache. Defaults to
            None (memory only).
    """

    def __init__(self, cache_dir: Optional[str] = None) -> None:
        self.cache_dir = cache_dir
        self.cache: Dict[str, np.ndarray] = {}

    def compute(self, image: np.ndarray, img_path: str) -> np.ndarray:
        """Guide labels of one image.

        Args:
            image (np.ndarray): (H, W, 3) uint8 RGB image.
            img_path (str): Its path (for messages and file look-ups).

        Returns:
            np.ndarray: (H, W) non-negative integer labels;
            ``IGNORE_INDEX`` (255) marks pixels without guidance.
        """
        raise NotImplementedError

    def __call__(self, img_path: str, image: np.ndarray) -> np.ndarray:
        """Guide labels of the image at ``img_path``, cached.

        Args:
            img_path (str): The image's path, the cache key.
            image (np.ndarray): (H, W, 3) uint8 RGB image read from it.

        Returns:
            np.ndarray: (H, W) labels, uint8 or uint16; do not modify.
        """
        labels = self.cache.get(img_path)
        if labels is None:
            labels = self._read_cache(img_path, image.shape[:2])
            if labels is None:
                labels = label_map_array(self.compute(image, img_path))
                if len(np.unique(labels[labels != IGNORE_INDEX])) < 2:
                    warnings.warn(
                        f"{type(self).__name__}: the guide of '{img_path}' "
                        'has a single label, so it cannot guide the '
                        'segmentation of this image.')
                self._write_cache(img_path, labels)
            self.cache[img_path] = labels
        return labels

    def _cache_path(self, img_path: str) -> str:
        stem = osp.splitext(osp.basename(img_path))[0]
        return osp.join(self.cache_dir, f'{stem}.png')

    def _read_cache(self, img_path: str, size: tuple) -> Optional[np.ndarray]:
        """The on-disk labels of the image, if there and of its size."""
        if self.cache_dir is None or not osp.isfile(
                self._cache_path(img_path)):
            return None
        path = self._cache_path(img_path)
        labels = np.array(Image.open(path))
        if labels.shape != tuple(size):
            warnings.warn(
                f"cached guide '{path}' has size {labels.shape}, but its "
                f"image '{img_path}' has {tuple(size)}; recomputing it. Use "
                'one cache_dir per dataset and guide configuration.')
            return None
        return labels

    def _write_cache(self, img_path: str, labels: np.ndarray) -> None:
        """Write the labels as PNG, atomically (workers may race)."""
        if self.cache_dir is None:
            return
        os.makedirs(self.cache_dir, exist_ok=True)
        with atomic_output(self._cache_path(img_path)) as tmp:
            Image.fromarray(labels).save(tmp, 'PNG')
