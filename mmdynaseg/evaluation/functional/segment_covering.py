"""Best IoU of every ground-truth segment over predicted segments."""
from typing import Dict, Optional, Sequence

import numpy as np
from skimage.measure import label
from sklearn.metrics.cluster import contingency_matrix

COVERING_MODES = ('all', 'fine', 'coarse')


def connected_segments(pred: np.ndarray) -> np.ndarray:
    """Split a label map into its 4-connected components.

    Two pixels are in one segment when they have the same label and are
    joined by a path of up/down/left/right steps through that label
    (``skimage.measure.label`` with ``connectivity=1``). Every pixel gets a
    segment: no value is treated as background.

    Args:
        pred (np.ndarray): H x W integer label map (e.g. cluster ids).

    Returns:
        np.ndarray: H x W component ids, 1..N.
    """
    pred = np.asarray(pred, dtype=np.int64)
    return label(pred, background=int(pred.min()) - 1, connectivity=1)


def best_iou_per_segment(gt: np.ndarray,
                         pred: np.ndarray,
                         ignore_index: Optional[int] = None) -> np.ndarray:
    """For each ground-truth segment, the best IoU over predicted segments.

    GT segment ``G`` and predicted segment ``P`` (the distinct values of
    ``gt`` and ``pred``) have ``IoU = |G n P| / (|G| + |P| - |G n P|)``, read
    off one sparse contingency table
    (``sklearn.metrics.cluster.contingency_matrix``). Pixels whose ground
    truth is ``ignore_index`` are removed from both maps first, so they
    count in no ground-truth and no predicted segment.

    Args:
        gt (np.ndarray): H x W ground-truth segment ids.
        pred (np.ndarray): H x W predicted segment ids.
        ignore_index (int, optional): Ground-truth value to leave out.

    Returns:
        np.ndarray: ``max_P IoU(G, P)`` for every ground-truth segment, in
        increasing order of segment id; empty if no pixel is left.
    """
    gt, pred = np.ravel(gt), np.ravel(pred)
    if ignore_index is not None:
        valid = gt != ignore_index
        gt, pred = gt[valid], pred[valid]
    if gt.size == 0:
        return np.zeros(0)
    table = contingency_matrix(gt, pred, sparse=True).tocoo()
    gt_area = np.asarray(table.sum(axis=1)).ravel()
    pred_area = np.asarray(table.sum(axis=0)).ravel()
    overlap = table.data.astype(np.float64)
    iou = overlap / (gt_area[table.row] + pred_area[table.col] - overlap)
    best = np.zeros(gt_area.size)
    np.maximum.at(best, table.row, iou)
    return best


def covering_modes(
        per_annotator: Sequence[np.ndarray]) -> Dict[str, np.ndarray]:
    """Pool one image's best IoUs by annotator-selection mode.

    ``all``: the segments of every annotator; ``fine``: those of the
    annotator with the most segments; ``coarse``: those of the annotator with
    the fewest. Ties go to the first annotator with that count. Annotators
    with no segment (all pixels ignored) take no part.

    Args:
        per_annotator (Sequence[np.ndarray]): For each annotator, the best
            IoU of each of its segments (:func:`best_iou_per_segment`).

    Returns:
        dict: ``'all'``, ``'fine'``, ``'coarse'`` -> best IoUs (all empty if
        no annotator has a segment).
    """
    annotated = [ious for ious in per_annotator if ious.size]
    if not annotated:
        return {mode: np.zeros(0) for mode in COVERING_MODES}
    counts = [ious.size for ious in annotated]
    return dict(
        all=np.concatenate(annotated),
        fine=annotated[int(np.argmax(counts))],
        coarse=annotated[int(np.argmin(counts))])
