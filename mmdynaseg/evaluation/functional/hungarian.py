"""Matching clusters to classes and scoring the match."""
from typing import Dict, NamedTuple, Tuple

import numpy as np

from mmdynaseg.utils import max_overlap_matching
from .class_scores import scores_from_areas


class MatchedAreas(NamedTuple):
    """Per-class pixel counts after a cluster -> class matching.

    Attributes:
        tp (np.ndarray): Shape (C,), pixels of class ``c`` predicted as the
            cluster matched to ``c`` (0 if none is).
        gt (np.ndarray): Shape (C,), ground-truth pixels of class ``c``.
        pred (np.ndarray): Shape (C,), pixels predicted as the cluster
            matched to ``c`` (0 if none is).
        matched (np.ndarray): Shape (C,), the cluster matched to ``c``, or
            -1 for none.
    """
    tp: np.ndarray
    gt: np.ndarray
    pred: np.ndarray
    matched: np.ndarray


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
    return max_overlap_matching(confusion)


def matched_areas(confusion: np.ndarray,
                  present_only: bool = False) -> MatchedAreas:
    """Hungarian matching of a confusion matrix and the matched pixel counts.

    For class ``c`` matched to cluster ``k``: ``tp = confusion[k, c]``,
    ``pred = sum_c' confusion[k, c']`` and ``gt = sum_k' confusion[k', c]``.
    Pixels of unmatched clusters are errors: they are in some class's ``gt``
    and in no class's ``tp``.

    Args:
        confusion (np.ndarray): K x C pixel counts (ignored pixels removed).
        present_only (bool): Match only the classes with ground-truth pixels
            (the per-image protocol): the other classes get no cluster, so a
            cluster is never spent on a class the image does not contain.
            Defaults to False (all C classes take part, the dataset-level
            protocol).

    Returns:
        MatchedAreas: ``tp``, ``gt``, ``pred`` (int64) and ``matched``.
    """
    confusion = np.asarray(confusion, dtype=np.int64)
    gt = confusion.sum(axis=0)
    classes = np.flatnonzero(gt > 0) if present_only else np.arange(
        confusion.shape[1])
    matched = np.full(confusion.shape[1], -1, dtype=np.int64)
    matched[classes] = match_clusters(confusion[:, classes])
    classes = np.flatnonzero(matched >= 0)
    tp = np.zeros_like(gt)
    pred = np.zeros_like(gt)
    tp[classes] = confusion[matched[classes], classes]
    pred[classes] = confusion[matched[classes]].sum(axis=1)
    return MatchedAreas(tp, gt, pred, matched)


def scores_from_confusion(
        confusion: np.ndarray) -> Tuple[Dict[str, np.ndarray], np.ndarray]:
    """Per-class IoU and accuracy after one Hungarian matching of all
    classes (see :func:`matched_areas` and :func:`scores_from_areas`).

    Args:
        confusion (np.ndarray): K x C pixel counts (ignored pixels removed).

    Returns:
        tuple: dict with ``'IoU'`` and ``'Acc'`` (shape (C,), fractions, NaN
        for a class with no ground-truth pixel and no predicted one, resp.
        no ground-truth pixel) and ``'aAcc'`` (scalar, matched pixels / all
        pixels); and the matched cluster of each class (shape (C,), -1 if
        none).
    """
    areas = matched_areas(confusion)
    return scores_from_areas(areas.tp, areas.gt, areas.pred), areas.matched
