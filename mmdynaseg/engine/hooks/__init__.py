"""Hooks of mmdynaseg."""
from .cluster_prediction_writer_hook import (ClusterPredictionWriterHook,
                                             cluster_palette, label_map_array,
                                             overlay_clusters, write_png)
from .silhouette_hook import (SilhouetteHook, estimate_num_segments,
                              pixel_features, silhouette_from_distances)

__all__ = [
    'ClusterPredictionWriterHook', 'cluster_palette', 'label_map_array',
    'overlay_clusters', 'write_png', 'SilhouetteHook', 'estimate_num_segments',
    'pixel_features', 'silhouette_from_distances'
]
