"""Spatial-continuity loss of DynaSeg (Eq. 2-6)."""
from mmseg.registry import MODELS
from torch import Tensor

from ._functional import DOWN, RIGHT, neighbour_penalty
from .per_image_loss import PerImageLoss


@MODELS.register_module()
class SpatialContinuityLoss(PerImageLoss):
    """L1 norm of horizontal and vertical response differences (Eq. 2-6).

    For a response map ``r'`` of size W x H (Eq. 2-5 define the vertical and
    horizontal differences ``r'_{x+1,y} - r'_{x,y}`` and
    ``r'_{x,y+1} - r'_{x,y}``), Eq. 6 is::

        L_con = mean |r'_{x+1,y} - r'_{x,y}| + mean |r'_{x,y+1} - r'_{x,y}|

    Each mean is over its own differences and all q channels, as in the
    reference implementation's ``L1Loss`` against zeros; a direction with
    no pairs (a map one pixel high or wide) contributes 0, not NaN. Unlike
    the published COCO code, the term is computed on the live response, so
    its gradient reaches the whole network.

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
        super().__init__(loss_weight, reduction, loss_name)

    def per_image(self, response: Tensor) -> Tensor:
        """Eq. 6 for each image, shape (N,)."""
        return neighbour_penalty(response, (DOWN, RIGHT))
