import warnings

import numpy as np
import pytest

from mmdynaseg.evaluation.functional import (nanmean, scores_from_areas,
                                             summary_scores)


def test_nanmean_skips_nan_and_is_nan_without_warning_when_empty():
    values = np.array([[1.0, np.nan], [3.0, np.nan]])
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        assert nanmean(values, axis=0)[0] == 2.0
        assert np.isnan(nanmean(values, axis=0)[1])
        assert nanmean(values) == 2.0
        assert np.isnan(nanmean(np.zeros(0)))


def test_scores_keep_leading_axes():
    # image 0: class 0 tp 2 of gt 3, pred 4; class 1 absent
    # image 1: class 1 tp 1 of gt 1, pred 1; class 0 absent, no cluster
    tp, gt, pred = np.array([[[2, 0], [0, 1]],
                             [[3, 0], [0, 1]],
                             [[4, 0], [0, 1]]])
    scores = scores_from_areas(tp, gt, pred)
    assert scores['IoU'][0, 0] == pytest.approx(2 / 5)
    assert np.isnan(scores['IoU'][0, 1]) and np.isnan(scores['Acc'][1, 0])
    assert scores['aAcc'].tolist() == pytest.approx([2 / 3, 1.0])


def test_group_scores_split_by_class():
    # IoU = [1, 0, 1/2]; things = classes 0 and 1, stuff = class 2
    tp, gt, pred = np.array([2, 0, 1]), np.array([2, 3, 1]), np.array(
        [2, 1, 2])
    summary = summary_scores(tp, gt, pred, dict(things=[0, 1], stuff=[2]))
    assert summary['mIoU'] == pytest.approx(1.5 / 3)
    assert summary['mIoU.things'] == pytest.approx(0.5)
    assert summary['aAcc.things'] == pytest.approx(2 / 5)
    assert summary['mIoU.stuff'] == pytest.approx(0.5)
    assert summary['aAcc.stuff'] == pytest.approx(1.0)
    assert summary['aAcc'] == pytest.approx(3 / 6)

