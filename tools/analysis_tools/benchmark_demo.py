"""Benchmark the README's main job: ``tools/demo.py`` end to end.

Runs it once in a child process and prints one JSON object: wall-clock
seconds, training seconds, peak resident memory, the demo mIoU and the
all-one-cluster baseline, against the 15-minute target on the machine it
runs on.

Example:
    python tools/analysis_tools/benchmark_demo.py \
        --out docs/benchmarks/demo.json
"""
import argparse
import json
import os.path as osp
import resource
import subprocess
import sys
import time

from benchmark_common import benchmark_parser, machine_info, report

DEMO_LIMIT_S = 15 * 60
# the repository (this file is tools/analysis_tools/<name>.py)
ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def bench_demo(args: argparse.Namespace) -> dict:
    """Run tools/demo.py once and time it."""
    work_dir = args.work_dir
    cmd = [
        sys.executable,
        osp.join(ROOT, 'tools', 'demo.py'),
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
        machine=machine_info())


def main() -> None:
    """Parse arguments, run the benchmark, print (and save) its JSON."""
    parser = benchmark_parser(__doc__)
    parser.add_argument(
        '--work-dir',
        default='work_dirs/benchmark_demo',
        help="the demo's work dir")
    args = parser.parse_args()
    report(bench_demo(args), args.out)


if __name__ == '__main__':
    main()
