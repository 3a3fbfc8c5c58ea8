import torch
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope
from torch import nn

import mmdynaseg  # noqa: F401  (registers AutocastOptimWrapper)
from mmdynaseg.engine import AutocastOptimWrapper


def test_forward_runs_in_bf16_and_weights_stay_float32(bf16_kernels):
    torch.manual_seed(0)
    init_default_scope('mmseg')  # as configs do
    model = nn.Conv2d(3, 4, 3)
    wrapper = build_optim_wrapper(
        model,
        dict(
            type='AutocastOptimWrapper',
            optimizer=dict(type='SGD', lr=0.1)))
    assert isinstance(wrapper, AutocastOptimWrapper)
    before = model.weight.detach().clone()
    with wrapper.optim_context(model):
        out = model(torch.rand(1, 3, 8, 8))
    assert out.dtype == torch.bfloat16
    loss = out.float().square().mean()
    wrapper.update_params(loss)
    assert model.weight.dtype == torch.float32
    # SGD moved the weights by -lr * grad (grad computed through bf16)
    assert not torch.equal(model.weight, before)
    # outside the context the model runs in float32 again
    assert model(torch.rand(1, 3, 8, 8)).dtype == torch.float32


def test_without_fast_bf16_it_trains_in_float32(monkeypatch):
    import mmdynaseg.engine.optimizers.autocast_optim_wrapper as module
    monkeypatch.setattr(module, 'supports_autocast', lambda *args: False)
    warnings = []
    monkeypatch.setattr(module, 'warn_once', warnings.append)
    model = nn.Conv2d(3, 4, 3)
    wrapper = AutocastOptimWrapper(
        optimizer=torch.optim.SGD(model.parameters(), lr=0.1))
    with wrapper.optim_context(model):
        assert model(torch.rand(1, 3, 8, 8)).dtype == torch.float32
    assert len(warnings) == 1 and 'float32' in warnings[0]
