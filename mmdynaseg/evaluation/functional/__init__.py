"""Functional helpers of the unsupervised metrics."""
from .class_scores import nanmean, scores_from_areas, summary_scores
from .cluster_block_scores import cluster_block_scores
from .hungarian import (MatchedAreas, match_clusters, matched_areas,
                        scores_from_confusion)
from .segment_covering import (COVERING_MODES, best_iou_per_segment,
                               connected_segments, covering_modes)

__all__ = [
    'COVERING_MODES', 'MatchedAreas', 'best_iou_per_segment',
    'cluster_block_scores',
    'connected_segments', 'covering_modes', 'match_clusters',
    'matched_areas', 'nanmean', 'scores_from_areas', 'scores_from_confusion',
    'summary_scores'
]
