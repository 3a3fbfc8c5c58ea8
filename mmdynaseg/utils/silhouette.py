"""Silhouette estimate of an image's number of segments k* (paper §3.3.2).

Used by :class:`SilhouetteHook` and :class:`EstimateSilhouetteK` (the
floor of q' in training) and by :class:`PerImageDynaSeg` (the
``'silhouette'`` stop threshold). The published computation it is
measured against is in ``tools/analysis_tools/benchmark_silhouette.py``.
"""
import warnings
from typing import Callable, Dict, List

import numpy as np
from scipy.cluster.vq import kmeans2
from skimage.color import rgb2lab
from sklearn.metrics import pairwise_distances
from threadpoolctl import threadpool_limits

# Lab lightness spans [0, 100]; pixel coordinates are scaled to the same
# range (along the longer side) before the xy weight is applied.
COORDINATE_RANGE = 100.0


def pixel_features(image: np.ndarray,
                   index: np.ndarray,
                   xy_weight: float = 0.0) -> np.ndarray:
    """CIE Lab colour, and optionally weighted x, y, of some pixels.

    Args:
        image (np.ndarray): ``(H, W, 3)`` uint8 RGB image.
        index (np.ndarray): Flat indices (``y * W + x``) of the pixels.
        xy_weight (float): Weight of the coordinates, each scaled to
            ``[0, 100]`` along the longer image side like Lab's lightness;
            0 leaves them out. Defaults to 0.

    Returns:
        np.ndarray: ``(len(index), 3)``, or ``(len(index), 5)`` with the
        coordinates, float64.
    """
    height, width = image.shape[:2]
    rgb = image.reshape(-1, 3)[index]
    features = rgb2lab(rgb[:, None, :]).reshape(-1, 3)
    if not xy_weight:
        return features
    y, x = np.divmod(index, width)
    xy = np.stack([x, y], axis=1) * (COORDINATE_RANGE / max(height, width))
    return np.concatenate([features, xy_weight * xy], axis=1)


def silhouette_from_distances(distances: np.ndarray,
                              labels: np.ndarray) -> float:
    """Mean silhouette coefficient of a clustering (Rousseeuw 1987).

    For sample ``i`` with mean distance ``a_i`` to the other members of its
    cluster and smallest mean distance ``b_i`` to the members of another
    cluster, ``s_i = (b_i - a_i) / max(a_i, b_i)`` (0 in a one-sample
    cluster); the score is the mean of ``s_i``. The values are those of
    ``sklearn.metrics.silhouette_score(distances, labels,
    metric='precomputed')`` (a test checks it), computed with one matrix
    product instead of scikit-learn's per-sample loop, which would take
    most of :func:`estimate_num_segments`'s time budget.

    Args:
        distances (np.ndarray): ``(n, n)`` pairwise distances.
        labels (np.ndarray): ``(n,)`` cluster labels.

    Returns:
        float: The mean silhouette coefficient, in ``[-1, 1]`` (0 for a
        single cluster, where scikit-learn raises).
    """
    _, labels = np.unique(labels, return_inverse=True)
    members = np.zeros((len(labels), labels.max() + 1))
    members[np.arange(len(labels)), labels] = 1
    # summed distance of every sample to each cluster
    return float(
        silhouette_samples_from_sums(distances @ members, labels,
                                     members.sum(axis=0)).mean())


def silhouette_samples_from_sums(to_cluster: np.ndarray, labels: np.ndarray,
                                 sizes: np.ndarray) -> np.ndarray:
    """Silhouette coefficient ``s_i`` of every sample (see
    :func:`silhouette_from_distances`) from its summed distances.

    Args:
        to_cluster (np.ndarray): ``(n, k)`` summed distance of each sample
            to the members of each cluster.
        labels (np.ndarray): ``(n,)`` cluster of each sample, ``0..k-1``.
        sizes (np.ndarray): ``(k,)`` members per cluster (weights summed,
            when samples stand for several identical ones).

    Returns:
        np.ndarray: ``(n,)`` coefficients, 0 in a one-member cluster.
    """
    rows = np.arange(len(labels))
    a = to_cluster[rows, labels] / np.maximum(sizes[labels] - 1, 1)
    mean_to_cluster = to_cluster / sizes
    mean_to_cluster[rows, labels] = np.inf
    b = mean_to_cluster.min(axis=1)
    with np.errstate(invalid='ignore'):
        scores = np.nan_to_num((b - a) / np.maximum(a, b))
    scores[sizes[labels] == 1] = 0
    return scores


