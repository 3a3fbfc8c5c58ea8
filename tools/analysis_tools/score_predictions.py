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

Example (the published script's outputs on the BSDS500 val split):
    python tools/analysis_tools/score_predictions.py work_dirs/authors \
        --data-root data/bsds500 --split val --out scores.json
"""
import argparse
import glob
import os.path as osp
from typing import Dict, List, Optional, Sequence

from PIL import UnidentifiedImageError

from mmdynaseg.datasets.transforms.bsds500_annotations import \
    read_bsds500_segmentations
from mmdynaseg.evaluation import SegmentCoveringMetric
from mmdynaseg.utils import read_label_map, resize_nearest
from benchmark_common import logs_to_stderr, report


def score_predictions(pred_dir: str, data_root: str,
                      split: str) -> Dict[str, object]:
    """Score every PNG of ``pred_dir`` (module docstring).

    Args:
        pred_dir (str): Folder of ``<stem>.png`` label maps.
        data_root (str): BSDS500 root (``groundTruth/<split>/*.mat``).
        split (str): ``'train'``, ``'val'`` or ``'test'``.

    Returns:
        dict: ``metrics`` (both scorings), ``images`` (the stems scored),
        ``skipped`` (``{path: reason}``).

    Raises:
        FileNotFoundError: No PNG in ``pred_dir``, or no ground-truth
            folder.
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
    return dict(
        metrics=metric.compute_metrics(metric.results),
        images=images,
        skipped=skipped)


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
    parser.add_argument('--out', help='write the scores to this JSON file')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> None:
    """Score, print and write the JSON."""
    args = parse_args(argv)
    logs_to_stderr()
    try:
        scores = score_predictions(args.pred_dir, args.data_root, args.split)
    except FileNotFoundError as error:
        raise SystemExit(str(error)) from None
    report(
        dict(
            pred_dir=args.pred_dir,
            data_root=args.data_root,
            split=args.split,
            **scores), args.out)


if __name__ == '__main__':
    main()
