"""neighbour_penalty: the fused continuity arithmetic of both losses."""
import pytest
import torch
import torch.nn.functional as F

from mmdynaseg.models.losses._functional import (DOWN, DOWN_LEFT, DOWN_RIGHT,
                                                 RIGHT, neighbour_penalty)

# each direction and its (row, column) shift
SHIFTS = ((RIGHT, (0, 1)), (DOWN, (1, 0)), (DOWN_RIGHT, (1, 1)),
          (DOWN_LEFT, (1, -1)))
ALL_DIRECTIONS = tuple(direction for direction, _ in SHIFTS)


def through_slices(response, delta):
    """The plain autograd version: one slice difference per shift."""
    height, width = response.shape[2:]
    loss = response.new_zeros(response.shape[0])
    for _, (dy, dx) in SHIFTS:
        ahead = response[:, :, dy:, max(dx, 0):width + min(dx, 0)]
        behind = response[:, :, :height - dy, max(-dx, 0):width - max(dx, 0)]
        diff = ahead - behind
        if diff.numel():
            penalty = diff.abs() if delta is None else F.huber_loss(
                diff, torch.zeros_like(diff), reduction='none', delta=delta)
            loss = loss + penalty.flatten(1).mean(dim=1)
    return loss


def test_l1_gradient_by_hand():
    """[[0, .5], [0, 3]]: right diffs .5, 3 and down diffs 0, 2.5, each
    term a mean of 2 (slope sign(x) / 2, 0 at x = 0):
    grad = [[-.5, .5 - .5], [-.5 + 0, .5 + .5]]."""
    response = torch.tensor([[[[0.0, 0.5], [0.0, 3.0]]]], requires_grad=True)
    loss = neighbour_penalty(response, (DOWN, RIGHT))
    assert loss.tolist() == pytest.approx([(0.5 + 3) / 2 + 2.5 / 2])
    loss.sum().backward()
    assert response.grad[0, 0].tolist() == [[-0.5, 0.0], [-0.5, 1.0]]


def test_huber_gradient_by_hand():
    """Same map, delta 1: slope clamp(x, -1, 1), right .5 and 1, down 0
    and 1 (each / 2); down-right 3 (1), down-left -.5 (one pair each)."""
    response = torch.tensor([[[[0.0, 0.5], [0.0, 3.0]]]], requires_grad=True)
    neighbour_penalty(response, ALL_DIRECTIONS, 1.0).sum().backward()
    # (0,0): -.25 (right) - 0 (down) - 1 (down-right)
    # (0,1): +.25 (right) - .5 (down) - (-.5) (down-left, behind)
    # (1,0): -.5 (right) + 0 (down) + (-.5) (down-left, ahead)
    # (1,1): +.5 (right) + .5 (down) + 1 (down-right)
    assert response.grad[0, 0].tolist() == [[-1.25, 0.25], [-1.0, 2.0]]


@pytest.mark.parametrize('delta', [None, 1.0, 0.3])
@pytest.mark.parametrize('shape', [(2, 3, 5, 7), (1, 2, 1, 4), (1, 1, 3, 1)])
def test_same_value_and_gradient_as_autograd_through_slices(delta, shape):
    generator = torch.Generator().manual_seed(0)
    response = torch.randn(shape, generator=generator, dtype=torch.float64)
    weights = torch.rand(shape[0], generator=generator, dtype=torch.float64)
    grads = []
    for function in (
            lambda r: neighbour_penalty(r, ALL_DIRECTIONS, delta),
            lambda r: through_slices(r, delta)):
        live = response.clone().requires_grad_(True)
        loss = function(live)
        (weights * loss).sum().backward()  # a different weight per image
        grads.append((loss.detach(), live.grad))
    torch.testing.assert_close(grads[0][0], grads[1][0])
    torch.testing.assert_close(grads[0][1], grads[1][1])


def test_gradcheck():
    generator = torch.Generator().manual_seed(1)
    response = torch.randn(2, 2, 4, 5, generator=generator,
                           dtype=torch.float64).requires_grad_(True)
    assert torch.autograd.gradcheck(
        lambda r: neighbour_penalty(r, ALL_DIRECTIONS, 0.5), (response, ))
