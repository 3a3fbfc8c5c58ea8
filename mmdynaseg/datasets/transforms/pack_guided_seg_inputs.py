"""PackSegInputs that also packs the guide pseudo-labels."""
import numpy as np
from mmcv.transforms import to_tensor
from mmengine.structures import PixelData
from mmseg.datasets.transforms import PackSegInputs
from mmseg.registry import TRANSFORMS

from mmdynaseg.utils import GUIDE_KEY, GUIDE_MAP_KEY


@TRANSFORMS.register_module()
class PackGuidedSegInputs(PackSegInputs):
    """``PackSegInputs`` plus the guide: ``data_sample.gt_guide``.

    Packs ``results['gt_guide_map']`` (from :class:`LoadGuidance`) as a
    ``PixelData`` of shape (1, H, W), int64, which ``DynaSegHead`` reads
    when it has a ``loss_guide``. Everything else is packed as by
    ``PackSegInputs`` (same ``meta_keys``).
    """

    def transform(self, results: dict) -> dict:
        """Pack like ``PackSegInputs`` and add ``gt_guide``."""
        if GUIDE_MAP_KEY not in results:
            raise KeyError(
                f"PackGuidedSegInputs packs '{GUIDE_MAP_KEY}', which "
                f"'{results.get('img_path')}' lacks: add dict(type="
                "'LoadGuidance', guide=...) right after the image loading.")
        packed = super().transform(results)
        guide = to_tensor(results[GUIDE_MAP_KEY][None].astype(np.int64))
        packed['data_samples'].set_data({GUIDE_KEY: PixelData(data=guide)})
        return packed
