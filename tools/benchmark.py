"""Benchmarks of mmdynaseg; each prints one JSON object (and can save it).

``demo``: the README's main job (``tools/demo.py``) end to end in a child
process: wall-clock seconds, training seconds, peak resident memory, the demo
mIoU and the all-one-cluster baseline, against the 15-minute target on the
machine it runs on.

``silhouette``: milliseconds per image of the silhouette estimate of k*
(``SilhouetteHook``) on the BSDS500 val images (``--images``; by default
``../shared/data/bsds500/images/val`` or ``data/bsds500/images/val``,
whichever exists), against the 0.1 s median target.

Example:
    python tools/benchmark.py demo --out work_dirs/benchmark_demo.json
    python tools/benchmark.py silhouette --num-images 50
"""
import argparse
import glob
import json
import os
import os.path as osp
import platform
import resource
import subprocess
import sys
import time

import mmcv
import numpy as np
import torch

from mmdynaseg.engine.hooks.silhouette_hook import estimate_num_segments

DEMO_LIMIT_S = 15 * 60


def machine() -> dict:
    """What the numbers were measured on."""
    return dict(
        cpu_count=os.cpu_count(),
        torch_threads=torch.get_num_threads(),
        torch=torch.__version__,
        python=platform.python_version(),
        processor=platform.processor() or platform.machine())


def bench_demo(args: argparse.Namespace) -> dict:
    """Run tools/demo.py once and time it."""
    work_dir = args.work_dir
    cmd = [
        sys.executable,
        osp.join(osp.dirname(osp.abspath(__file__)), 'demo.py'),
        '--work-dir', work_dir
    ]
    start = time.perf_counter()
    subprocess.run(cmd, check=True)
    wall = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with open(osp.join(work_dir, 'summary.json')) as f:
        summary = json.load(f)
    return dict(
        benchmark='demo',
        config=summary['config'],
        protocol=summary['protocol'],
        wall_seconds=round(wall, 1),
        train_seconds=round(summary['train_seconds'], 1),
        peak_rss_mib=round(peak_kib / 1024, 1),
        limit_seconds=DEMO_LIMIT_S,
        within_limit=wall < DEMO_LIMIT_S,
        mIoU=summary['dynaseg']['mIoU'],
        aAcc=summary['dynaseg']['aAcc'],
        baseline_mIoU=summary['all_one_cluster_baseline']['mIoU'],
        baseline_aAcc=summary['all_one_cluster_baseline']['aAcc'],
        machine=machine())


def default_bsds500_val() -> str:
    """BSDS500 val images beside the repository or under data/."""
    root = osp.dirname(osp.dirname(osp.abspath(__file__)))
    for candidate in (osp.join(root, '..', 'shared', 'data', 'bsds500'),
                      osp.join(root, 'data', 'bsds500')):
        if osp.isdir(candidate):
            pattern = osp.join(candidate, 'images', 'val', '*.jpg')
            return osp.normpath(pattern)
    return osp.join(root, 'data', 'bsds500', 'images', 'val', '*.jpg')


def bench_silhouette(args: argparse.Namespace) -> dict:
    """Time the subsampled silhouette estimate of k* per image."""
    paths = sorted(glob.glob(args.images))[:args.num_images]
    if not paths:
        raise FileNotFoundError(
            f'no image matches {args.images!r}; pass --images "DIR/*.jpg" '
            '(BSDS500 val: see data/README.md).')
    times, ks = [], []
    for path in paths:
        image = mmcv.imread(path, channel_order='rgb')
        start = time.perf_counter()
        ks.append(estimate_num_segments(image))
        times.append(time.perf_counter() - start)
    return dict(
        benchmark='silhouette',
        images=args.images,
        num_images=len(paths),
        median_ms=round(float(np.median(times)) * 1000, 1),
        p90_ms=round(float(np.percentile(times, 90)) * 1000, 1),
        target_median_ms=100,
        within_target=float(np.median(times)) <= 0.1,
        k_star_counts={
            str(k): int(n)
            for k, n in zip(*np.unique(ks, return_counts=True))
        },
        machine=machine())


BENCHMARKS = dict(demo=bench_demo, silhouette=bench_silhouette)


def main() -> None:
    """Parse arguments, run one benchmark, print (and save) its JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('name', choices=sorted(BENCHMARKS))
    parser.add_argument('--work-dir', default='work_dirs/benchmark_demo')
    parser.add_argument(
        '--images',
        default=default_bsds500_val(),
        help='silhouette: glob of the images to time')
    parser.add_argument('--num-images', type=int, default=50)
    parser.add_argument('--out', help='also write the JSON to this file')
    args = parser.parse_args()
    result = BENCHMARKS[args.name](args)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            f.write(text + '\n')


if __name__ == '__main__':
    main()
