"""Metrics of unsupervised segmentation."""
from .unsupervised_iou_metric import UnsupervisedIoUMetric

__all__ = ['UnsupervisedIoUMetric']
