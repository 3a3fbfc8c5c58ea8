"""Score a folder of label maps against BSDS500 ground truth.

Every ``<image stem>.png`` of ``PRED_DIR`` is scored with
:class:`SegmentCoveringMetric` against ``ROOT/groundTruth/SPLIT/<stem>.mat``
(all annotators), under both scorings: predicted segments split into
connected components (``All``, ``Fine``, ``Coarse``, ``Mean``) and each
label one segment (``All.labels``, ...). A map may hold ids (8- or 16-bit
grey, or palettised, as ``tools/segment.py`` writes them) or colours (RGB,
one colour per label, as the published DynaSeg script writes them); a map
of another size than its ground truth is resized nearest-neighbour.
Maps without ground truth, or unreadable, are listed under ``skipped``.
The JSON also holds every image's scores and, with ``--bootstrap N``, a
95 % percentile bootstrap interval of each pooled score (N resamples of
the images with replacement).

Example (the published script's outputs on the BSDS500 val split):
    python tools/analysis_tools/score_predictions.py work_dirs/authors \
        --data-root data/bsds500 --split val --bootstrap 1000 \
        --out scores.json
"""
import argparse
import glob
import logging
import os.path as osp
from contextlib import contextmanager
from typing import Dict, Iterator, List, Optional, Sequence

import numpy as np
from mmengine.logging import MMLogger
from PIL import UnidentifiedImageError
from scipy.stats import bootstrap

from mmdynaseg.datasets.transforms.bsds500_annotations import \
    read_bsds500_segmentations
from mmdynaseg.evaluation import SegmentCoveringMetric
from mmdynaseg.utils import read_label_map, resize_nearest
from benchmark_common import logs_to_stderr, report


@contextmanager
def quiet_log() -> Iterator[None]:
    """Leave out MMEngine's info messages (the metric's table)."""
    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def bootstrap_interval(metric: SegmentCoveringMetric, results: List[dict],
                       resamples: int, seed: int) -> Dict[str, List[float]]:
    """The 95 % percentile bootstrap interval (``scipy.stats.bootstrap``)
    of every pooled score, from ``resamples`` resamples of the images'
    ``results`` with replacement."""
    with quiet_log():
        keys = list(metric.compute_metrics(results))

        def pooled(indices: np.ndarray) -> np.ndarray:
            scores = metric.compute_metrics([results[i] for i in indices])
            return np.array([scores[key] for key in keys])

        interval = bootstrap((np.arange(len(results)), ),
                             pooled,
                             n_resamples=resamples,
                             vectorized=False,
                             method='percentile',
                             rng=np.random.default_rng(seed))
    low, high = interval.confidence_interval
    return {
        key: [round(float(low[i]), 2),
              round(float(high[i]), 2)]
        for i, key in enumerate(keys)
    }


def score_predictions(pred_dir: str,
                      data_root: str,
                      split: str,
                      bootstrap: int = 0,
                      seed: int = 0) -> Dict[str, object]:
    """Score every PNG of ``pred_dir`` (module docstring).

    Args:
        pred_dir (str): Folder of ``<stem>.png`` label maps.
        data_root (str): BSDS500 root (``groundTruth/<split>/*.mat``).
        split (str): ``'train'``, ``'val'`` or ``'test'``.
        bootstrap (int): Resamples of the bootstrap interval; 0: none.
        seed (int): Seed of the resampling.

    Returns:
        dict: ``metrics`` (both scorings), ``images`` (the stems scored),
        ``per_image`` (each image's metrics), ``skipped`` (``{path:
        reason}``) and, with ``bootstrap``, ``interval95`` (per metric,
        its interval) and ``bootstrap`` (resamples and seed).

    Raises:
        FileNotFoundError: No PNG in ``pred_dir``, or no ground-truth
            folder.
        ValueError: ``bootstrap`` with fewer than 2 scored maps.
    """
    paths = sorted(glob.glob(osp.join(pred_dir, '*.png')))
    if not paths:
        raise FileNotFoundError(
            f"no .png label map in '{pred_dir}'; give the folder the maps "
            'were written to (one <image stem>.png per image).')
    gt_dir = osp.join(data_root, 'groundTruth', split)
    if not osp.isdir(gt_dir):
        raise FileNotFoundError(
            f"no ground-truth folder '{gt_dir}'; --data-root must hold "
            f'groundTruth/{split}/*.mat (the BSDS500 layout).')
    metric = SegmentCoveringMetric()
    images: List[str] = []
    skipped: Dict[str, str] = {}
    for path in paths:
        stem = osp.splitext(osp.basename(path))[0]
        gt_path = osp.join(gt_dir, f'{stem}.mat')
        if not osp.isfile(gt_path):
            skipped[path] = f'no ground truth {gt_path}'
            continue
        try:
            labels = read_label_map(path)
            annotators = read_bsds500_segmentations(gt_path)
        except (OSError, ValueError, UnidentifiedImageError) as error:
            skipped[path] = str(error)
            continue
        metric.process(None, [
            dict(
                pred_sem_seg=dict(
                    data=resize_nearest(labels, annotators.shape[1:])),
                gt_annotators=annotators,
                img_path=path)
        ])
        images.append(stem)
    if not images:
        raise FileNotFoundError(
            f"none of the {len(paths)} maps in '{pred_dir}' could be scored "
            f'against {gt_dir}: {skipped}')
    scores = dict(metrics=metric.compute_metrics(metric.results))
    with quiet_log():
        per_image = {
            stem: metric.compute_metrics([result])
            for stem, result in zip(images, metric.results)
        }
    if bootstrap > 0:
        if len(images) < 2:
            raise ValueError(
                'a bootstrap interval needs 2 or more scored maps; '
                f"'{pred_dir}' has {len(images)}: leave out --bootstrap.")
        scores['interval95'] = bootstrap_interval(metric, metric.results,
                                                  bootstrap, seed)
        scores['bootstrap'] = dict(resamples=bootstrap, seed=seed)
    return dict(
        scores, images=images, per_image=per_image, skipped=skipped)


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(
        description='Score label maps against BSDS500 ground truth '
        '(segment covering, both scorings)')
    parser.add_argument('pred_dir', help='folder of <image stem>.png maps')
    parser.add_argument(
        '--data-root', required=True, help='BSDS500 root folder')
    parser.add_argument(
        '--split', default='val', help='ground-truth split (default val)')
    parser.add_argument(
        '--bootstrap', type=int, default=0, metavar='N',
        help='add a 95 %% bootstrap interval of every score from N '
        'resamples of the images (default 0: none)')
    parser.add_argument(
        '--seed', type=int, default=0, help='seed of the resampling')
    parser.add_argument('--out', help='write the scores to this JSON file')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> None:
    """Score, print and write the JSON."""
    args = parse_args(argv)
    logs_to_stderr()
    try:
        scores = score_predictions(args.pred_dir, args.data_root, args.split,
                                   args.bootstrap, args.seed)
    except (FileNotFoundError, ValueError) as error:
        raise SystemExit(str(error)) from None
    report(
        dict(
            pred_dir=args.pred_dir,
            data_root=args.data_root,
            split=args.split,
            **scores), args.out)


if __name__ == '__main__':
    main()
