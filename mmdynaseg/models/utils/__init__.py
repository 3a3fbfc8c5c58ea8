"""Model utilities."""
from .clusters import count_clusters

__all__ = ['count_clusters']
