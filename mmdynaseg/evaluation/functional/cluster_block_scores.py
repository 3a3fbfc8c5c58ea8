"""Things / stuff split by cluster index, as the DynaSeg reference does."""
from typing import Dict, Mapping

import numpy as np

from .class_scores import nanmean


def cluster_block_scores(confusion: np.ndarray, matched: np.ndarray,
                         blocks: Mapping[str, range]) -> Dict[str, float]:
    """mIoU and aAcc of blocks of cluster indices after the matching.

    The DynaSeg reference evaluator (``cluster_mIoU_evaluator.py``) puts
    each ground-truth class in the row of the cluster it is matched to and
    scores the sub-matrix of clusters ``0..11`` as things and ``12..26`` as
    stuff, whatever classes those clusters were matched to. For a block
    ``B`` of cluster indices, with ``c(k)`` the class matched to cluster
    ``k`` (a row of zeros if none): ``tp_k = confusion[k, c(k)]``,
    ``fn_k + tp_k = sum_{j in B} confusion[j, c(k)]``, ``fp_k + tp_k =
    sum_{k' in B} confusion[k, c(k')]``; ``IoU_k = tp / (tp + fp + fn)``,
    ``mIoU`` its mean over the defined ones and ``aAcc`` the block's
    trace over its sum. Pixels outside the block (of its classes, or in
    its clusters) are not counted.

    Args:
        confusion (np.ndarray): K x C pixel counts, cluster by class.
        matched (np.ndarray): (C,) the cluster matched to each class, -1 for
            none (:func:`matched_areas`).
        blocks (Mapping[str, range]): Block name -> cluster indices, e.g.
            ``{'things': range(12), 'stuff': range(12, 27)}``.

    Returns:
        dict: ``'mIoU.<block>'`` and ``'aAcc.<block>'``, fractions (NaN
        where nothing is counted).
    """
    confusion = np.asarray(confusion, dtype=np.float64)
    num_clusters = confusion.shape[0]
    class_of = np.full(num_clusters, -1, dtype=np.int64)
    for cls, cluster in enumerate(matched):
        if 0 <= cluster < num_clusters:
            class_of[cluster] = cls
    scores = {}
    for name, block in blocks.items():
        clusters = np.asarray([k for k in block if k < num_clusters],
                              dtype=np.int64)
        # the reference's reordered histogram: row k holds the counts of
        # class c(k) over the block's clusters (zeros if k is unmatched)
        sub = np.zeros((len(clusters), len(clusters)))
        for row, cluster in enumerate(clusters):
            if class_of[cluster] >= 0:
                sub[row] = confusion[clusters, class_of[cluster]]
        tp = np.diag(sub)
        with np.errstate(divide='ignore', invalid='ignore'):
            iou = tp / (sub.sum(axis=1) + sub.sum(axis=0) - tp)
            scores[f'aAcc.{name}'] = float(tp.sum() / sub.sum())
        scores[f'mIoU.{name}'] = float(nanmean(iou))
    return scores
