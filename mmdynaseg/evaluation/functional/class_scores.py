"""IoU, accuracy and their class-group means from matched pixel counts."""
from typing import Dict, Mapping, Optional, Sequence

import numpy as np


def nanmean(values: np.ndarray, axis: Optional[int] = None) -> np.ndarray:
    """Mean over the non-NaN values; NaN (with no warning) where all are.

    Args:
        values (np.ndarray): Values, NaN marking "not defined".
        axis (int, optional): Axis to average over. Defaults to all.

    Returns:
        np.ndarray: The means.
    """
    values = np.asarray(values, dtype=np.float64)
    defined = ~np.isnan(values)
    count = defined.sum(axis=axis)
    total = np.where(defined, values, 0.0).sum(axis=axis)
    with np.errstate(divide='ignore', invalid='ignore'):
        return total / count


def scores_from_areas(tp: np.ndarray, gt: np.ndarray,
                      pred: np.ndarray) -> Dict[str, np.ndarray]:
    """Per-class IoU and accuracy from matched pixel counts.

    ``IoU = tp / (gt + pred - tp)`` (= TP / (TP + FP + FN)) and
    ``Acc = tp / gt``; ``aAcc = sum(tp) / sum(gt)`` over the classes.

    Args:
        tp (np.ndarray): Shape (..., C), correctly matched pixels per class
            (leading axes, e.g. images, are kept).
        gt (np.ndarray): Shape (..., C), ground-truth pixels per class.
        pred (np.ndarray): Shape (..., C), pixels of the cluster matched to
            each class (0 for none).

    Returns:
        dict: ``'IoU'`` (NaN for a class with ``gt = pred = 0``) and
        ``'Acc'`` (NaN for ``gt = 0``), shape (..., C), and ``'aAcc'``
        (shape (...), NaN with no labelled pixel); fractions.
    """
    tp, gt, pred = (np.asarray(a, dtype=np.float64) for a in (tp, gt, pred))
    with np.errstate(divide='ignore', invalid='ignore'):
        return dict(
            IoU=tp / (gt + pred - tp),
            Acc=tp / gt,
            aAcc=tp.sum(axis=-1) / gt.sum(axis=-1))


def summary_scores(
    tp: np.ndarray,
    gt: np.ndarray,
    pred: np.ndarray,
    groups: Optional[Mapping[str, Sequence[int]]] = None
) -> Dict[str, np.ndarray]:
    """mIoU, mAcc, aAcc and their values over groups of classes.

    ``mIoU`` / ``mAcc`` are means over the classes whose IoU / Acc is
    defined (see :func:`scores_from_areas`). For each group ``g`` of class
    indices (e.g. COCO-Stuff things and stuff), split by ground-truth class
    after the matching: ``mIoU.g`` = mean IoU over the group's classes with
    a defined IoU, ``aAcc.g`` = TP over the group's classes / ground-truth
    pixels of the group's classes. A value with nothing to average is NaN.

    Args:
        tp (np.ndarray): Shape (..., C), correctly matched pixels per class
            (leading axes, e.g. images, are kept).
        gt (np.ndarray): Shape (..., C), ground-truth pixels per class.
        pred (np.ndarray): Shape (..., C), pixels of the cluster matched to
            each class.
        groups (Mapping[str, Sequence[int]], optional): Group name -> class
            indices.

    Returns:
        dict: ``'mIoU'``, ``'mAcc'``, ``'aAcc'``, ``'mIoU.<g>'`` and
        ``'aAcc.<g>'``, fractions of shape (...).
    """
    tp, gt, pred = (np.asarray(a, dtype=np.int64) for a in (tp, gt, pred))
    scores = scores_from_areas(tp, gt, pred)
    summary = dict(
        mIoU=nanmean(scores['IoU'], axis=-1),
        mAcc=nanmean(scores['Acc'], axis=-1),
        aAcc=scores['aAcc'])
    for name, ids in (groups or {}).items():
        ids = np.asarray(ids, dtype=np.int64)
        summary[f'mIoU.{name}'] = nanmean(scores['IoU'][..., ids], axis=-1)
        summary[f'aAcc.{name}'] = scores_from_areas(
            tp[..., ids], gt[..., ids], pred[..., ids])['aAcc']
    return summary
