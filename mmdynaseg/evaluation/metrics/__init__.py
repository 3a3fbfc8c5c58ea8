"""Metrics of unsupervised segmentation."""
from .failed_images import NothingToScoreError
from .segment_covering_metric import SegmentCoveringMetric
from .unsupervised_iou_metric import UnsupervisedIoUMetric

__all__ = [
    'NothingToScoreError', 'SegmentCoveringMetric', 'UnsupervisedIoUMetric'
]
