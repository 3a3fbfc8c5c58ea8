"""Evaluation of unsupervised segmentation."""
from .metrics import SegmentCoveringMetric, UnsupervisedIoUMetric

__all__ = ['SegmentCoveringMetric', 'UnsupervisedIoUMetric']
