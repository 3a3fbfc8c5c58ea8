"""Counting the clusters an argmax label map uses."""
import torch
from torch import Tensor


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
