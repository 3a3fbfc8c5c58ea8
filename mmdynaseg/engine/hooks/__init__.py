"""Hooks of mmdynaseg."""
from .channels_last_hook import ChannelsLastHook
from .cluster_prediction_writer_hook import (ClusterPredictionWriterHook,
                                             cluster_palette, overlay_clusters,
                                             write_png)
from .non_finite_loss_hook import NonFiniteLossHook
from .silhouette_hook import SilhouetteHook

__all__ = [
    'ChannelsLastHook', 'ClusterPredictionWriterHook', 'cluster_palette',
    'overlay_clusters', 'write_png', 'NonFiniteLossHook',
    'SilhouetteHook'
]
