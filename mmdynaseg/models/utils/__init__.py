"""Model utilities."""
from .clusters import cluster_labels, count_clusters
from .per_image_input import PerImageInput
from .step_arithmetic import StepArithmetic

__all__ = [
    'cluster_labels', 'count_clusters', 'PerImageInput', 'StepArithmetic'
]
