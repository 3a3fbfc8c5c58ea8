from types import SimpleNamespace

import pytest
import torch
from mmseg.registry import HOOKS

import mmdynaseg  # noqa: F401  (registers NonFiniteLossHook)


def test_finite_loss_passes_and_nan_stops_with_the_terms():
    hook = HOOKS.build(dict(type='NonFiniteLossHook'))
    runner = SimpleNamespace(iter=6)
    hook.after_train_iter(runner, 0, outputs=dict(loss=torch.tensor(1.5)))
    hook.after_train_iter(runner, 0, outputs=None)
    outputs = dict(
        loss=torch.tensor(float('nan')), **{'decode.mu': torch.tensor(2.0)})
    with pytest.raises(RuntimeError, match='iteration 7') as error:
        hook.after_train_iter(runner, 0, outputs=outputs)
    assert 'decode.mu=2' in str(error.value) and 'not saved' in str(
        error.value)


def test_it_runs_before_the_checkpoint_hook():
    from mmengine.hooks import CheckpointHook
    from mmengine.runner.priority import get_priority
    hook = HOOKS.build(dict(type='NonFiniteLossHook'))
    assert get_priority(hook.priority) < get_priority(CheckpointHook.priority)
