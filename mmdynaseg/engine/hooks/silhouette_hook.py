"""Attach each training image's silhouette estimate k* (paper §3.3.2)."""
from typing import Optional

import mmcv
from mmengine.hooks import Hook
from mmseg.registry import HOOKS

from mmdynaseg.utils.silhouette import NumSegmentsCache
from mmdynaseg.utils import SILHOUETTE_KEY


@HOOKS.register_module()
class SilhouetteHook(Hook):
    """Attach each training image's silhouette estimate ``k*`` to its sample.

    Before every training iteration, each data sample of the batch gets the
    metainfo ``'silhouette_k'`` = :func:`estimate_num_segments` of its image,
    read once from ``img_path`` (``k*`` is a property of the image, so the
    random crops and flips of the training pipeline do not matter) and
    cached by path, so an image costs one estimate per run (per process in
    distributed training).

    In training ``k*`` is the floor of the number of clusters in the
    dynamic weight, ``q' = max(#labels, k*)``, with
    ``model.decode_head.silhouette_floor=True`` (DynaSeg §3.3.2);
    :class:`PerImageDynaSeg` estimates it itself for its ``'silhouette'``
    stop threshold. The estimator is
    :func:`mmdynaseg.utils.estimate_num_segments`.

    Enable it with ``custom_hooks = [dict(type='SilhouetteHook')]``; a
    sample that already has ``k*`` from the data pipeline
    (:class:`EstimateSilhouetteK`, which runs in the loader's workers)
    keeps it. The estimate runs in the main process the first time each
    image is drawn (its cost: docs/implementation.md).

    Args:
        **estimate_args: ``k_min`` (3), ``k_max`` (26), ``num_samples``
            (500), ``xy_weight`` (0: Lab colour only) and ``seed`` (0) of
            :class:`NumSegmentsCache`; an unknown name is refused.
    """

    priority = 'NORMAL'

    def __init__(self, **estimate_args) -> None:
        self.estimates = NumSegmentsCache(**estimate_args)

    def num_segments(self, img_path: str) -> int:
        """``k*`` of the image at ``img_path``, estimated on first use."""
        return self.estimates(
            img_path, lambda: mmcv.imread(img_path, channel_order='rgb'))

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch: Optional[dict] = None) -> None:
        """Set ``'silhouette_k'`` in the metainfo of every data sample
        that does not have it yet."""
        for sample in (data_batch or {}).get('data_samples', []):
            if SILHOUETTE_KEY in sample.metainfo:
                continue
            if 'img_path' not in sample.metainfo:
                raise KeyError(
                    "SilhouetteHook needs each data sample's 'img_path' "
                    '(PackSegInputs puts it in the metainfo by default; keep '
                    "it in meta_keys).")
            sample.set_metainfo(
                {SILHOUETTE_KEY: self.num_segments(sample.img_path)})
