"""Functional helpers of the unsupervised metrics."""
from .hungarian import match_clusters, scores_from_confusion

__all__ = ['match_clusters', 'scores_from_confusion']
