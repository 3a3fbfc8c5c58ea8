"""The cluster labels of a response and how many clusters they use."""
import torch
from torch import Tensor


def cluster_labels(response: Tensor) -> Tensor:
    """The cluster of every pixel, ``c = argmax_i r'_i`` (DynaSeg §3.1).

    The same labels as ``response.argmax(dim=1)`` (the first channel of
    the maximum on ties), computed as ``max(dim=1).indices``, the faster
    reduction over the channels on a CPU.

    Args:
        response (Tensor): Response ``r'`` of shape (N, q, H, W).

    Returns:
        Tensor: (N, H, W) int64 labels in ``[0, q)``, no gradient.
    """
    return response.detach().max(dim=1).indices


def count_clusters(labels: Tensor, num_clusters: int) -> Tensor:
    """Number of distinct labels ``q'`` in each image of a batch.

    Args:
        labels (Tensor): Integer label maps of shape (N, H, W), values in
            ``[0, num_clusters)``.
        num_clusters (int): Number of possible labels ``q``.

    Returns:
        Tensor: Shape (N,), int64, each in ``[1, num_clusters]``.
    """
    present = torch.zeros(
        labels.shape[0], num_clusters, dtype=torch.bool, device=labels.device)
    present.scatter_(1, labels.flatten(1), True)
    return present.sum(dim=1)
