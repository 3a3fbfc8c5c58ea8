import pytest
import torch

from mmdynaseg.models.losses import SpatialContinuityLoss


def test_constant_map_has_zero_loss():
    response = torch.full((2, 3, 5, 7), 4.2)
    assert SpatialContinuityLoss()(response).item() == 0.0


def test_horizontal_step_exact_value():
    # channel 0 steps by 1 between columns 0 and 1, channel 1 by 2:
    # horizontal |diffs| = 1, 1 (ch 0) and 2, 2 (ch 1) -> mean 1.5;
    # vertical diffs are all 0.
    response = torch.tensor([[[0.0, 1.0], [0.0, 1.0]],
                             [[0.0, 2.0], [0.0, 2.0]]]).unsqueeze(0)
    assert SpatialContinuityLoss()(response).item() == pytest.approx(1.5)


def test_vertical_and_horizontal_terms_are_separate_means():
    # 3x2 map, one channel: rows (0,0), (3,3), (3,3) -> vertical diffs
    # (3,3,0,0) mean 1.5; horizontal diffs all 0.
    response = torch.tensor([[0.0, 0.0], [3.0, 3.0], [3.0, 3.0]]).reshape(
        1, 1, 3, 2)
    assert SpatialContinuityLoss()(response).item() == pytest.approx(1.5)
    transposed = response.transpose(2, 3)
    assert SpatialContinuityLoss()(transposed).item() == pytest.approx(1.5)


def test_per_image_values_and_gradient():
    response = torch.zeros(2, 1, 2, 2)
    response[1, 0, :, 1] = 1.0
    response.requires_grad_(True)
    loss = SpatialContinuityLoss(loss_weight=3.0)(response, reduction='none')
    assert loss.tolist() == pytest.approx([0.0, 3.0])
    loss.sum().backward()
    assert response.grad[1].abs().sum() > 0


def test_one_pixel_high_map_has_no_vertical_term():
    """A 1 x 3 map: only the two horizontal differences (|1| and |2|, mean
    1.5 over one channel); no NaN from the empty vertical term."""
    response = torch.tensor([[[[0.0, 1.0, 3.0]]]])
    loss = SpatialContinuityLoss()(response)
    assert loss.item() == pytest.approx(1.5)
