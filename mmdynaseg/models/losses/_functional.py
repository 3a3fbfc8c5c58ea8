"""Penalty on neighbouring response differences, with a fused backward."""
from typing import Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor
from torch.autograd.function import once_differentiable

# A neighbour direction: the (row, column) slices of the pixels ``p + d``
# and of the pixels ``p``; the difference is ``r'[p + d] - r'[p]``.
Direction = Tuple[Tuple[slice, slice], Tuple[slice, slice]]
ALL, NOT_FIRST, NOT_LAST = slice(None), slice(1, None), slice(None, -1)
RIGHT: Direction = ((ALL, NOT_FIRST), (ALL, NOT_LAST))
DOWN: Direction = ((NOT_FIRST, ALL), (NOT_LAST, ALL))
DOWN_RIGHT: Direction = ((NOT_FIRST, NOT_FIRST), (NOT_LAST, NOT_LAST))
DOWN_LEFT: Direction = ((NOT_FIRST, NOT_LAST), (NOT_LAST, NOT_FIRST))


def _difference(response: Tensor, direction: Direction) -> Tensor:
    """``r'[p + d] - r'[p]`` over every pixel pair of the direction."""
    ahead, behind = direction
    return response[(..., *ahead)] - response[(..., *behind)]


def _penalty(difference: Tensor, delta: Optional[float]) -> Tensor:
    """``|x|`` (``delta`` None) or the Huber penalty of ``x``."""
    if delta is None:
        return difference.abs()
    zero = difference.new_zeros(()).expand_as(difference)
    return F.huber_loss(difference, zero, reduction='none', delta=delta)


class _NeighbourPenalty(torch.autograd.Function):
    """:func:`neighbour_penalty`; the backward writes every direction's
    gradient into one tensor instead of autograd's full-size gradient per
    slice."""

    @staticmethod
    def forward(ctx, response: Tensor, directions: Sequence[Direction],
                delta: Optional[float]) -> Tensor:
        ctx.save_for_backward(response)
        ctx.directions, ctx.delta = directions, delta
        loss = response.new_zeros(response.shape[0])
        for direction in directions:
            difference = _difference(response, direction)
            if difference.numel():
                loss = loss + _penalty(difference,
                                       delta).flatten(1).mean(dim=1)
        return loss

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_loss: Tensor) -> Tuple[Tensor, None, None]:
        (response, ) = ctx.saved_tensors
        grad = torch.zeros_like(response)
        for direction in ctx.directions:
            difference = _difference(response, direction)
            if not difference.numel():
                continue
            # d|x|/dx = sign(x) (0 at 0); Huber: clamp(x, -delta, delta)
            slope = difference.sign_() if ctx.delta is None else \
                difference.clamp_(-ctx.delta, ctx.delta)
            slope.mul_((grad_loss / difference[0].numel()).view(-1, 1, 1, 1))
            ahead, behind = direction
            grad[(..., *ahead)] += slope
            grad[(..., *behind)] -= slope
        return grad, None, None


def neighbour_penalty(response: Tensor,
                      directions: Sequence[Direction],
                      delta: Optional[float] = None) -> Tensor:
    """Sum over directions of the mean penalty of neighbour differences.

    ``sum_d mean P(r'_{p + d} - r'_p)`` per image, each mean over its own
    pixel pairs and all channels (a direction without pairs adds 0), with
    ``P(x) = |x|`` (DynaSeg's Eq. 6) or, given ``delta``, the Huber penalty
    (DynaGuide). The same value and gradient as autograd through the
    slices (up to float rounding); for DynaGuide's Huber term at
    240 x 160 x 100 on an AVX2 CPU, about half the time.

    Args:
        response (Tensor): Response ``r'``, (N, q, H, W).
        directions (Sequence[Direction]): E.g. ``(RIGHT, DOWN)``.
        delta (float, optional): Huber threshold; None for ``|x|``.

    Returns:
        Tensor: Shape (N,).
    """
    return _NeighbourPenalty.apply(response, tuple(directions), delta)
