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
