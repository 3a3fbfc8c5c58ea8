"""Decode head of DynaSeg: response map, argmax clusters, dynamic loss."""
from typing import Dict, List

import torch
from mmcv.cnn import build_norm_layer
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.registry import MODELS
from torch import Tensor

from ..utils import count_clusters


@MODELS.register_module()
class DynaSegHead(BaseDecodeHead):
    """Linear classifier + BatchNorm giving the normalised response ``r'``.

    ``r' = BN(W x + b)`` maps p-dimensional features to ``q = num_classes``
    channels; the cluster label of a pixel is ``c = argmax r'`` (DynaSeg
    §3.1). Predictions are cluster ids ``0..q-1``, not dataset classes: match
    them to classes for scoring with :class:`UnsupervisedIoUMetric`.

    Training needs no ground truth. For every image ``n`` of the batch the
    loss is ``L_n = L_sim,n + mu_n * L_con,n`` with ``L_sim`` of Eq. 1,
    ``L_con`` of Eq. 2-6 and ``mu_n`` from the dynamic weighting (Eq. 8 FSF,
    Eq. 9 SCF) of that image's ``q'_n``; the batch loss is the mean of
    ``L_n``. The returned dict holds ``loss_sim`` (mean ``L_sim,n``),
    ``loss_con`` (mean ``mu_n * L_con,n``; the two sum to the batch loss) and,
    for logging only, ``con`` (mean unweighted ``L_con,n``), ``mu`` and
    ``q_prime`` (batch means).

    Args:
        loss_sim (dict): Config of the feature-similarity loss.
        loss_con (dict): Config of the spatial-continuity loss.
        weighting (dict): Config of the :class:`DynamicWeight` policy.
        norm_cfg (dict): Normalisation of the response. Defaults to BN.
        dropout_ratio (float): Dropout before the classifier. Defaults to 0.
        **kwargs: ``in_channels`` (p), ``channels`` (p), ``num_classes`` (q)
            and the other arguments of ``BaseDecodeHead``.
    """

    def __init__(self,
                 loss_sim: dict = dict(type='FeatureSimilarityLoss'),
                 loss_con: dict = dict(type='SpatialContinuityLoss'),
                 weighting: dict = dict(type='DynamicWeight', policy='fsf'),
                 norm_cfg: dict = dict(type='BN'),
                 dropout_ratio: float = 0.0,
                 **kwargs) -> None:
        super().__init__(
            loss_decode=[loss_sim, loss_con],
            norm_cfg=norm_cfg,
            dropout_ratio=dropout_ratio,
            **kwargs)
        self.loss_sim, self.loss_con = self.loss_decode
        self.weighting = MODELS.build(weighting)
        self.response_norm = build_norm_layer(norm_cfg, self.out_channels)[1]

    def forward(self, inputs: List[Tensor]) -> Tensor:
        """Return the normalised response ``r'`` of shape (N, q, H, W)."""
        x = self._transform_inputs(inputs)
        return self.response_norm(self.cls_seg(x))

    def loss_by_feat(self, seg_logits: Tensor,
                     batch_data_samples: list) -> Dict[str, Tensor]:
        """Compute the per-image dynamically weighted loss (no ground truth).

        Args:
            seg_logits (Tensor): Response ``r'`` of shape (N, q, H, W).
            batch_data_samples (list): Unused; DynaSeg is label-free.

        Returns:
            dict[str, Tensor]: Loss terms and logged statistics.
        """
        with torch.no_grad():
            q_prime = count_clusters(seg_logits.argmax(dim=1),
                                     self.out_channels)
            mu = self.weighting(q_prime)
        loss_sim = self.loss_sim(seg_logits, reduction='none')
        loss_con = self.loss_con(seg_logits, reduction='none')
        return {
            self.loss_sim.loss_name: loss_sim.mean(),
            self.loss_con.loss_name: (mu * loss_con).mean(),
            'con': loss_con.detach().mean(),
            'mu': mu.mean(),
            'q_prime': q_prime.float().mean(),
        }
