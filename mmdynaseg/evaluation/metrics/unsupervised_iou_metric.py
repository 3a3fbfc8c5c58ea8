"""mIoU of cluster predictions after Hungarian matching to classes."""
import logging
from typing import Dict, List, Optional, Sequence, Union

import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger, print_log
from mmseg.registry import METRICS
from prettytable import PrettyTable

from ...utils import IGNORE_INDEX
from ..functional import (cluster_block_scores, matched_areas, nanmean,
                          scores_from_areas, summary_scores)
from .failed_images import drop_failed, failed_entry

PROTOCOLS = {
    'dataset': 'dataset-level Hungarian (PiCIE/STEGO)',
    'per_image': 'per-image Hungarian over the classes present',
    'per_image_all': ('per-image Hungarian over all classes, absent ones '
                      'scored (DynaSeg reference code)'),
}
THINGS_STUFF = ('class', 'cluster_index')


@METRICS.register_module()
class UnsupervisedIoUMetric(BaseMetric):
    """IoU metrics of unsupervised segmentation after Hungarian matching.

    Predictions are cluster ids, not classes. Clusters are matched
    one-to-one to ground-truth classes by Hungarian matching
    (``scipy.optimize.linear_sum_assignment``) that maximises the matched
    pixels of a K x C confusion matrix (K clusters, C classes, pixels equal
    to ``ignore_index`` left out). Pixels of clusters matched to no class
    count as errors; a class matched to no cluster has IoU 0. Ground truth is
    used for nothing but this scoring. For a class ``c`` matched to cluster
    ``k``: IoU = TP / (TP + FP + FN), Acc = TP / (TP + FN); aAcc = matched
    pixels / labelled pixels.

    Three protocols:

    - ``'dataset'`` (PiCIE, STEGO): one confusion matrix summed over the
      split, one matching. ``IoU.<class>`` and ``Acc.<class>`` come from it;
      mIoU / mAcc are means over classes, leaving out a class whose value is
      undefined (no ground-truth pixel in the split, and for IoU no pixel in
      its matched cluster either).
    - ``'per_image'`` (the DynaSeg papers' per-image COCO matching, ours):
      one matching per image, among the classes present in that image's
      ground truth (non-ignored pixels) only; the other classes take part
      neither in the matching nor in the image's scores. Per image: mIoU /
      mAcc = means over its present classes, aAcc = matched pixels /
      labelled pixels. The split's mIoU / mAcc / aAcc are means over images;
      ``IoU.<class>`` is the mean over the images where it is defined
      (reported as nan, with a warning, only if no image does). Images with
      no labelled pixel are skipped, and their number is logged.
    - ``'per_image_all'`` (the DynaSeg reference evaluator,
      ``cluster_mIoU_evaluator.py``, run per image): as ``'per_image'``,
      but all C classes take part in each image's matching, and a class
      absent from the image whose matched cluster has pixels scores IoU 0
      (its IoU is undefined, and left out, only when that cluster is
      empty). Lower than ``'per_image'`` on the same predictions.

    Things / stuff: if ``dataset_meta`` has ``thing_ids`` and ``stuff_ids``
    (class indices, e.g. COCO-Stuff-27: things 0-11, stuff 12-26), also
    ``mIoU.things``, ``mIoU.stuff``, ``aAcc.things`` and ``aAcc.stuff``,
    split by ground-truth class after the matching (not by cluster index):
    ``mIoU.things`` = mean IoU over thing classes and ``aAcc.things`` = TP of
    thing classes / ground-truth pixels of thing classes. With
    ``'per_image'`` they are computed per image (over the present classes)
    and averaged over the images that contain a thing (resp. stuff) pixel.
    ``things_stuff='cluster_index'`` splits them as the DynaSeg reference
    evaluator does instead: by the index of the matched cluster, the first
    ``len(thing_ids)`` cluster indices as things and the next
    ``len(stuff_ids)`` as stuff, each block scored on its own sub-matrix
    (:func:`cluster_block_scores`), whatever classes those clusters were
    matched to.

    All values are in percent and not rounded. A value that is undefined
    (e.g. ``aAcc.things`` with no thing pixel anywhere) is nan and named in
    a warning. Per-image results are gathered over distributed ranks by
    :class:`BaseMetric`, so the result does not depend on the world size.
    With ``'dataset'``, ``matched_clusters`` holds after evaluation the
    cluster matched to each class (-1 for none), e.g. to colour predictions
    by class; with ``'per_image'`` it stays None.

    Args:
        num_clusters (int, optional): K. Defaults to the largest predicted
            cluster id + 1 seen over the split.
        ignore_index (int): Ground-truth value to ignore. Defaults to 255.
        protocol (str): ``'dataset'``, ``'per_image'`` or
            ``'per_image_all'``. Defaults to ``'dataset'``.
        things_stuff (str): ``'class'`` (by ground-truth class) or
            ``'cluster_index'`` (by matched cluster index, the reference
            evaluator's). Defaults to ``'class'``.
        collect_device (str): ``'cpu'`` or ``'gpu'`` for gathering results
            across ranks. Defaults to ``'cpu'``.
        prefix (str, optional): Prefix of the metric names.
    """

    def __init__(self,
                 num_clusters: Optional[int] = None,
                 ignore_index: int = IGNORE_INDEX,
                 protocol: str = 'dataset',
                 things_stuff: str = 'class',
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        if protocol not in PROTOCOLS:
            raise ValueError(
                f'unknown protocol {protocol!r} of UnsupervisedIoUMetric; '
                f'use one of {sorted(PROTOCOLS)}.')
        if things_stuff not in THINGS_STUFF:
            raise ValueError(
                f'unknown things_stuff {things_stuff!r} of '
                f'UnsupervisedIoUMetric; use one of {THINGS_STUFF}.')
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.num_clusters = num_clusters
        self.ignore_index = ignore_index
        self.protocol = protocol
        self.things_stuff = things_stuff
        self.matched_clusters: Optional[np.ndarray] = None

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Store one result per image in ``self.results``.

        ``'dataset'``: the image's K x C confusion matrix. Per image: the
        image's matched pixel counts, a 3 x C array of rows TP, GT and
        predicted pixels of each class's matched cluster; with
        ``things_stuff='cluster_index'`` a dict of it (``areas``) and the
        image's block scores (``blocks``).
        """
        num_classes = len(self.dataset_meta['classes'])
        # fail on a bad dataset_meta before the run
        self._class_groups()
        blocks = self._cluster_blocks()
        for data_sample in data_samples:
            failed = failed_entry(data_sample)
            if failed is not None:
                self.results.append(failed)
                continue
            confusion = self._confusion(data_sample, num_classes)
            if self.protocol == 'dataset':
                self.results.append(confusion)
                continue
            areas = matched_areas(
                confusion, present_only=self.protocol == 'per_image')
            result = np.stack([areas.tp, areas.gt, areas.pred])
            if blocks:
                result = dict(
                    areas=result,
                    blocks=cluster_block_scores(confusion, areas.matched,
                                                blocks))
            self.results.append(result)

    def compute_metrics(self, results: List[np.ndarray]) -> Dict[str, float]:
        """Match and score as the protocol says; log a per-class table."""
        results = drop_failed(results)
        if self.protocol == 'dataset':
            metrics = self._dataset_metrics(results)
        else:
            metrics = self._per_image_metrics(results)
        undefined = [k for k, v in metrics.items() if np.isnan(v)]
        if undefined:
            print_log(
                f'{", ".join(undefined)} undefined (nan): no ground-truth '
                'pixel of that class or group among the evaluated images.',
                logger=MMLogger.get_current_instance(),
                level=logging.WARNING)
        return metrics

    def _confusion(self, data_sample: dict, num_classes: int) -> np.ndarray:
        """K x C confusion matrix of one image, ignored pixels left out."""
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
        return confusion.cpu().numpy()

    def _class_groups(self) -> Dict[str, np.ndarray]:
        """Things / stuff class indices from ``dataset_meta``, checked."""
        meta = self.dataset_meta
        given = [k for k in ('thing_ids', 'stuff_ids')
                 if meta.get(k) is not None]
        if not given:
            return {}
        if len(given) == 1:
            raise ValueError(
                f'dataset_meta has {given[0]} but not '
                f"{({'thing_ids', 'stuff_ids'} - set(given)).pop()}; give "
                'both (class indices) for mIoU.things / mIoU.stuff, or '
                'neither.')
        num_classes = len(meta['classes'])
        things, stuff = (np.asarray(meta[k]).ravel() for k in given)
        for key, ids in zip(given, (things, stuff)):
            if not (np.issubdtype(ids.dtype, np.integer) and ids.size and
                    ids.min() >= 0 and ids.max() < num_classes):
                raise ValueError(
                    f"dataset_meta['{key}'] = {meta[key]!r} must be a "
                    f'non-empty sequence of class indices in [0, '
                    f'{num_classes - 1}]; fix the dataset metainfo.')
        if np.intersect1d(things, stuff).size:
            raise ValueError(
                'classes '
                f'{np.intersect1d(things, stuff).tolist()} are in both '
                "dataset_meta['thing_ids'] and ['stuff_ids']; a class is a "
                'thing or stuff, not both.')
        return dict(things=things, stuff=stuff)

    def _split_by_class(self) -> Dict[str, np.ndarray]:
        """The class groups of the things / stuff scores when they are
        split by class (none when split by cluster index)."""
        groups = self._class_groups()
        return groups if self.things_stuff == 'class' else {}

    def _cluster_blocks(self) -> Dict[str, range]:
        """The reference evaluator's cluster-index blocks (none when
        split by class).

        Raises:
            ValueError: ``things_stuff='cluster_index'`` without
                ``thing_ids`` / ``stuff_ids``.
        """
        if self.things_stuff == 'class':
            return {}
        groups = self._class_groups()
        if not groups:
            raise ValueError(
                "things_stuff='cluster_index' needs dataset_meta thing_ids "
                'and stuff_ids (their counts size the blocks).')
        things = len(groups['things'])
        return dict(
            things=range(things),
            stuff=range(things, things + len(groups['stuff'])))

    def _dataset_metrics(self,
                         results: List[np.ndarray]) -> Dict[str, float]:
        """Sum the confusion matrices, match once, and score."""
        confusion = sum_confusions(results)
        areas = matched_areas(confusion)
        self.matched_clusters = areas.matched
        scores = scores_from_areas(areas.tp, areas.gt, areas.pred)
        self._log_table(
            f'{len(results)} images, {confusion.shape[0]} clusters',
            dict(
                Cluster=areas.matched.tolist(),
                IoU=scores['IoU'],
                Acc=scores['Acc']))
        metrics = summary_scores(areas.tp, areas.gt, areas.pred,
                                 self._split_by_class())
        blocks = self._cluster_blocks()
        if blocks:
            metrics.update(
                cluster_block_scores(confusion, areas.matched, blocks))
        metrics.update({
            f'IoU.{name}': value
            for name, value in zip(self.dataset_meta['classes'],
                                   scores['IoU'])
        })
        return {key: float(value * 100) for key, value in metrics.items()}

    def _per_image_metrics(self,
                           results: List[np.ndarray]) -> Dict[str, float]:
        """Score every image on its own matching, average over images."""
        num_classes = len(self.dataset_meta['classes'])
        blocks = [r['blocks'] for r in results if isinstance(r, dict)]
        areas = np.stack([r['areas'] if isinstance(r, dict) else r
                          for r in results]).reshape(-1, 3, num_classes)
        keep = areas[:, 1].sum(axis=1) > 0
        labelled = areas[keep]
        skipped = len(areas) - len(labelled)
        if skipped:
            print_log(
                f'{skipped} of {len(areas)} images have no labelled '
                'pixel (all ignore_index) and were skipped.',
                logger=MMLogger.get_current_instance(),
                level=logging.WARNING)
        tp, gt, pred = labelled[:, 0], labelled[:, 1], labelled[:, 2]
        scores = scores_from_areas(tp, gt, pred)
        class_iou = nanmean(scores['IoU'], axis=0)
        self._log_table(
            f'{len(labelled)} images ({skipped} skipped: no labelled pixel)',
            dict(
                Images=(gt > 0).sum(axis=0).tolist(),
                IoU=class_iou,
                Acc=nanmean(scores['Acc'], axis=0)))
        per_image = summary_scores(tp, gt, pred, self._split_by_class())
        metrics = {key: nanmean(values) for key, values in per_image.items()}
        if blocks:
            kept = [b for b, k in zip(blocks, keep) if k]
            metrics.update({
                key: nanmean([b[key] for b in kept])
                for key in kept[0]
            })
        metrics.update({
            f'IoU.{name}': value
            for name, value in zip(self.dataset_meta['classes'], class_iou)
        })
        return {key: float(value * 100) for key, value in metrics.items()}

    def _log_table(self, summary: str,
                   columns: Dict[str, Union[list, np.ndarray]]) -> None:
        """Log the protocol and a per-class table (values rounded for
        display only)."""
        classes = self.dataset_meta['classes']
        groups = self._class_groups()
        table = PrettyTable()
        table.add_column('Class', list(classes))
        if groups:
            kind = np.full(len(classes), '-', dtype=object)
            for name, ids in groups.items():
                kind[ids] = name
            table.add_column('Kind', kind.tolist())
        for name, values in columns.items():
            if isinstance(values, np.ndarray):
                values = np.round(values * 100, 2).tolist()
            table.add_column(name, values)
        print_log(
            f'protocol: {PROTOCOLS[self.protocol]}; {summary}:\n' +
            table.get_string(),
            logger=MMLogger.get_current_instance())


def sum_confusions(confusions: List[np.ndarray]) -> np.ndarray:
    """Sum K_i x C confusion matrices, padding them to the largest K."""
    num_clusters = max(c.shape[0] for c in confusions)
    total = np.zeros((num_clusters, confusions[0].shape[1]), dtype=np.int64)
    for confusion in confusions:
        total[:confusion.shape[0]] += confusion
    return total
