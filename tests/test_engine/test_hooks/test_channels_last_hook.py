from types import SimpleNamespace

import torch
from mmseg.registry import HOOKS
from torch import nn

import mmdynaseg  # noqa: F401  (registers ChannelsLastHook)


def test_model_becomes_channels_last_and_outputs_follow():
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4))
    hook = HOOKS.build(dict(type='ChannelsLastHook'))
    x = torch.rand(1, 3, 8, 8)
    expected = model(x)
    hook.before_run(SimpleNamespace(model=model))
    weight = model[0].weight
    assert weight.is_contiguous(memory_format=torch.channels_last)
    assert not weight.is_contiguous()
    out = model(x)  # an NCHW input: the convolution follows the weights
    assert out.is_contiguous(memory_format=torch.channels_last)
    torch.testing.assert_close(out, expected, atol=1e-5, rtol=1e-5)
