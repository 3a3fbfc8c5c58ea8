"""tools/analysis_tools/benchmark_common.py: timing."""
import pytest
import torch


@pytest.fixture
def timed(load_tool):
    return load_tool('benchmark_common').timed


def test_timed_waits_for_cuda_work_where_cuda_is_in_use(
        timed, monkeypatch):
    """CUDA kernels run asynchronously: the clock must start and stop at a
    synchronisation, else it times the launches only."""
    events = []
    monkeypatch.setattr(torch.cuda, 'is_initialized', lambda: True)
    monkeypatch.setattr(torch.cuda, 'synchronize',
                        lambda: events.append('synchronize'))
    result, seconds = timed(lambda x: events.append('work') or x + 1, 41)
    assert result == 42 and seconds >= 0
    assert events == ['synchronize', 'work', 'synchronize']


def test_timed_leaves_cuda_alone_where_it_is_not_in_use(
        timed, monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_initialized', lambda: False)
    monkeypatch.setattr(torch.cuda, 'synchronize', lambda: 1 / 0)
    assert timed(sum, [1, 2])[0] == 3
