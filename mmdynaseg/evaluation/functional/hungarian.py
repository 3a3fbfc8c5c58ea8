"""Matching clusters to classes and scoring the match."""
from typing import Dict, Tuple

import numpy as np
from scipy.optimize import linear_sum_assignment


def match_clusters(confusion: np.ndarray) -> np.ndarray:
    """One-to-one cluster -> class matching that maximises matched pixels.

    Args:
        confusion (np.ndarray): K x C pixel counts, ``confusion[k, c]`` =
            pixels predicted as cluster ``k`` whose ground truth is class
            ``c``. K and C may differ (rectangular Hungarian matching).

    Returns:
        np.ndarray: Shape (C,), the cluster matched to each class, or -1 for
        classes left unmatched (only when K < C).
    """
    clusters, classes = linear_sum_assignment(confusion, maximize=True)
    matched = np.full(confusion.shape[1], -1, dtype=np.int64)
    matched[classes] = clusters
    return matched


def scores_from_confusion(
        confusion: np.ndarray) -> Tuple[Dict[str, np.ndarray], np.ndarray]:
    """Per-class IoU and accuracy after Hungarian matching.

    For class ``c`` matched to cluster ``k``: ``TP = confusion[k, c]``,
    ``FP = sum_c' confusion[k, c'] - TP`` and ``FN = sum_k' confusion[k', c]
    - TP``; ``IoU = TP / (TP + FP + FN)`` and ``Acc = TP / (TP + FN)``.
    Pixels of unmatched clusters are errors (they are in some class's FN).
    A class with no pixels in the ground truth and none predicted has a NaN
    IoU and is left out of means.

    Args:
        confusion (np.ndarray): K x C pixel counts (ignored pixels removed).

    Returns:
        tuple: dict with ``'IoU'`` and ``'Acc'`` (shape (C,), fractions)
        and ``'aAcc'`` (scalar, matched pixels / all pixels); and the
        matched cluster of each class (shape (C,), -1 if none).
    """
    confusion = confusion.astype(np.float64)
    matched = match_clusters(confusion)
    has_match = matched >= 0
    classes = np.arange(confusion.shape[1])
    tp = np.zeros(confusion.shape[1])
    tp[has_match] = confusion[matched[has_match], classes[has_match]]
    pred_area = np.zeros(confusion.shape[1])
    pred_area[has_match] = confusion[matched[has_match]].sum(axis=1)
    gt_area = confusion.sum(axis=0)
    with np.errstate(divide='ignore', invalid='ignore'):
        iou = tp / (gt_area + pred_area - tp)
        acc = tp / gt_area
        aacc = tp.sum() / confusion.sum()
    return dict(IoU=iou, Acc=acc, aAcc=np.float64(aacc)), matched
