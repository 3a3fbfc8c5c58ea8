"""Feature-similarity loss of DynaSeg (Eq. 1)."""
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

    def per_image(self, response: Tensor) -> Tensor:
        """Mean cross-entropy of each image's pixels, shape (N,)."""
        per_pixel = F.cross_entropy(
            response, cluster_labels(response), reduction='none')
        return per_pixel.flatten(1).mean(dim=1)
