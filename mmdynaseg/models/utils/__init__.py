"""Model utilities."""
from .clusters import cluster_labels, count_clusters
from .silhouette import (estimate_num_segments, exhaustive_num_segments,
                         pixel_features, pixel_silhouettes,
                         silhouette_from_distances,
                         silhouette_samples_from_sums)

__all__ = [
    'cluster_labels', 'count_clusters', 'estimate_num_segments',
    'exhaustive_num_segments', 'pixel_features', 'pixel_silhouettes',
    'silhouette_from_distances', 'silhouette_samples_from_sums'
]
