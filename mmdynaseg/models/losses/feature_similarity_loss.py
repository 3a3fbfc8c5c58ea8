"""Feature-similarity loss of DynaSeg (Eq. 1)."""
from typing import Optional

import torch.nn.functional as F
from mmseg.registry import MODELS
from torch import Tensor

from ..utils import cluster_labels
from .per_image_loss import PerImageLoss


@MODELS.register_module()
class FeatureSimilarityLoss(PerImageLoss):
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
        loss_name (str): Key of the loss in the loss dict. Defaults to
            ``'loss_sim'``.
    """

    def __init__(self,
                 loss_weight: float = 1.0,
                 reduction: str = 'mean',
                 loss_name: str = 'loss_sim') -> None:
        super().__init__(loss_weight, reduction, loss_name)

    def per_image(self,
                  response: Tensor,
                  log_probs: Optional[Tensor] = None) -> Tensor:
        """Mean cross-entropy of each image's pixels, shape (N,).

        Args:
            response (Tensor): Normalised response ``r'``, (N, q, H, W).
            log_probs (Tensor, optional): ``log_softmax(r', dim=1)`` if
                already computed (:meth:`DynaSegHead.dynamic_loss` shares
                it with the guidance loss).
        """
        if log_probs is None:
            log_probs = F.log_softmax(response, dim=1)
        per_pixel = F.nll_loss(
            log_probs, cluster_labels(response), reduction='none')
        return per_pixel.flatten(1).mean(dim=1)
