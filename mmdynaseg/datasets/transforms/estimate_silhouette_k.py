"""Each image's silhouette estimate k*, computed in the data pipeline."""
import numpy as np
from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS

from mmdynaseg.utils.silhouette import NumSegmentsCache
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
        **estimate_args: ``k_min``, ``k_max``, ``num_samples``,
            ``xy_weight``, ``seed`` of :class:`NumSegmentsCache` (as
            :class:`SilhouetteHook`).
    """

    def __init__(self, **estimate_args) -> None:
        self.estimates = NumSegmentsCache(**estimate_args)

    def transform(self, results: dict) -> dict:
        """Add ``silhouette_k``, estimated on the first visit of a path."""
        results[SILHOUETTE_KEY] = self.estimates(
            results.get('img_path'),
            lambda: np.ascontiguousarray(results['img'][..., ::-1]))
        return results
