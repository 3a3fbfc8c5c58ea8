"""Model utilities."""
from .clusters import cluster_labels, count_clusters
from .step_arithmetic import StepArithmetic

__all__ = ['cluster_labels', 'count_clusters', 'StepArithmetic']
