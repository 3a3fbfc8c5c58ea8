"""Guidance loss of DynaGuide: cross-entropy to matched pseudo-labels."""
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from mmseg.registry import MODELS
from torch import Tensor

from ...utils import IGNORE_INDEX, max_overlap_matching
from ..utils import cluster_labels
from .per_image_loss import PerImageLoss

Mapping = Tuple[np.ndarray, np.ndarray]  # (pseudo-labels, their clusters)


def match_pseudo_labels(guide: Tensor, clusters: Tensor,
                        ignore_index: int) -> Mapping:
    """Map each pseudo-label of a guide to a current cluster.

    The overlap matrix ``O[p, k]`` counts the pixels with pseudo-label
    ``p`` and cluster ``k`` (``ignore_index`` pixels left out); the
    assignment maximising the total overlap
    (:func:`mmdynaseg.utils.max_overlap_matching`) gives every pseudo-label
    its own cluster. When there are more pseudo-labels than clusters
    (e.g. superpixels), the pseudo-labels the assignment leaves out are
    mapped to the cluster they overlap most, as Kanezaki (2018) refines
    clusters with superpixels; ignoring them instead would drop most
    pixels from the loss. Pseudo-label and cluster ids need not be in any
    order: sorting both and pairing them by index (the published code)
    pairs unrelated regions.

    Args:
        guide (Tensor): (H, W) integer pseudo-labels.
        clusters (Tensor): (H, W) current cluster ids (argmax of r').
        ignore_index (int): Pseudo-label of pixels without guidance.

    Returns:
        tuple[np.ndarray, np.ndarray]: The pseudo-labels present and the
        cluster each is mapped to (both empty if every pixel is ignored).
    """
    valid = guide != ignore_index
    labels, label_index = torch.unique(guide[valid], return_inverse=True)
    if not len(labels):
        return labels.cpu().numpy(), labels.cpu().numpy()
    ids, cluster_index = torch.unique(clusters[valid], return_inverse=True)
    overlap = torch.bincount(
        label_index * len(ids) + cluster_index,
        minlength=len(labels) * len(ids)).reshape(len(labels), len(ids))
    overlap = overlap.cpu().numpy()
    ids = ids.cpu().numpy()
    matched = max_overlap_matching(overlap.T)  # a cluster per label
    unmatched = matched < 0
    matched[unmatched] = overlap[unmatched].argmax(axis=1)
    return labels.cpu().numpy(), ids[matched]


def pair_pseudo_labels_by_index(guide: Tensor, clusters: Tensor,
                                ignore_index: int) -> Mapping:
    """Map pseudo-labels to clusters by sorted index, as published.

    The published DynaGuide code (``losses.py``,
    ``global_guidance_loss``) pairs the ``i``-th smallest pseudo-label
    with the ``(i mod K)``-th smallest current cluster id, whatever
    regions they cover. Arguments and result as
    :func:`match_pseudo_labels`.
    """
    valid = guide != ignore_index
    labels = torch.unique(guide[valid]).cpu().numpy()
    ids = torch.unique(clusters[valid]).cpu().numpy()
    if not len(labels):
        return labels, labels
    return labels, ids[np.arange(len(labels)) % len(ids)]


MATCHINGS = dict(
    overlap=match_pseudo_labels, index=pair_pseudo_labels_by_index)


