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

import mmcv
import numpy as np

from mmdynaseg.utils.silhouette import (estimate_num_segments,
                                        exhaustive_num_segments)
from benchmark_common import (benchmark_parser, image_paths, machine_info,
                              percentile_ms, report, timed)


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
