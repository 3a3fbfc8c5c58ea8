"""PerImageProgressHook and StepProgress: image i/N, step, q' and ETA."""
from types import SimpleNamespace

import pytest

import mmdynaseg.engine.hooks.per_image_progress_hook as module
from mmdynaseg.engine import PerImageProgressHook, StepProgress
from mmdynaseg.engine.hooks.per_image_progress_hook import format_seconds


class Clock:
    """A perf_counter that returns what the test sets."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(module.time, 'perf_counter', clock)
    return clock


def test_format_seconds():
    assert [format_seconds(s) for s in (42, 185, 3725, 0.4)] == [
        '42s', '3m05s', '1h02m', '0s'
    ]


def test_eta_of_the_image_and_of_the_run(clock):
    """3 images of T = 100, 10 s after the image began. Step 0: 10 s a
    step, 1,000 s left; the run adds 2 images of 1,010 s. Step 10:
    10 / 11 s a step, 81.8 s left, 2 images of 91.8 s. Once one image
    took 40 s, the others are estimated at 40 s."""
    lines = []
    progress = StepProgress(3, lines.append, interval=10)
    progress.start_image('a.jpg')
    clock.now = 10.0
    for step in range(11):
        progress(step, 100, 7)
    assert lines == [
        "[1/3] a.jpg: step 0/100, q'=7, ETA image 16m40s, all 50m20s",
        "[1/3] a.jpg: step 10/100, q'=7, ETA image 1m22s, all 4m25s",
    ]
    clock.now = 40.0
    progress.end_image()
    progress.start_image('b.jpg')
    clock.now = 50.0  # 10 s for steps 0-4
    assert progress.line(4, 100, 5) == (
        "[2/3] b.jpg: step 4/100, q'=5, ETA image 3m12s, all 3m52s")


def test_hook_logs_the_steps_of_a_per_image_model(clock):
    model = SimpleNamespace(on_step=None)
    runner = SimpleNamespace(
        model=model,
        test_dataloader=SimpleNamespace(dataset=[0, 1]))
    hook = PerImageProgressHook(interval=2)
    hook.before_test(runner)
    assert model.on_step is hook.progress
    sample = SimpleNamespace(metainfo=dict(img_path='/data/x/img1.png'))
    hook.before_test_iter(runner, 0, dict(data_samples=[sample]))
    logged = []
    hook.progress.write = logged.append
    clock.now = 1.0
    for step in range(4):
        model.on_step(step, 3, 4)
    hook.after_test_iter(runner, 0)
    assert [line.split(',')[0] for line in logged] == [
        '[1/2] img1.png: step 0/3', '[1/2] img1.png: step 2/3'
    ]
    assert hook.progress.finished == 1
    # a trained model has no on_step: left alone
    trained = SimpleNamespace(model=object(), test_dataloader=None)
    other = PerImageProgressHook()
    other.before_test(trained)
    assert other.progress is None


def test_bad_interval():
    with pytest.raises(ValueError, match='interval'):
        StepProgress(1, print, interval=0)
