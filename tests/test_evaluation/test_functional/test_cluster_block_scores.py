"""cluster_block_scores: the reference evaluator's things / stuff."""
import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from mmdynaseg.evaluation.functional import cluster_block_scores


def reference_block_scores(confusion_gt_by_pred, num_things):
    """The DynaSeg reference evaluator's things / stuff scores, written
    out as its cluster_mIoU_evaluator.py computes them (K = C)."""
    hist = np.asarray(confusion_gt_by_pred, dtype=np.float64)
    match = linear_sum_assignment(hist.max() - hist)
    new_hist = np.zeros_like(hist)
    for idx in range(len(hist)):
        new_hist[match[1][idx]] = hist[idx]

    def metrics(h):
        tp = np.diag(h)
        with np.errstate(divide='ignore', invalid='ignore'):
            iou = tp / (h.sum(0) + h.sum(1) - tp)
        return np.nanmean(iou), tp.sum() / h.sum()

    return (metrics(new_hist[:num_things, :num_things]),
            metrics(new_hist[num_things:, num_things:]))


def test_cluster_blocks_equal_the_reference_evaluator():
    """On random 6 x 6 confusions (2 thing, 4 stuff clusters) the blocks
    score as the reference's reordered histogram does, given its matching
    (an optimal matching can tie: ours may pick another)."""
    rng = np.random.RandomState(0)
    for _ in range(20):
        gt_by_pred = rng.randint(0, 50, size=(6, 6))
        confusion = gt_by_pred.T  # ours: cluster by class
        matched = linear_sum_assignment(gt_by_pred.max() - gt_by_pred)[1]
        scores = cluster_block_scores(confusion, matched,
                                      dict(things=range(2),
                                           stuff=range(2, 6)))
        things, stuff = reference_block_scores(gt_by_pred, 2)
        assert scores['mIoU.things'] == pytest.approx(things[0])
        assert scores['aAcc.things'] == pytest.approx(things[1])
        assert scores['mIoU.stuff'] == pytest.approx(stuff[0])
        assert scores['aAcc.stuff'] == pytest.approx(stuff[1])


def test_cluster_blocks_by_hand():
    """Clusters 0, 1 (things block) hold classes 1 and 0: class 1 is
    matched to cluster 0, class 0 to cluster 1, class 2 to cluster 2."""
    confusion = np.array([[1, 5, 0],   # cluster 0
                          [4, 0, 2],   # cluster 1
                          [0, 1, 3]])  # cluster 2
    matched = np.array([1, 0, 2])
    scores = cluster_block_scores(confusion, matched,
                                  dict(things=range(2), stuff=range(2, 3)))
    # things sub-matrix, rows = classes of clusters 0, 1 (1, 0), columns
    # = clusters 0, 1: [[5, 0], [1, 4]]: IoU 5/6 and 4/5, aAcc 9/10
    assert scores['mIoU.things'] == pytest.approx((5 / 6 + 4 / 5) / 2)
    assert scores['aAcc.things'] == pytest.approx(9 / 10)
    # stuff: [[3]]
    assert scores['mIoU.stuff'] == 1.0 and scores['aAcc.stuff'] == 1.0
