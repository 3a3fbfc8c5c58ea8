"""mIoU of cluster predictions after Hungarian matching to classes."""
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger, print_log
from mmseg.registry import METRICS
from prettytable import PrettyTable

from ..functional import scores_from_confusion


@METRICS.register_module()
class UnsupervisedIoUMetric(BaseMetric):
    """IoU metrics of unsupervised segmentation, dataset-level protocol.

    Predictions are cluster ids, not classes. One K x C confusion matrix
    (K clusters, C ground-truth classes, pixels equal to ``ignore_index``
    left out) is accumulated over the whole split, and clusters are matched
    one-to-one to classes by a single Hungarian matching
    (``scipy.optimize.linear_sum_assignment``) that maximises the matched
    pixels, as in PiCIE and STEGO. With K > C the matching is rectangular:
    pixels of clusters matched to no class count as errors. Ground truth is
    used for nothing but this scoring.

    Reported (in percent, like MMSeg's ``IoUMetric``): ``mIoU``, ``mAcc``,
    ``aAcc`` (pixel accuracy) and ``IoU.<class>`` for every class. Per-image
    confusion matrices are gathered over distributed ranks by
    :class:`BaseMetric`, so the result does not depend on the world size.
    After evaluation, ``matched_clusters`` holds the cluster matched to each
    class (-1 for none), e.g. to colour predictions by class.

    Args:
        num_clusters (int, optional): K. Defaults to the largest predicted
            cluster id + 1 seen over the split.
        ignore_index (int): Ground-truth value to ignore. Defaults to 255.
        collect_device (str): ``'cpu'`` or ``'gpu'`` for gathering results
            across ranks. Defaults to ``'cpu'``.
        prefix (str, optional): Prefix of the metric names.
    """

    def __init__(self,
                 num_clusters: Optional[int] = None,
                 ignore_index: int = 255,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.num_clusters = num_clusters
        self.ignore_index = ignore_index
        self.matched_clusters: Optional[np.ndarray] = None

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Add each image's K x C confusion matrix to ``self.results``."""
        num_classes = len(self.dataset_meta['classes'])
        for data_sample in data_samples:
            pred = data_sample['pred_sem_seg']['data'].squeeze().long()
            gt = data_sample['gt_sem_seg']['data'].squeeze().to(pred)
            if pred.shape != gt.shape:
                raise ValueError(
                    f"prediction {tuple(pred.shape)} and ground truth "
                    f"{tuple(gt.shape)} of {data_sample.get('img_path')} "
                    'differ in size; the label map must match its image.')
            valid = gt != self.ignore_index
            pred, gt = pred[valid], gt[valid]
            if gt.numel() and (gt.min() < 0 or gt.max() >= num_classes):
                raise ValueError(
                    f"label value {int(gt.max())} in "
                    f"{data_sample.get('seg_map_path')} is outside the "
                    f'{num_classes} classes [0, {num_classes - 1}] and is '
                    f'not ignore_index={self.ignore_index}; fix the label '
                    "map or the dataset's classes.")
            num_clusters = max(self.num_clusters or 0,
                               int(pred.max()) + 1 if pred.numel() else 1)
            confusion = torch.bincount(
                pred * num_classes + gt,
                minlength=num_clusters * num_classes).reshape(
                    num_clusters, num_classes)
            self.results.append(confusion.cpu().numpy())

    def compute_metrics(self, results: List[np.ndarray]) -> Dict[str, float]:
        """Sum the confusion matrices, match once, and score."""
        confusion = sum_confusions(results)
        scores, matched = scores_from_confusion(confusion)
        self.matched_clusters = matched
        classes = self.dataset_meta['classes']
        table = PrettyTable()
        table.add_column('Class', list(classes))
        table.add_column('Cluster', matched.tolist())
        table.add_column('IoU', np.round(scores['IoU'] * 100, 2).tolist())
        table.add_column('Acc', np.round(scores['Acc'] * 100, 2).tolist())
        print_log(
            'dataset-level Hungarian matching over '
            f'{len(results)} images, {confusion.shape[0]} clusters:\n' +
            table.get_string(),
            logger=MMLogger.get_current_instance())
        metrics = dict(
            aAcc=float(scores['aAcc'] * 100),
            mIoU=float(np.nanmean(scores['IoU']) * 100),
            mAcc=float(np.nanmean(scores['Acc']) * 100))
        metrics.update({
            f'IoU.{name}': float(value * 100)
            for name, value in zip(classes, scores['IoU'])
        })
        return metrics


def sum_confusions(confusions: List[np.ndarray]) -> np.ndarray:
    """Sum K_i x C confusion matrices, padding them to the largest K."""
    num_clusters = max(c.shape[0] for c in confusions)
    total = np.zeros((num_clusters, confusions[0].shape[1]), dtype=np.int64)
    for confusion in confusions:
        total[:confusion.shape[0]] += confusion
    return total
