"""Benchmark the silhouette estimate of k* against the published one.

Milliseconds per image of :func:`estimate_num_segments` (500 sampled
pixels, one k-means per k; what ``SilhouetteHook`` and
``EstimateSilhouetteK`` run) on ``--images`` (e.g. the BSDS500 val
images), against the 0.1 s median target; and, on the first
``--num-exhaustive`` images (about a minute each on 2 cores), its agreement
with the exhaustive k* of the published code
(:func:`exhaustive_num_segments`: scikit-learn ``KMeans(n_init=10)`` on
every pixel, the exact silhouette over every pixel): the fractions of
images with ``|k*_sub - k*_exh| <= 1`` and ``== 0``.

Example:
    python tools/analysis_tools/benchmark_silhouette.py \
        --images 'data/bsds500/images/val/*.jpg' \
        --num-images 100 --num-exhaustive 10
"""
import argparse
import os.path as osp
from typing import List

import mmcv
import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import pairwise_distances

from mmdynaseg.utils.silhouette import (estimate_num_segments,
                                        pixel_features,
                                        silhouette_samples_from_sums)
from benchmark_common import (benchmark_parser, image_paths, machine_info,
                              percentile_ms, report, timed)

# rows of the distance matrix computed at a time by pixel_silhouettes
EXHAUSTIVE_CHUNK = 1024


def pixel_silhouettes(points: np.ndarray, counts: np.ndarray,
                      labelings: List[np.ndarray]) -> List[float]:
    """Mean silhouette over all pixels of several clusterings of an image.

    The pixels are given as their distinct feature vectors ``points`` with
    multiplicities ``counts`` (identical pixels have identical distances
    and labels), so the exact all-pixel score costs ``O(u^2)`` for ``u``
    distinct vectors instead of ``O(n^2)`` for ``n`` pixels. The distances
    are computed once, in row chunks, for all clusterings. The values
    equal ``sklearn.metrics.silhouette_score`` on the expanded pixels (a
    test checks it), with a one-member cluster scoring 0.

    Args:
        points (np.ndarray): ``(u, d)`` distinct feature vectors.
        counts (np.ndarray): ``(u,)`` number of pixels of each.
        labelings (list[np.ndarray]): ``(u,)`` cluster labels per
            clustering.

    Returns:
        list[float]: The pixel-weighted mean silhouette of each clustering.
    """
    labelings = [np.unique(labels, return_inverse=True)[1].ravel()
                 for labels in labelings]
    members = [
        np.eye(labels.max() + 1)[labels] * counts[:, None]
        for labels in labelings
    ]
    stacked = np.concatenate(members, axis=1)
    summed = np.empty((len(points), stacked.shape[1]))
    for start in range(0, len(points), EXHAUSTIVE_CHUNK):
        rows = slice(start, start + EXHAUSTIVE_CHUNK)
        summed[rows] = pairwise_distances(points[rows], points) @ stacked
    scores, offset = [], 0
    for labels, weighted in zip(labelings, members):
        sizes = weighted.sum(axis=0)
        samples = silhouette_samples_from_sums(
            summed[:, offset:offset + len(sizes)], labels, sizes)
        offset += len(sizes)
        scores.append(float(np.average(samples, weights=counts)))
    return scores


def exhaustive_num_segments(image: np.ndarray,
                            k_min: int = 3,
                            k_max: int = 26,
                            n_init: int = 10,
                            seed: int = 0) -> int:
    """``k*`` the published way: every pixel, 10 k-means restarts per k.

    The reference for :func:`estimate_num_segments` (same defaults, Lab
    features of :func:`pixel_features`): for every ``k`` in
    ``[k_min, k_max]``, scikit-learn ``KMeans(k, n_init=n_init)`` on all
    pixels, scored by the exact silhouette over all pixels
    (:func:`pixel_silhouettes`). K-means runs on the distinct colours
    weighted by their pixel counts, which is the same objective and the
    same weighted k-means++ / Lloyd algorithm as on the expanded pixels.

    Args:
        image (np.ndarray): ``(H, W, 3)`` uint8 RGB image.
        k_min (int): Smallest candidate. Defaults to 3.
        k_max (int): Largest candidate. Defaults to 26.
        n_init (int): K-means restarts per ``k``. Defaults to 10.
        seed (int): ``random_state`` of k-means. Defaults to 0.

    Returns:
        int: ``k*`` (``k_min`` for an image with fewer distinct colours).
    """
    height, width = image.shape[:2]
    features = pixel_features(image, np.arange(height * width))
    points, counts = np.unique(features, axis=0, return_counts=True)
    candidates = range(k_min, min(k_max, len(points)) + 1)
    if not candidates:
        return k_min
    labelings = [
        KMeans(k, n_init=n_init, random_state=seed).fit(
            points, sample_weight=counts).labels_ for k in candidates
    ]
    scores = pixel_silhouettes(points, counts, labelings)
    return candidates[int(np.argmax(scores))]


def bench_silhouette(args: argparse.Namespace) -> dict:
    """Time the subsampled estimate of k*; compare it with the exhaustive."""
    paths = image_paths(args.images, args.num_images)
    times, ks = [], []
    for path in paths:
        image = mmcv.imread(path, channel_order='rgb')
        k, seconds = timed(estimate_num_segments, image)
        ks.append(k)
        times.append(seconds)
    exhaustive_times, pairs = [], []
    for path, k in zip(paths[:args.num_exhaustive], ks):
        image = mmcv.imread(path, channel_order='rgb')
        k_exh, seconds = timed(exhaustive_num_segments, image)
        exhaustive_times.append(seconds)
        pairs.append(
            dict(image=osp.basename(path), k_subsampled=k,
                 k_exhaustive=k_exh))
    gaps = np.array([abs(p['k_subsampled'] - p['k_exhaustive'])
                     for p in pairs])
    return dict(
        benchmark='silhouette',
        images=args.images,
        num_images=len(paths),
        median_ms=percentile_ms(times),
        p90_ms=percentile_ms(times, 90),
        target_median_ms=100,
        within_target=float(np.median(times)) <= 0.1,
        k_star_counts={
            str(k): int(n)
            for k, n in zip(*np.unique(ks, return_counts=True))
        },
        exhaustive=dict(
            method=('sklearn KMeans(k, n_init=10, random_state=0) on all '
                    'pixels (distinct Lab colours weighted by pixel count) '
                    'for k in 3..26; exact silhouette over all pixels'),
            num_images=len(pairs),
            median_ms=percentile_ms(exhaustive_times) if pairs else None,
            within_1_fraction=float(np.mean(gaps <= 1)) if pairs else None,
            exact_match_fraction=float(np.mean(gaps == 0))
            if pairs else None,
            pairs=pairs),
        machine=machine_info())


def main() -> None:
    """Parse arguments, run the benchmark, print (and save) its JSON."""
    parser = benchmark_parser(
        __doc__, 'glob of the images to time (quote it)', num_images=True)
    parser.add_argument(
        '--num-exhaustive',
        type=int,
        default=3,
        help='images (the first ones) also given the exhaustive k*, about '
        'a minute each on 2 cores')
    args = parser.parse_args()
    report(bench_silhouette(args), args.out)


if __name__ == '__main__':
    main()
