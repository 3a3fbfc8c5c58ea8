"""Evaluation of unsupervised segmentation."""
from .metrics import (NothingToScoreError, SegmentCoveringMetric,
                      UnsupervisedIoUMetric)

__all__ = [
    'NothingToScoreError', 'SegmentCoveringMetric', 'UnsupervisedIoUMetric'
]