@MODELS.register_module()
class GuidanceLoss(PerImageLoss):
    """Cross-entropy between the response and matched guide pseudo-labels.

    DynaGuide's guidance term ``L_guide``: the guide (an external
    segmentation of the image, e.g. colour k-means or superpixels) says
    which pixels belong together, but its label ids mean nothing to the
    network. Each image's pseudo-labels are therefore first mapped to the
    network's current clusters ``argmax r'`` by maximum-overlap Hungarian
    matching (:func:`match_pseudo_labels`), and ``L_guide,n`` is the mean
    cross-entropy ``CE(r'_n, map(g_n))`` over the image's pixels whose
    pseudo-label is not ``ignore_index`` (0 for an image without any).
    The full DynaGuide loss is ``L_sim + (q'/beta) L_spatial + lambda
    L_guide`` (``lambda`` = ``loss_weight``), which :class:`DynaSegHead`
    computes with ``loss_guide=dict(type='GuidanceLoss')``.

    Matching costs a transfer to the CPU per image, so the mapping of an
    image is cached by its key (the data sample's ``img_path``) and
    recomputed every ``remap_interval`` calls for that key, or earlier when
    a pseudo-label without a mapping appears (a crop that showed only part
    of the image before). Calls without keys always match.

    Args:
        matching (str): ``'overlap'`` (the Hungarian matching above) or
            ``'index'``: the published code's pairing of the sorted
            pseudo-labels with the sorted clusters by index
            (:func:`pair_pseudo_labels_by_index`), which pairs unrelated
            regions. Defaults to ``'overlap'``.
        remap_interval (int): Recompute an image's mapping every this many
            calls, >= 1. Defaults to 1 (every call).
        ignore_index (int): Pseudo-label of pixels without guidance.
            Defaults to 255.
        loss_weight (float): ``lambda``. Defaults to 1.0.
        reduction (str): ``'mean'`` over the batch or ``'none'`` for one
            value per image. Defaults to ``'mean'``.
        loss_name (str): Key of the loss in the loss dict. Defaults to
            ``'loss_guide'``.
    """

    def __init__(self,
                 matching: str = 'overlap',
                 remap_interval: int = 1,
                 ignore_index: int = IGNORE_INDEX,
                 loss_weight: float = 1.0,
                 reduction: str = 'mean',
                 loss_name: str = 'loss_guide') -> None:
        super().__init__(loss_weight, reduction, loss_name)
        if matching not in MATCHINGS:
            raise ValueError(f'matching must be one of {tuple(MATCHINGS)}, '
                             f'got {matching!r}.')
        if remap_interval < 1:
            raise ValueError(
                f'remap_interval must be >= 1, got {remap_interval}.')
        self.matching = matching
        self.remap_interval = remap_interval
        self.ignore_index = ignore_index
        self._mappings: Dict[str, Mapping] = {}
        self._calls: Dict[str, int] = {}

    def mapping(self, guide: Tensor, clusters: Tensor,
                key: Optional[str]) -> Mapping:
        """The image's pseudo-label mapping, from the cache when valid."""
        match = MATCHINGS[self.matching]
        if key is None:
            return match(guide, clusters, self.ignore_index)
        calls = self._calls.get(key, 0)  # calls since the last matching
        cached = self._mappings.get(key)
        present = torch.unique(guide[guide != self.ignore_index])
        if (cached is None or calls >= self.remap_interval
                or not np.isin(present.cpu().numpy(), cached[0]).all()):
            cached = match(guide, clusters, self.ignore_index)
            self._mappings[key] = cached
            calls = 0
        self._calls[key] = calls + 1
        return cached

    def targets(self, guide: Tensor, clusters: Tensor,
                key: Optional[str]) -> Tensor:
        """Cluster-id targets of one image, ``ignore_index`` kept."""
        labels, mapped = self.mapping(guide, clusters, key)
        valid = guide != self.ignore_index
        # a cached mapping may hold labels a crop leaves out of this guide
        lookup = guide.new_zeros(int(labels.max()) + 1 if len(labels) else 1)
        lookup[torch.from_numpy(labels).to(guide)] = torch.from_numpy(
            mapped).to(guide)
        return torch.where(valid, lookup[guide.where(valid, 0)],
                           guide.new_tensor(self.ignore_index))

    def batch_targets(self,
                      response: Tensor,
                      guide: Tensor,
                      keys: Optional[Sequence[Optional[str]]] = None
                      ) -> Tensor:
        """The matched cluster-id targets of a batch, (N, H, W).

        Args:
            response (Tensor): Normalised response ``r'``, (N, q, H, W);
                only its argmax is read (no gradient).
            guide (Tensor): Pseudo-labels, (N, H, W) integers.
            keys (Sequence[str | None], optional): Cache key of every image
                (its path); None for no caching.
        """
        if guide.shape != response.shape[:1] + response.shape[2:]:
            raise ValueError(
                f'guide of shape {tuple(guide.shape)} does not match the '
                f'response of shape {tuple(response.shape)}.')
        guide = guide.long()
        keys = keys or [None] * len(guide)
        with torch.no_grad():
            clusters = cluster_labels(response)
            return torch.stack([
                self.targets(*args) for args in zip(guide, clusters, keys)
            ])

    def per_image(self,
                  response: Tensor,
                  guide: Optional[Tensor] = None,
                  keys: Optional[Sequence[Optional[str]]] = None,
                  target: Optional[Tensor] = None,
                  log_probs: Optional[Tensor] = None) -> Tensor:
        """Unweighted ``L_guide`` of each image, shape (N,).

        Args:
            response (Tensor): Normalised response ``r'``, (N, q, H, W).
            guide (Tensor, optional): Pseudo-labels, (N, H, W) integers,
                matched to the clusters here (:meth:`batch_targets`).
            keys (Sequence[str | None], optional): Cache key of every image
                (its path); None for no caching.
            target (Tensor, optional): Instead of ``guide``: the matched
                targets :meth:`batch_targets` already gave.
            log_probs (Tensor, optional): ``log_softmax(r', dim=1)`` if
                already computed (:meth:`DynaSegHead.dynamic_loss` shares
                it with the feature-similarity loss).
        """
        if (guide is None) == (target is None):
            raise ValueError('GuidanceLoss needs exactly one of the guide '
                             'and its matched target.')
        if target is None:
            target = self.batch_targets(response, guide, keys)
        if log_probs is None:
            log_probs = F.log_softmax(response, dim=1)
        per_pixel = F.nll_loss(
            log_probs, target, ignore_index=self.ignore_index,
            reduction='none')
        valid = (target != self.ignore_index).flatten(1).sum(dim=1)
        return per_pixel.flatten(1).sum(dim=1) / valid.clamp(min=1)

    def extra_repr(self) -> str:
        """Matching, remap interval and ignore value, for ``print(model)``."""
        return (f'matching={self.matching!r}, '
                f'remap_interval={self.remap_interval}, '
                f'ignore_index={self.ignore_index}')
