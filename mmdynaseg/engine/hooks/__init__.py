"""Hooks of mmdynaseg."""
from .cluster_prediction_writer_hook import (ClusterPredictionWriterHook,
                                             cluster_palette, label_map_array,
                                             overlay_clusters)

__all__ = [
    'ClusterPredictionWriterHook', 'cluster_palette', 'label_map_array',
    'overlay_clusters'
]
