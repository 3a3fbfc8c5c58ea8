"""Metrics of unsupervised segmentation."""
from .segment_covering_metric import SegmentCoveringMetric
from .unsupervised_iou_metric import UnsupervisedIoUMetric

__all__ = ['SegmentCoveringMetric', 'UnsupervisedIoUMetric']
