"""Base of the DynaSeg losses: one value per image, then reduced."""
from typing import Optional

from torch import Tensor, nn

REDUCTIONS = ('mean', 'none')


def check_reduction(reduction: str) -> str:
    """Return ``reduction`` if it is one of :data:`REDUCTIONS`, else raise."""
    if reduction not in REDUCTIONS:
        raise ValueError(f'reduction must be one of {REDUCTIONS}, '
                         f'got {reduction!r}')
    return reduction


class PerImageLoss(nn.Module):
    """A loss computed per image; ``'mean'`` averages it over the batch.

    The dynamic weighting needs the loss of every image separately (its
    ``mu`` depends on that image's ``q'``), so subclasses implement
    :meth:`per_image` and this class applies ``loss_weight`` and the
    reduction.

    Args:
        loss_weight (float): Multiplier of the loss. Defaults to 1.0.
        reduction (str): ``'mean'`` over the batch, or ``'none'`` for one
            value per image. Defaults to ``'mean'``.
        loss_name (str): Key of the loss in the loss dict (must contain
            ``'loss'`` for MMEngine to back-propagate it).
    """

    def __init__(self, loss_weight: float, reduction: str,
                 loss_name: str) -> None:
        super().__init__()
        check_reduction(reduction)
        self.loss_weight = loss_weight
        self.reduction = reduction
        self._loss_name = loss_name

    def per_image(self, response: Tensor, *args, **kwargs) -> Tensor:
        """The unweighted loss of each image, shape (N,)."""
        raise NotImplementedError

    def forward(self,
                response: Tensor,
                *args,
                reduction: Optional[str] = None,
                **kwargs) -> Tensor:
        """Compute the loss.

        Args:
            response (Tensor): Normalised response ``r'`` of shape
                (N, q, H, W).
            *args, **kwargs: Further inputs of :meth:`per_image` (e.g. the
                guide of :class:`GuidanceLoss`).
            reduction (str, optional): Overrides ``self.reduction``.

        Returns:
            Tensor: Scalar, or shape (N,) for ``reduction='none'``.
        """
        reduction = check_reduction(reduction or self.reduction)
        loss = self.loss_weight * self.per_image(response, *args, **kwargs)
        return loss.mean() if reduction == 'mean' else loss

    @property
    def loss_name(self) -> str:
        """Name of the loss item in the loss dict."""
        return self._loss_name
