"""Huber spatial-continuity loss of DynaGuide."""
from mmseg.registry import MODELS
from torch import Tensor

from ._functional import DOWN, DOWN_LEFT, DOWN_RIGHT, RIGHT, neighbour_penalty
from .per_image_loss import PerImageLoss


@MODELS.register_module()
class HuberContinuityLoss(PerImageLoss):
    """Huber penalty on neighbouring response differences (DynaGuide).

    DynaGuide (Guermazi, Khan, Ksantini 2026) replaces DynaSeg's L1
    continuity (Eq. 6) by a Huber (smooth-L1) penalty, quadratic for small
    differences and linear for large ones, over more neighbours::

        L_spatial = sum_d mean H_delta(r'_{p + d} - r'_p)

    with ``d`` the right, down, and (``diagonals=True``) down-right and
    down-left neighbours, ``H_delta(x) = x^2 / 2`` for ``|x| < delta`` and
    ``delta (|x| - delta / 2)`` otherwise
    (``torch.nn.functional.huber_loss`` against zero). Each mean is over
    its own differences and all q channels; the terms are summed. A
    direction with no pairs (a map one pixel high or wide) contributes 0.

    Usable in any DynaSeg config as
    ``model.decode_head.loss_con=dict(type='HuberContinuityLoss')``.

    Args:
        delta (float): Threshold between the quadratic and the linear part,
            > 0. Defaults to 1.0.
        diagonals (bool): Add the two diagonal neighbours. Defaults to True.
        loss_weight (float): Multiplier of the loss. Defaults to 1.0.
        reduction (str): ``'mean'`` over the batch or ``'none'`` for one
            value per image. Defaults to ``'mean'``.
        loss_name (str): Key of the loss in the loss dict. Defaults to
            ``'loss_con'``.
    """

    def __init__(self,
                 delta: float = 1.0,
                 diagonals: bool = True,
                 loss_weight: float = 1.0,
                 reduction: str = 'mean',
                 loss_name: str = 'loss_con') -> None:
        super().__init__(loss_weight, reduction, loss_name)
        if delta <= 0:
            raise ValueError(f'delta must be > 0, got {delta}.')
        self.delta = float(delta)
        self.diagonals = diagonals

    def per_image(self, response: Tensor) -> Tensor:
        """``L_spatial`` of each image, shape (N,)."""
        directions = (RIGHT, DOWN) + ((DOWN_RIGHT, DOWN_LEFT)
                                      if self.diagonals else ())
        return neighbour_penalty(response, directions, self.delta)

    def extra_repr(self) -> str:
        """Delta and neighbourhood, for ``print(model)``."""
        return f'delta={self.delta}, diagonals={self.diagonals}'
