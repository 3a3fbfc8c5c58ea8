import pytest

from mmdynaseg.engine import PerImageTracker


def test_record_iters_lie_within_max_iters():
    assert PerImageTracker(record_iters=[0, 5], max_iters=5).record_iters \
        == {0, 5}
    assert PerImageTracker(record_iters=[7]).record_iters == {7}
    with pytest.raises(ValueError, match=r'\[0, max_iters=5\], got \[6\]'):
        PerImageTracker(record_iters=[6], max_iters=5)
    with pytest.raises(ValueError, match='record_iters'):
        PerImageTracker(record_iters=[-1])


def test_snapshot_interval_is_positive():
    with pytest.raises(ValueError, match='snapshot_interval'):
        PerImageTracker(snapshot_interval=0)
