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
