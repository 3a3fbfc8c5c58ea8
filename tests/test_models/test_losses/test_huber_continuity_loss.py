import pytest
import torch
from mmseg.registry import MODELS

import mmdynaseg  # noqa: F401  (registers the loss)
from mmdynaseg.models.losses import HuberContinuityLoss

# one channel, 2 x 2: right diffs 0.5, 3; down diffs 0, 2.5;
# down-right 3 - 0 = 3; down-left 0 - 0.5 = -0.5
MAP = torch.tensor([[0.0, 0.5], [0.0, 3.0]]).reshape(1, 1, 2, 2)


def test_exact_value_with_diagonals():
    # delta 1: H(0.5) = 0.125, H(3) = 2.5, H(2.5) = 2.0, H(0) = 0
    # right (0.125 + 2.5) / 2 + down (0 + 2) / 2 + 2.5 + 0.125
    loss = HuberContinuityLoss()(MAP)
    assert loss.item() == pytest.approx(1.3125 + 1.0 + 2.5 + 0.125)


def test_exact_value_without_diagonals():
    loss = HuberContinuityLoss(diagonals=False)(MAP)
    assert loss.item() == pytest.approx(1.3125 + 1.0)


def test_delta_moves_the_quadratic_part():
    # delta 2: H(0.5) = 0.125, H(3) = 2 (3 - 1) = 4, H(2.5) = 3
    loss = HuberContinuityLoss(delta=2.0)(MAP)
    assert loss.item() == pytest.approx(2.0625 + 1.5 + 4.0 + 0.125)
    loss = HuberContinuityLoss(delta=2.0, diagonals=False)(MAP)
    assert loss.item() == pytest.approx(2.0625 + 1.5)


def test_each_term_is_a_mean_over_its_own_differences():
    # 2 x 3, one vertical step of 1 between the rows, two channels (one
    # flat): right 0 over 8 diffs; down 1 on 3 of 6; each diagonal 1 on 2
    # of 4 -> 0 + 0.5 * 3 / 6 + 0.5 * 2 / 4 + 0.5 * 2 / 4
    response = torch.zeros(1, 2, 2, 3)
    response[0, 0, 1] = 1.0
    assert HuberContinuityLoss()(response).item() == pytest.approx(0.75)


def test_one_pixel_high_map_uses_right_differences_only():
    response = torch.tensor([0.0, 1.0, 1.0]).reshape(1, 1, 1, 3)
    # right diffs 1, 0 -> (0.5 + 0) / 2; no down or diagonal pairs
    assert HuberContinuityLoss()(response).item() == pytest.approx(0.25)


def test_per_image_values_weight_and_gradient():
    response = torch.cat([torch.zeros_like(MAP), MAP]).requires_grad_(True)
    loss = HuberContinuityLoss(
        diagonals=False, loss_weight=2.0)(response, reduction='none')
    assert loss.tolist() == pytest.approx([0.0, 2 * 2.3125])
    loss.sum().backward()
    assert response.grad[1].abs().sum() > 0


def test_registered_and_checks_delta():
    loss = MODELS.build(dict(type='HuberContinuityLoss', delta=0.5))
    assert isinstance(loss, HuberContinuityLoss) and loss.delta == 0.5
    assert loss.loss_name == 'loss_con'
    with pytest.raises(ValueError, match='delta'):
        HuberContinuityLoss(delta=0)
