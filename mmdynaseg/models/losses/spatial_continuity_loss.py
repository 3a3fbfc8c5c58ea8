"""Spatial-continuity loss of DynaSeg (Eq. 2-6)."""
import torch
from mmseg.registry import MODELS
from torch import Tensor

from .utils import reduce_per_image


@MODELS.register_module()
class SpatialContinuityLoss(torch.nn.Module):
    """L1 norm of horizontal and vertical response differences (Eq. 2-6).

    For a response map ``r'`` of size W x H (Eq. 2-5 define the vertical and
    horizontal differences ``r'_{x+1,y} - r'_{x,y}`` and
    ``r'_{x,y+1} - r'_{x,y}``), Eq. 6 is::

        L_con = mean |r'_{x+1,y} - r'_{x,y}| + mean |r'_{x,y+1} - r'_{x,y}|

    Each mean is over its own differences and all q channels, as in the
    reference implementation's ``L1Loss`` against zeros. Unlike the published
    COCO code, the term is computed on the live response, so its gradient
    reaches the whole network.

    Args:
        loss_weight (float): Multiplier of the loss. Defaults to 1.0.
        reduction (str): ``'mean'`` over the batch or ``'none'`` for one value
            per image. Defaults to ``'mean'``.
        loss_name (str): Key of the loss in the loss dict. Defaults to
            ``'loss_con'``.
    """

    def __init__(self,
                 loss_weight: float = 1.0,
                 reduction: str = 'mean',
                 loss_name: str = 'loss_con') -> None:
        super().__init__()
        self.loss_weight = loss_weight
        self.reduction = reduction
        self._loss_name = loss_name

    def forward(self, response: Tensor, reduction: str = None) -> Tensor:
        """Compute the loss.

        Args:
            response (Tensor): Normalised response ``r'`` of shape (N, q, H, W).
            reduction (str, optional): Overrides ``self.reduction``.

        Returns:
            Tensor: Scalar, or shape (N,) for ``reduction='none'``.
        """
        vertical = response[:, :, 1:, :] - response[:, :, :-1, :]
        horizontal = response[:, :, :, 1:] - response[:, :, :, :-1]
        per_image = (vertical.abs().flatten(1).mean(dim=1) +
                     horizontal.abs().flatten(1).mean(dim=1))
        return self.loss_weight * reduce_per_image(
            per_image, reduction or self.reduction)

    @property
    def loss_name(self) -> str:
        """Name of the loss item in the loss dict."""
        return self._loss_name
