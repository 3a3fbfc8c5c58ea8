"""Model utilities."""
from .clusters import cluster_labels, count_clusters

__all__ = ['cluster_labels', 'count_clusters']
