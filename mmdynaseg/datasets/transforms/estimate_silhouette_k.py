"""Each image's silhouette estimate k*, computed in the data pipeline."""
from typing import Dict

import numpy as np
from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS

from mmdynaseg.models.utils.silhouette import (check_k_range,
                                               estimate_num_segments)
from mmdynaseg.utils import SILHOUETTE_KEY


@TRANSFORMS.register_module()
class EstimateSilhouetteK(BaseTransform):
    """Set ``results['silhouette_k']`` = ``k*`` of the image (§3.3.2).

    The pipeline twin of :class:`SilhouetteHook`: the estimate
    (:func:`estimate_num_segments` on the RGB image) runs in the data
    loader's workers instead of the main process. Put it right after the
    image loading, before any crop (``k*`` is a property of the whole
    image), and add ``'silhouette_k'`` to the packing's ``meta_keys``, e.g.
    ``dict(type='PackSegInputs', meta_keys=(..., 'silhouette_k'))``. Each
    worker caches ``k*`` by ``img_path``. With both this transform and the
    hook configured, the hook keeps the pipeline's value.

    Required keys: ``img`` (BGR), ``img_path``. Added key:
    ``silhouette_k``.

    Args:
        k_min, k_max, num_samples, xy_weight, seed: Arguments of
            :func:`estimate_num_segments` (defaults: 3, 26, 500, 0, 0).
    """

    def __init__(self,
                 k_min: int = 3,
                 k_max: int = 26,
                 num_samples: int = 500,
                 xy_weight: float = 0.0,
                 seed: int = 0) -> None:
        check_k_range(k_min, k_max)
        self.estimate_args = dict(
            k_min=k_min,
            k_max=k_max,
            num_samples=num_samples,
            xy_weight=xy_weight,
            seed=seed)
        self.cache: Dict[str, int] = {}

    def transform(self, results: dict) -> dict:
        """Add ``silhouette_k``, estimated on the first visit of a path."""
        path = results.get('img_path')
        if path not in self.cache:
            rgb = np.ascontiguousarray(results['img'][..., ::-1])
            self.cache[path] = estimate_num_segments(rgb,
                                                     **self.estimate_args)
        results[SILHOUETTE_KEY] = self.cache[path]
        return results
