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


def test_first_skip_adds_the_first_block_to_the_last():
    """DynaGuide's network: same weights, plus the first block's output."""
    torch.manual_seed(0)
    plain = DynaSegCNN(channels=8, num_convs=3).eval()
    skip = DynaSegCNN(channels=8, num_convs=3, first_skip=True).eval()
    skip.load_state_dict(plain.state_dict())
    x = torch.rand(1, 3, 9, 7)
    with torch.no_grad():
        first = plain.convs[0](x)
        (expected, ) = plain(x)
        (out, ) = skip(x)
    torch.testing.assert_close(out, expected + first)
    assert first.abs().sum() > 0


def test_first_skip_needs_two_components():
    with pytest.raises(ValueError, match='num_convs >= 2'):
        DynaSegCNN(num_convs=1, first_skip=True)
