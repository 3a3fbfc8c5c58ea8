import numpy as np

from mmdynaseg.utils import max_overlap_matching


def test_one_to_one_maximises_total_not_greedy():
    """Greedy would give column 0 its best row 0 (5) and leave column 1
    with row 1 (0): total 5. The optimum pairs 0<-1 (4), 1<-0 (4): 8."""
    overlap = np.array([[5, 4], [4, 0]])
    assert max_overlap_matching(overlap).tolist() == [1, 0]


def test_more_columns_than_rows_leaves_some_unmatched():
    overlap = np.array([[0, 9, 1]])
    assert max_overlap_matching(overlap).tolist() == [-1, 0, -1]
