import numpy as np
import pytest

from mmdynaseg.evaluation.functional import (best_iou_per_segment,
                                             connected_segments,
                                             covering_modes)


def test_components_are_4_connected_and_cover_every_pixel():
    pred = np.array([[0, 1],
                     [1, 0]])
    components = connected_segments(pred)
    assert sorted(np.unique(components)) == [1, 2, 3, 4]
    assert connected_segments(np.array([[7, 7], [7, 9]])).max() == 2


def test_best_iou_per_segment_in_segment_order():
    gt = np.array([[9, 9, 4, 4]])
    pred = np.array([[0, 1, 1, 1]])
    # segment 4: IoU 2/3 with pred 1; segment 9: max(1/2, 1/4)
    assert best_iou_per_segment(gt, pred).tolist() == pytest.approx(
        [2 / 3, 1 / 2])
    assert best_iou_per_segment(gt, pred, ignore_index=9).tolist() == [1.0]
    assert best_iou_per_segment(gt, pred, ignore_index=4).tolist() == [
        pytest.approx(1 / 2)]
    assert best_iou_per_segment(np.full((2, 2), 255), np.zeros(
        (2, 2)), ignore_index=255).size == 0


def test_covering_modes_ties_and_empty_annotators():
    a, b, c = np.array([0.1, 0.2]), np.array([0.3]), np.array([0.4, 0.5])
    modes = covering_modes([np.zeros(0), a, b, c])
    assert modes['all'].tolist() == [0.1, 0.2, 0.3, 0.4, 0.5]
    assert modes['fine'] is a  # first of the two with 2 segments
    assert modes['coarse'] is b  # the empty annotator takes no part
    assert covering_modes([np.zeros(0)])['all'].size == 0
