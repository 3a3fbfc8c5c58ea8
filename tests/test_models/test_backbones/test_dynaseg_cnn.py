import pytest
import torch

from mmdynaseg.models.backbones import DynaSegCNN


def test_shape_and_structure():
    model = DynaSegCNN(channels=8, num_convs=3)
    (out, ) = model(torch.rand(2, 3, 11, 13))
    assert out.shape == (2, 8, 11, 13)  # stride 1, no pooling
    assert len(model.convs) == 3
    for block in model.convs:
        assert block.order == ('conv', 'act', 'norm')
        assert block.conv.kernel_size == (3, 3)


def test_rejects_zero_components():
    with pytest.raises(ValueError, match='num_convs'):
        DynaSegCNN(num_convs=0)


@pytest.mark.parametrize('first_skip', ['conv', 'block'])
def test_first_skip_adds_the_first_layer_to_the_last(first_skip):
    """DynaGuide's network: same weights, plus the raw first convolution
    ('conv', the published code) or the first block's output ('block')."""
    torch.manual_seed(0)
    plain = DynaSegCNN(channels=8, num_convs=3).eval()
    skip = DynaSegCNN(channels=8, num_convs=3, first_skip=first_skip).eval()
    skip.load_state_dict(plain.state_dict())
    x = torch.rand(1, 3, 9, 7)
    with torch.no_grad():
        conv = plain.convs[0].conv(x)
        block = plain.convs[0].norm(torch.relu(conv))
        (expected, ) = plain(x)
        (out, ) = skip(x)
    added = conv if first_skip == 'conv' else block
    torch.testing.assert_close(out, expected + added)
    assert (conv < 0).any()  # the raw convolution differs from the block
    assert not torch.allclose(conv, block)


def test_first_skip_needs_two_components():
    with pytest.raises(ValueError, match='num_convs >= 2'):
        DynaSegCNN(num_convs=1, first_skip='conv')


def test_first_skip_rejects_unknown_values():
    with pytest.raises(ValueError, match="'conv', 'block'"):
        DynaSegCNN(first_skip=True)


@pytest.mark.parametrize('call_init_weights', [False, True])
def test_reference_construction_has_bias_and_pytorch_init(call_init_weights):
    """conv_bias=True, conv_init='pytorch': nn.Conv2d's own uniform
    initialisation, bound 1 / sqrt(fan_in) for weights and biases, also
    after MMEngine's init_weights (which applies ConvModule's Kaiming)."""
    torch.manual_seed(0)
    model = DynaSegCNN(channels=16, conv_bias=True, conv_init='pytorch')
    if call_init_weights:
        model.init_weights()
    for block in model.convs:
        conv = block.conv
        bound = 1 / (conv.in_channels * 9)**0.5
        assert conv.bias is not None and conv.bias.abs().max() <= bound
        assert bound * 0.9 < conv.weight.abs().max() <= bound
    # the default: mmcv's ConvModule, no bias, Kaiming normal (fan_out),
    # whose weights exceed that bound
    default = DynaSegCNN(channels=16)
    conv = default.convs[1].conv
    assert conv.bias is None
    assert conv.weight.abs().max() > 1 / (conv.in_channels * 9)**0.5
    with pytest.raises(ValueError, match='conv_init'):
        DynaSegCNN(conv_init='xavier')


def test_an_asked_for_bias_raises_no_warning():
    """conv_bias=True is the published construction: mmcv's "unnecessary
    conv bias" warning would only puzzle its users."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        DynaSegCNN(channels=4, conv_bias=True)
