"""Best-IoU segment covering of BSDS500 (Kim et al. 2020, DynaSeg)."""
import logging
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger, print_log
from mmseg.registry import METRICS
from prettytable import PrettyTable

from ...utils import IGNORE_INDEX
from ..functional import (COVERING_MODES, best_iou_per_segment,
                          connected_segments, covering_modes)
from .failed_images import drop_failed, failed_entry

_KEYS = dict(all='All', fine='Fine', coarse='Coarse', mean='Mean')
# scoring -> (metric-name suffix, description)
SCORINGS = {
    'components': ('', '4-connected components (Kanezaki 2020)'),
    'labels': ('.labels', 'cluster labels (DynaSeg reference script)'),
}


@METRICS.register_module()
class SegmentCoveringMetric(BaseMetric):
    """Mean best IoU of ground-truth segments, the BSDS500 protocol of
    Kim, Kanezaki & Tanaka (TIP 2020) and DynaSeg (Table 1).

    For every ground-truth segment ``G`` (a distinct value of an annotator's
    map), its score is ``max_P IoU(G, P)`` over the predicted segments
    ``P``. The metric is the unweighted mean of these scores over all
    ground-truth segments pooled across the images (a small segment weighs
    as much as a large one, unlike the area-weighted "covering" of
    Arbelaez et al. 2011).

    Annotators: if a data sample has ``gt_annotators`` (array or tensor
    A x H x W of segment ids, one map per annotator), all A are used;
    otherwise ``gt_sem_seg`` is a single annotator. Four values are reported
    in one run (percent, not rounded):

    - ``All``: the segments of every annotator of every image, pooled;
    - ``Fine``: per image, the segments of the annotator with the most
      segments;
    - ``Coarse``: per image, those of the annotator with the fewest;
    - ``Mean``: the mean of ``All``, ``Fine`` and ``Coarse``.

    Fine / coarse ties go to the first annotator with that count.

    Predicted segments, two scorings of the same formula (both by default):

    - ``'components'`` (``All``, ``Fine``, ``Coarse``, ``Mean``): the
      prediction is split into its 4-connected components first
      (``skimage.measure.label``, ``connectivity=1``), so two regions of
      one cluster that do not touch are two segments, as Kanezaki (TIP
      2020) scores;
    - ``'labels'`` (``All.labels``, ..., ``Mean.labels``): each predicted
      value is one segment, connected or not, as the DynaSeg reference
      script (``calculate_mIOU.py``) scores. One cluster covering two
      separate ground-truth segments scores 1.0 and 1.0 under the first,
      0.5 and 0.5 under the second.

    Pixels whose ground truth equals ``ignore_index`` are removed from both
    the ground-truth and the predicted segments of that annotator, so the
    same metric scores PASCAL VOC objects "each segment as an entity"
    (its 255 boundary band is left out). Connected components are taken on
    the whole prediction, before that removal: ground truth is used for
    scoring only. An annotator with no segment left takes no part; an image
    with none is counted and logged.

    Per-image best IoUs of each mode are gathered over distributed ranks by
    :class:`BaseMetric`, so the result does not depend on the world size.

    Args:
        scorings (Sequence[str]): Which of ``'components'`` and
            ``'labels'`` to report. Defaults to both.
        ignore_index (int, optional): Ground-truth value to leave out; None
            keeps every value (use it when 255 is a real segment id).
            Defaults to 255.
        collect_device (str): ``'cpu'`` or ``'gpu'`` for gathering results
            across ranks. Defaults to ``'cpu'``.
        prefix (str, optional): Prefix of the metric names.
    """

    def __init__(self,
                 scorings: Sequence[str] = tuple(SCORINGS),
                 ignore_index: Optional[int] = IGNORE_INDEX,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        unknown = set(scorings) - set(SCORINGS)
        if unknown or not scorings:
            raise ValueError(
                f'scorings must be a non-empty subset of {tuple(SCORINGS)}, '
                f'got {tuple(scorings)!r}.')
        self.scorings = tuple(scorings)
        self.ignore_index = ignore_index

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        """Store each image's best IoUs per scoring and mode (``'all'``,
        ``'fine'``, ``'coarse'``) in ``self.results``."""
        for data_sample in data_samples:
            failed = failed_entry(data_sample)
            if failed is not None:
                self.results.append(failed)
                continue
            pred = _as_array(data_sample['pred_sem_seg'])
            pred = pred.reshape(pred.shape[-2:])  # (1, H, W) -> (H, W)
            if 'gt_annotators' in data_sample:
                annotators = _as_array(data_sample['gt_annotators'])
            else:
                annotators = _as_array(data_sample['gt_sem_seg'])
            annotators = annotators.reshape(-1, *annotators.shape[-2:])
            if pred.shape != annotators.shape[1:]:
                raise ValueError(
                    f'prediction {pred.shape} and ground truth '
                    f'{annotators.shape[1:]} of '
                    f"{data_sample.get('img_path')} differ in size; the "
                    'ground-truth maps must match their image.')
            result = {}
            for scoring in self.scorings:
                segments = connected_segments(pred) \
                    if scoring == 'components' else pred
                result[scoring] = covering_modes([
                    best_iou_per_segment(gt, segments, self.ignore_index)
                    for gt in annotators
                ])
            self.results.append(result)

    def compute_metrics(
            self, results: List[Dict[str, Dict[str, np.ndarray]]]
    ) -> Dict[str, float]:
        """Pool the best IoUs over images and average each mode."""
        results = drop_failed(results)
        empty = sum(r[self.scorings[0]]['all'].size == 0 for r in results)
        logger = MMLogger.get_current_instance()
        if empty == len(results):
            print_log(
                f'none of the {len(results)} images has a ground-truth '
                'segment (all pixels ignore_index): the covering is nan.',
                logger=logger,
                level=logging.WARNING)
            return {
                key + SCORINGS[scoring][0]: float('nan')
                for key in _KEYS.values()
                for scoring in self.scorings
            }
        table = PrettyTable(['Mode', 'GT segments'] + [
            f'Best IoU (%), {SCORINGS[scoring][1]}'
            for scoring in self.scorings
        ])
        metrics, columns = {}, []
        for scoring in self.scorings:
            pooled = {
                mode: np.concatenate([r[scoring][mode] for r in results])
                for mode in COVERING_MODES
            }
            values = [
                float(pooled[mode].mean() * 100) for mode in COVERING_MODES
            ]
            values.append(float(np.mean(values)))
            columns.append(values)
            suffix = SCORINGS[scoring][0]
            metrics.update({
                key + suffix: value
                for key, value in zip(_KEYS.values(), values)
            })
        sizes = [pooled[mode].size for mode in COVERING_MODES] + ['-']
        for row, (key, size) in enumerate(zip(_KEYS.values(), sizes)):
            table.add_row([key, size] +
                          [round(values[row], 2) for values in columns])
        print_log(
            'protocol: segment covering, best IoU of each ground-truth '
            'segment, unweighted mean over segments pooled across images '
            f'(Kim et al. 2020 / DynaSeg); {len(results) - empty} images '
            f'({empty} without a ground-truth segment skipped):\n'
            f'{table.get_string()}',
            logger=logger)
        return metrics


def _as_array(data: Any) -> np.ndarray:
    """A numpy array from a tensor, an array or a packed ``PixelData``
    dict (``{'data': ...}``)."""
    if isinstance(data, dict):
        data = data['data']
    if isinstance(data, torch.Tensor):
        data = data.cpu().numpy()
    return np.asarray(data)
