"""Plot BSDS500 quality against seconds per image from quality runs.

Each input is the JSON of one ``benchmark_quality.py`` run: rows recorded
after T steps (``<method>@T<T>``, ``--record-iters``) and runs of the same
methods and images at different ``--max-iters`` T. Every method becomes one
line through its (seconds per image, score) points, each point labelled
with its T; a method that refines a checkpoint gets one line per
checkpoint (named after its file), and one per value of a ``--cfg-options``
setting or of ``--optimise-scale`` that differs between the runs (named
with it), unless ``--labels`` names each run's lines; baselines (no
iterations) are single markers, at their mean seconds over the runs. The
title states the settings the runs share. Runs on different images are
refused: a line must compare like with like.

Example:
    python tools/analysis_tools/plot_quality_vs_seconds.py fresh.json \
        refined.json --labels "fresh start" "refined" --out plot.png
"""
import argparse
import json
import os.path as osp
from collections import defaultdict
from typing import Dict, List, Optional, Tuple

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402


def shared_options(runs: List[dict]) -> Dict[str, object]:
    """The ``--cfg-options`` settings every run has, with the same value."""
    options = [run.get('cfg_options', {}) for run in runs]
    return {
        key: value
        for key, value in options[0].items()
        if all(other.get(key, object()) == value for other in options[1:])
    }


def collect(
    runs: List[dict],
    metric: str,
    labels: Optional[List[str]] = None
) -> Dict[str, List[Tuple[float, float, int]]]:
    """method -> [(seconds per image, score, T)], sorted by seconds.

    Args:
        runs (list[dict]): ``benchmark_quality.py`` results.
        metric (str): The score to plot.
        labels (list[str], optional): A name per run for its per-image
            method (``'<label>: <method>'`` where a run has several).

    Raises:
        ValueError: If the runs scored different images, or ``labels``
            does not name each run once.
    """
    if labels is not None and len(labels) != len(runs):
        raise ValueError(
            f'--labels gives {len(labels)} names for {len(runs)} runs; give '
            'one per run, in the same order.')
    images = {tuple(run['images']) for run in runs}
    if len(images) > 1:
        raise ValueError(
            'the runs scored different images; plot runs of the same '
            '--num-images and split only.')
    shared = shared_options(runs)
    scales = {run.get('optimise_scale') or 1 for run in runs}
    points, baselines = defaultdict(set), defaultdict(list)
    for index, run in enumerate(runs):
        own = [
            f'{key}={value}'
            for key, value in sorted(run.get('cfg_options', {}).items())
            if key not in shared
        ]
        if len(scales) > 1:
            own.append(f"optimise_scale={run.get('optimise_scale') or 1}")
        for name, row in run['results'].items():
            method, _, recorded = name.partition('@T')
            if 'mean_iterations' not in row:
                baselines[method].append(
                    (row['seconds_per_image'], row[metric]))
                continue
            tags = own
            if 'checkpoint' in row:
                tags = [osp.splitext(osp.basename(row['checkpoint']))[0]
                        ] + own
            if labels is not None:
                networks = {
                    key.partition('@T')[0]
                    for key, value in run['results'].items()
                    if 'mean_iterations' in value
                }
                method = labels[index] if len(networks) == 1 else \
                    f'{labels[index]}: {method}'
            elif tags:
                method = f"{method} ({', '.join(tags)})"
            steps = int(recorded) if recorded else run['max_iters'] or 0
            points[method].add((row['seconds_per_image'], row[metric], steps))
    lines = {method: sorted(values) for method, values in points.items()}
    for method, values in baselines.items():
        seconds, scores = zip(*values)
        lines[method] = [(sum(seconds) / len(seconds),
                          sum(scores) / len(scores), 0)]
    return lines


def plot(points: Dict[str, List[Tuple[float, float, int]]], metric: str,
         title: str, out: str) -> None:
    """One line per method (markers for baselines), log-scaled seconds;
    the legend right of the axes, where it hides no point."""
    figure, axes = plt.subplots(figsize=(7.5, 4.8))
    for method, values in sorted(points.items()):
        seconds, scores, steps = zip(*values)
        if any(steps):
            axes.plot(seconds, scores, marker='o', label=method)
            for x, y, t in values:
                axes.annotate(
                    f'T={t}', (x, y),
                    textcoords='offset points',
                    xytext=(3, 3),
                    fontsize=7)
        else:
            axes.plot(seconds, scores, marker='s', linestyle='none',
                      label=f'{method} (alone)')
    axes.set_xscale('log')
    axes.set_xlabel('seconds per image (log scale)')
    axes.set_ylabel(f'segment covering, {metric}')
    axes.set_title(title, fontsize=9)
    axes.grid(True, which='both', alpha=0.3)
    axes.legend(fontsize=7, loc='upper left', bbox_to_anchor=(1.01, 1))
    figure.savefig(out, dpi=120, bbox_inches='tight')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('runs', nargs='+', help='benchmark_quality JSONs')
    parser.add_argument('--out', required=True, help='the PNG to write')
    parser.add_argument(
        '--labels',
        nargs='+',
        help='a legend name for each run (default: method and settings)')
    parser.add_argument(
        '--metric',
        default='Mean',
        help='All, Fine, Coarse or Mean (connected components)')
    args = parser.parse_args()
    runs = []
    for path in args.runs:
        with open(path) as f:
            runs.append(json.load(f))
    title = (f"BSDS500 {runs[0]['split']}, first {runs[0]['num_images']} "
             'images')
    scales = {run.get('optimise_scale') or 1 for run in runs}
    if len(scales) == 1:
        title += f', optimise_scale {scales.pop()}'
    title += ''.join(f', {key}={value}'
                     for key, value in sorted(shared_options(runs).items()))
    plot(collect(runs, args.metric, args.labels), args.metric, title, args.out)
    print(f'written to {args.out}')


if __name__ == '__main__':
    main()
