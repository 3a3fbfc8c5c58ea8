"""Decode head of DynaSeg: response map, argmax clusters, dynamic loss."""
from typing import Dict, List, Optional, Sequence

import torch
import torch.nn.functional as F
from mmcv.cnn import build_norm_layer
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.models.utils import resize
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample
from torch import Tensor

from ...utils import GUIDE_KEY, SILHOUETTE_KEY
from ..utils import cluster_labels, count_clusters


@MODELS.register_module()
class DynaSegHead(BaseDecodeHead):
    """Linear classifier + BatchNorm giving the normalised response ``r'``.

    ``r' = BN(W x + b)`` maps p-dimensional features to ``q = num_classes``
    channels; the cluster label of a pixel is ``c = argmax r'`` (DynaSeg
    §3.1). Predictions are cluster ids ``0..q-1``, not dataset classes: match
    them to classes for scoring with :class:`UnsupervisedIoUMetric`.

    Features come either as one full-resolution map (the CNN extractor of
    §3.2.1; ``in_channels`` and ``in_index`` are ints) or as a feature
    pyramid (ResNet-18 + FPN, §3.2.2; ``input_transform='multiple_select'``
    with lists ``in_channels`` and ``in_index``, finest level first). The
    pyramid is fused into one p-dimensional map at the resolution of the
    first selected level (stride 4 for an FPN) by upsampling every level
    to it (bilinear) and summing them, which needs no parameters and keeps
    p channels; the classifier and BN then run at that resolution and the
    response is upsampled (bilinear) to the network input for the losses,
    as ``predict_by_feat`` does for predictions.

    Training needs no ground truth. For every image ``n`` of the batch the
    loss is ``L_n = L_sim,n + mu_n * L_con,n`` with ``L_sim`` of Eq. 1,
    ``L_con`` of Eq. 2-6 and ``mu_n`` from the dynamic weighting (Eq. 8 FSF,
    Eq. 9 SCF) of that image's ``q'_n``; the batch loss is the mean of
    ``L_n``. With ``silhouette_floor=True``, ``q'_n`` is replaced by
    ``max(q'_n, k*_n)`` in the weighting, ``k*_n`` being the image's
    silhouette estimate of its number of segments (§3.3.2) that
    :class:`SilhouetteHook` stores in the data sample's metainfo
    (``'silhouette_k'``). The returned dict holds ``loss_sim`` (mean
    ``L_sim,n``), ``loss_con`` (mean ``mu_n * L_con,n``; the two sum to the
    batch loss) and, for logging only, ``con`` (mean unweighted ``L_con,n``),
    ``mu``, ``q_prime`` (the number of labels, before any floor) and, with
    the floor, ``k_star`` (batch means).

    DynaGuide: with ``loss_guide`` (e.g. ``dict(type='GuidanceLoss')``)
    every image's loss gains ``lambda * L_guide,n`` (``lambda`` = its
    ``loss_weight``), computed against the image's guide pseudo-labels,
    which ``LoadGuidance`` + ``PackGuidedSegInputs`` put in the data
    sample as ``gt_guide`` (PixelData). The guide is padded like the
    image (bottom / right, with the loss's ``ignore_index``) and, if its
    size still differs, resized (nearest) to the response; the dict gains
    ``loss_guide`` (mean ``lambda * L_guide,n``). DynaGuide's
    ``L_sim + (q'/beta) L_spatial + lambda L_guide`` is this head with
    ``loss_con=dict(type='HuberContinuityLoss')``, the FSF weighting
    (``alpha`` = ``beta`` = 15) and ``loss_guide``.

    Args:
        loss_sim (dict): Config of the feature-similarity loss; it gets
            the response's ``log_softmax`` as ``log_probs`` (shared with
            ``loss_guide``), as :class:`FeatureSimilarityLoss` takes it.
        loss_con (dict): Config of the spatial-continuity loss.
        weighting (dict): Config of the :class:`DynamicWeight` policy.
        norm_cfg (dict): Normalisation of the response. Defaults to BN.
        dropout_ratio (float): Dropout before the classifier. Defaults to 0.
        silhouette_floor (bool): Weight with ``max(q', k*)`` instead of
            ``q'``. Defaults to False.
        loss_guide (dict, optional): Config of the guidance loss
            (DynaGuide). Defaults to None (no guidance).
        **kwargs: ``in_channels`` (p, or p per pyramid level), ``channels``
            (p), ``num_classes`` (q) and the other arguments of
            ``BaseDecodeHead``.
    """

    def __init__(self,
                 loss_sim: dict = dict(type='FeatureSimilarityLoss'),
                 loss_con: dict = dict(type='SpatialContinuityLoss'),
                 weighting: dict = dict(type='DynamicWeight', policy='fsf'),
                 norm_cfg: dict = dict(type='BN'),
                 dropout_ratio: float = 0.0,
                 silhouette_floor: bool = False,
                 loss_guide: Optional[dict] = None,
                 **kwargs) -> None:
        if kwargs.get('num_classes', 2) < 2:
            raise ValueError(
                'DynaSegHead needs num_classes (q, the most clusters) >= 2: '
                'with one channel every pixel gets the same cluster; got '
                f"{kwargs['num_classes']}. DynaSeg uses q = 100 (CNN) or the "
                "dataset's number of classes (ResNet-18).")
        super().__init__(
            loss_decode=[loss_sim, loss_con],
            norm_cfg=norm_cfg,
            dropout_ratio=dropout_ratio,
            **kwargs)
        if self.input_transform == 'multiple_select' and any(
                c != self.channels for c in self.in_channels):
            raise ValueError(
                'DynaSegHead sums the levels of a feature pyramid, so every '
                f'level must have channels={self.channels} (p) features; got '
                f'in_channels={self.in_channels}. Set the neck out_channels, '
                'the head in_channels and channels to the same p.')
        self.loss_sim, self.loss_con = self.loss_decode
        self.weighting = MODELS.build(weighting)
        self.response_norm = build_norm_layer(norm_cfg, self.out_channels)[1]
        self.silhouette_floor = silhouette_floor
        self.loss_guide = None if loss_guide is None \
            else MODELS.build(loss_guide)

    def forward(self, inputs: List[Tensor]) -> Tensor:
        """Return the normalised response ``r'`` of shape (N, q, H, W).

        ``H x W`` is the size of the (first selected) feature map.
        """
        x = self._transform_inputs(inputs)
        if self.input_transform == 'multiple_select':
            x = self._fuse_pyramid(x)
        return self.response_norm(self.cls_seg(x))

    def _fuse_pyramid(self, levels: List[Tensor]) -> Tensor:
        """Sum the levels, each upsampled (bilinear) to the first's size."""
        size = levels[0].shape[2:]
        return torch.stack([
            resize(
                level,
                size=size,
                mode='bilinear',
                align_corners=self.align_corners) for level in levels
        ]).sum(dim=0)

    def _to_input_size(
            self, seg_logits: Tensor,
            batch_data_samples: Sequence[SegDataSample]) -> Tensor:
        """Upsample (bilinear) the response to the network input size.

        The size is the samples' ``pad_shape`` (else ``img_shape``), as in
        ``predict_by_feat``; a response of that size, or samples without
        one, leave the response unchanged.
        """
        if not batch_data_samples:
            return seg_logits
        metainfo = batch_data_samples[0].metainfo
        size = metainfo.get('pad_shape', metainfo.get('img_shape'))
        if size is None or tuple(size[:2]) == tuple(seg_logits.shape[2:]):
            return seg_logits
        return resize(
            seg_logits,
            size=tuple(size[:2]),
            mode='bilinear',
            align_corners=self.align_corners)

    @staticmethod
    def _silhouette_k(batch_data_samples: Sequence[SegDataSample]) -> Tensor:
        """``k*`` of every image, from the data samples' metainfo."""
        if not batch_data_samples or any(
                SILHOUETTE_KEY not in sample.metainfo
                for sample in batch_data_samples):
            raise ValueError(
                "DynaSegHead(silhouette_floor=True) weights with max(q', k*) "
                "and reads k* from each data sample's metainfo "
                f"'{SILHOUETTE_KEY}', which SilhouetteHook writes; it is "
                "missing. Add custom_hooks = [dict(type='SilhouetteHook')] "
                'to the config, or set '
                'model.decode_head.silhouette_floor=False.')
        return torch.tensor([
            int(sample.metainfo[SILHOUETTE_KEY])
            for sample in batch_data_samples
        ])

    def _guides(self, seg_logits: Tensor,
                batch_data_samples: Sequence[SegDataSample]) -> Tensor:
        """The samples' guide labels at the response size, (N, H, W)."""
        if len(batch_data_samples) != len(seg_logits) or any(
                GUIDE_KEY not in sample for sample in batch_data_samples):
            raise ValueError(
                'DynaSegHead(loss_guide=...) reads the guide pseudo-labels '
                f"of each data sample ('{GUIDE_KEY}'); they are missing. "
                'Add the guidance transforms to the training pipeline: '
                "dict(type='LoadGuidance', guide=dict(type="
                "'KMeansColorGuide')) right after the image loading, and "
                "dict(type='PackGuidedSegInputs') instead of "
                "PackSegInputs; or set model.decode_head.loss_guide=None.")
        size = seg_logits.shape[2:]
        ignore = self.loss_guide.ignore_index
        guides = []
        for sample in batch_data_samples:
            guide = sample.get(GUIDE_KEY).data.to(seg_logits.device)
            img_shape = sample.metainfo.get('img_shape')
            if img_shape is not None and tuple(
                    guide.shape[1:]) == tuple(img_shape[:2]):
                guide = F.pad(
                    guide, (0, size[1] - guide.shape[2], 0,
                            size[0] - guide.shape[1]),
                    value=ignore)
            if tuple(guide.shape[1:]) != tuple(size):
                guide = resize(
                    guide[None].float(), size=tuple(size),
                    mode='nearest')[0].long()
            guides.append(guide[0])
        return torch.stack(guides)

    def dynamic_loss(self,
                     seg_logits: Tensor,
                     k_star: Optional[Tensor] = None,
                     guide_target: Optional[Tensor] = None
                     ) -> Dict[str, Tensor]:
        """``L_sim + mu(q') L_con`` (+ ``lambda L_guide``) of every image,
        from tensors alone.

        Eq. 1 and Eq. 6 (or the configured continuity loss) weighted by
        Eq. 8 / 9 of each image's ``q'`` (``max(q', k*)`` when ``k_star`` is
        given) and, given the guide's matched targets, DynaGuide's
        ``lambda L_guide``; the two cross-entropies share one
        ``log_softmax``. It reads no data sample, so
        :class:`PerImageDynaSeg` can ``torch.compile`` it with the network.

        Args:
            seg_logits (Tensor): Response ``r'`` at the input size,
                (N, q, H, W), any float dtype and memory format: the losses
                run on a float32, contiguous copy (much faster for the
                spatial differences than channels-last).
            k_star (Tensor, optional): ``k*`` per image, (N,), for the
                silhouette floor.
            guide_target (Tensor, optional): The guide's pseudo-labels
                matched to the clusters, (N, H, W) (:meth:`guide_target`).

        Returns:
            dict[str, Tensor]: ``loss_sim``, ``loss_con``, ``con``, ``mu``,
            ``q_prime``, with ``k_star`` ``k_star`` (class docstring) and
            with ``guide_target`` ``loss_guide`` (batch mean).
        """
        seg_logits = seg_logits.float().contiguous()
        with torch.no_grad():
            q_prime = count_clusters(
                cluster_labels(seg_logits), self.out_channels)
            weighted = q_prime if k_star is None else torch.maximum(
                q_prime, k_star.to(q_prime))
            mu = self.weighting(weighted)
        log_probs = F.log_softmax(seg_logits, dim=1)
        loss_sim = self.loss_sim(
            seg_logits, reduction='none', log_probs=log_probs)
        loss_con = self.loss_con(seg_logits, reduction='none')
        losses = {
            self.loss_sim.loss_name: loss_sim.mean(),
            self.loss_con.loss_name: (mu * loss_con).mean(),
            'con': loss_con.detach().mean(),
            'mu': mu.mean(),
            'q_prime': q_prime.float().mean(),
        }
        if k_star is not None:
            losses['k_star'] = k_star.float().mean()
        if guide_target is not None:
            losses[self.loss_guide.loss_name] = self.loss_guide(
                seg_logits,
                target=guide_target,
                log_probs=log_probs,
                reduction='mean')
        return losses

    def guide_target(self, seg_logits: Tensor,
                     batch_data_samples: Sequence[SegDataSample]) -> Tensor:
        """The samples' ``gt_guide`` matched to the clusters of
        ``seg_logits`` (the response at the input size), (N, H, W), for
        :meth:`dynamic_loss`; no gradient."""
        return self.loss_guide.batch_targets(
            seg_logits.detach().float().contiguous(),
            self._guides(seg_logits, batch_data_samples),
            keys=[s.metainfo.get('img_path') for s in batch_data_samples])

    def loss_by_feat(
            self, seg_logits: Tensor,
            batch_data_samples: Sequence[SegDataSample]
    ) -> Dict[str, Tensor]:
        """Compute the per-image dynamically weighted loss (no ground truth).

        Args:
            seg_logits (Tensor): Response ``r'`` of shape (N, q, h, w); when
                smaller than the network input (pyramid features) it is
                first upsampled to it (see :meth:`_to_input_size`).
            batch_data_samples (Sequence[SegDataSample]): Their metainfo
                gives the input size and, with ``silhouette_floor``, ``k*``;
                with ``loss_guide`` their ``gt_guide`` gives the guide. No
                ground truth is read. May be empty without the floor and
                the guide.

        Returns:
            dict[str, Tensor]: Loss terms and logged statistics
            (:meth:`dynamic_loss`, plus ``loss_guide`` with the guide).
        """
        seg_logits = self._to_input_size(seg_logits, batch_data_samples)
        k_star = self._silhouette_k(batch_data_samples).to(
            seg_logits.device) if self.silhouette_floor else None
        guide_target = None if self.loss_guide is None else \
            self.guide_target(seg_logits, batch_data_samples)
        return self.dynamic_loss(seg_logits, k_star, guide_target)
