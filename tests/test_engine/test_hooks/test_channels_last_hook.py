from types import SimpleNamespace

import pytest
import torch
from mmengine.registry import init_default_scope
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


def test_a_per_image_model_is_refused():
    """One switch per run: a per-image model's layout is its own option."""
    init_default_scope('mmseg')
    from mmseg.registry import MODELS
    model = MODELS.build(
        dict(
            type='PerImageDynaSeg',
            backbone=dict(type='DynaSegCNN', channels=4),
            decode_head=dict(
                type='DynaSegHead', in_channels=4, channels=4,
                num_classes=4)))
    hook = HOOKS.build(dict(type='ChannelsLastHook'))
    with pytest.raises(ValueError, match='model.channels_last'):
        hook.before_run(SimpleNamespace(model=model))
