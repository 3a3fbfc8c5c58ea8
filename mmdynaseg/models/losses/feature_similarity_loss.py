"""Feature-similarity loss of DynaSeg (Eq. 1)."""
import torch
import torch.nn.functional as F
from mmseg.registry import MODELS
from torch import Tensor

from .utils import reduce_per_image


@MODELS.register_module()
class FeatureSimilarityLoss(torch.nn.Module):
    """Cross-entropy between the response map and its own argmax (Eq. 1).

    ``L_sim = 1/N sum_n CE(r'_n, c_n)`` with ``c_n = argmax_i r'_{n,i}``: it
    pulls every pixel's normalised response towards the cluster it already
    votes for, so pixels with similar features end up in the same cluster.
    The pseudo-target ``c`` carries no gradient (argmax), the response does.

    Args:
        loss_weight (float): Multiplier of the loss. Defaults to 1.0.
        reduction (str): ``'mean'`` over the batch, or ``'none'`` for one value
            per image (what the dynamic weighting needs). Defaults to
            ``'mean'``.
        loss_name (str): Key of the loss in the loss dict (must contain
            ``'loss'`` for MMEngine to back-propagate it). Defaults to
            ``'loss_sim'``.
    """

    def __init__(self,
                 loss_weight: float = 1.0,
                 reduction: str = 'mean',
                 loss_name: str = 'loss_sim') -> None:
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
        target = response.argmax(dim=1).detach()
        per_pixel = F.cross_entropy(response, target, reduction='none')
        per_image = per_pixel.flatten(1).mean(dim=1)
        return self.loss_weight * reduce_per_image(
            per_image, reduction or self.reduction)

    @property
    def loss_name(self) -> str:
        """Name of the loss item in the loss dict."""
        return self._loss_name