def check_k_range(k_min: int, k_max: int) -> None:
    """Raise unless ``2 <= k_min <= k_max`` (silhouette needs 2 clusters)."""
    if not 2 <= k_min <= k_max:
        raise ValueError(
            f'need 2 <= k_min <= k_max, got k_min={k_min}, k_max={k_max}.')


def estimate_num_segments(image: np.ndarray,
                          k_min: int = 3,
                          k_max: int = 26,
                          num_samples: int = 500,
                          xy_weight: float = 0.0,
                          seed: int = 0) -> int:
    """Number of segments ``k*`` of an image by the silhouette criterion.

    DynaSeg §3.3.2: ``k*`` is the ``k`` in ``[k_min, k_max]`` whose k-means
    clustering of the image's pixel features has the highest mean
    silhouette coefficient. The published loop (k-means with 10 restarts
    on every pixel, silhouette on every pixel) takes minutes per image;
    this estimate clusters a seeded random subsample of ``num_samples``
    pixels with one k-means++ run of ``scipy.cluster.vq.kmeans2`` per ``k``
    and scores it with :func:`silhouette_from_distances` on that subsample,
    from one distance matrix, with BLAS / OpenMP limited to one thread
    (tiny problems only lose from threads competing with training).

    Only ``k`` up to the number of distinct feature vectors of the
    subsample (and below its size) can be scored; an image with fewer than
    ``k_min`` distinct ones (e.g. a flat image) gets ``k_min``.

    Args:
        image (np.ndarray): ``(H, W, 3)`` uint8 RGB image.
        k_min (int): Smallest candidate, >= 2. Defaults to 3 (paper).
        k_max (int): Largest candidate, >= ``k_min``. Defaults to 26 (the
            published search ``range(3, 27)``).
        num_samples (int): Pixels sampled (all if the image has fewer).
            Defaults to 500.
        xy_weight (float): Weight of the pixel coordinates among the
            features (see :func:`pixel_features`). Defaults to 0 (Lab only).
        seed (int): Seed of the pixel sample and of k-means++. Defaults to 0.

    Returns:
        int: ``k*``.
    """
    check_k_range(k_min, k_max)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(
            f'expected an (H, W, 3) RGB image, got shape {image.shape}.')
    rng = np.random.default_rng(seed)
    num_pixels = image.shape[0] * image.shape[1]
    index = rng.choice(
        num_pixels, size=min(num_samples, num_pixels), replace=False)
    features = pixel_features(image, index, xy_weight)
    num_distinct = len(np.unique(features, axis=0))
    best_k, best_score = k_min, -np.inf
    with threadpool_limits(limits=1), warnings.catch_warnings():
        # an empty cluster only means fewer labels for this k
        warnings.filterwarnings(
            'ignore', message='One of the clusters is empty')
        distances = pairwise_distances(features)
        for k in range(k_min,
                       min(k_max, num_distinct,
                           len(features) - 1) + 1):
            _, labels = kmeans2(features, k, minit='++', seed=rng)
            score = silhouette_from_distances(distances, labels)
            if score > best_score:
                best_k, best_score = k, score
    return best_k


class NumSegmentsCache:
    """``k*`` of images by path, each estimated once.

    What :class:`SilhouetteHook` (main process) and
    :class:`EstimateSilhouetteK` (data workers) share: the arguments of
    :func:`estimate_num_segments`, checked once, and the estimates by
    image path.

    Args:
        k_min (int): Smallest candidate ``k``. Defaults to 3.
        k_max (int): Largest candidate ``k``. Defaults to 26.
        num_samples (int): Pixels sampled per image. Defaults to 500.
        xy_weight (float): Weight of pixel coordinates among the features.
            Defaults to 0 (Lab colour only).
        seed (int): Seed of each image's estimate. Defaults to 0.
    """

    def __init__(self,
                 k_min: int = 3,
                 k_max: int = 26,
                 num_samples: int = 500,
                 xy_weight: float = 0.0,
                 seed: int = 0) -> None:
        check_k_range(k_min, k_max)
        self.estimate_args = dict(
            k_min=k_min,
            k_max=k_max,
            num_samples=num_samples,
            xy_weight=xy_weight,
            seed=seed)
        self.cache: Dict[str, int] = {}

    def __call__(self, path: str, load_rgb: Callable[[], np.ndarray]) -> int:
        """``k*`` of the image at ``path``; ``load_rgb()`` gives its
        ``(H, W, 3)`` uint8 RGB pixels the first time."""
        if path not in self.cache:
            self.cache[path] = estimate_num_segments(load_rgb(),
                                                     **self.estimate_args)
        return self.cache[path]
