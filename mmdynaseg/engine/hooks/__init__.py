"""Hooks of mmdynaseg."""
from .channels_last_hook import ChannelsLastHook
from .cluster_prediction_writer_hook import (ClusterPredictionWriterHook,
                                             overlay_boundaries,
                                             overlay_clusters, overlay_figure,
                                             write_png)
from .non_finite_loss_hook import NonFiniteLossHook
from .per_image_progress_hook import PerImageProgressHook, StepProgress
from .silhouette_hook import SilhouetteHook

__all__ = [
    'ChannelsLastHook', 'ClusterPredictionWriterHook', 'overlay_boundaries',
    'overlay_clusters',
    'overlay_figure', 'write_png', 'NonFiniteLossHook',
    'PerImageProgressHook', 'StepProgress',
    'SilhouetteHook'
]
