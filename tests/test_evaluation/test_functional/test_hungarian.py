import numpy as np

from mmdynaseg.evaluation.functional import matched_areas

# clusters x classes; class 2 has no ground-truth pixel
CONFUSION = np.array([[3, 0, 0],
                      [1, 0, 0],
                      [0, 2, 0]])


def test_all_classes_take_part_by_default():
    areas = matched_areas(CONFUSION)
    assert areas.matched.tolist() == [0, 2, 1]
    assert areas.tp.tolist() == [3, 2, 0]
    assert areas.gt.tolist() == [4, 2, 0]
    assert areas.pred.tolist() == [3, 2, 1]  # class 2 gets cluster 1


def test_present_only_gives_absent_classes_no_cluster():
    areas = matched_areas(CONFUSION, present_only=True)
    assert areas.matched.tolist() == [0, 2, -1]
    assert areas.pred.tolist() == [3, 2, 0]
