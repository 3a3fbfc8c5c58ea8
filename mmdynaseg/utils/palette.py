"""One fixed colour per cluster id, for label PNGs, overlays and mmseg's
visualiser."""
from functools import lru_cache

import numpy as np

from .fileio import MAX_LABEL

PALETTE_SEED = 0


@lru_cache(maxsize=1)
def cluster_palette() -> np.ndarray:
    """RGB colour of every cluster id that a PNG can hold.

    The colours are drawn once, for all ids ``0..65535``, from NumPy's
    legacy ``RandomState`` with a fixed seed (a stream NumPy keeps stable
    across versions), so a cluster has the same colour in every image, run
    and machine, whichever other clusters appear.

    Returns:
        np.ndarray: ``(65536, 3)`` uint8 array; row ``k`` is cluster ``k``.
    """
    palette = np.random.RandomState(PALETTE_SEED).randint(
        0, 256, size=(MAX_LABEL + 1, 3), dtype=np.uint8)
    palette.flags.writeable = False
    return palette


def cluster_meta(num_clusters: int) -> dict:
    """``dataset_meta`` of a model predicting ``num_clusters`` cluster ids:
    ``classes`` ``('cluster 0', ...)`` and their :func:`cluster_palette`
    colours, as mmseg's visualiser reads them.

    Args:
        num_clusters (int): The number of clusters ``q``.

    Returns:
        dict: ``classes`` (tuple of str) and ``palette`` (list of RGB
        lists).
    """
    return dict(
        classes=tuple(f'cluster {k}' for k in range(num_clusters)),
        palette=cluster_palette()[:num_clusters].tolist())
