"""Helpers shared by the DynaSeg losses."""
from torch import Tensor

REDUCTIONS = ('mean', 'none')


def reduce_per_image(per_image: Tensor, reduction: str) -> Tensor:
    """Reduce a per-image loss vector of shape (N,).

    Args:
        per_image (Tensor): One loss value per image.
        reduction (str): ``'mean'`` (scalar) or ``'none'`` (unchanged).

    Returns:
        Tensor: The reduced loss.
    """
    if reduction == 'mean':
        return per_image.mean()
    if reduction == 'none':
        return per_image
    raise ValueError(f'reduction must be one of {REDUCTIONS}, '
                     f'got {reduction!r}')
