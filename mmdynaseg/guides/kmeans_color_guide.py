"""Colour k-means guide of DynaGuide."""
from typing import Optional

import numpy as np
from mmseg.registry import TASK_UTILS
from skimage.color import rgb2lab
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_limits

from .base_guide import IGNORE_INDEX, BaseGuide


@TASK_UTILS.register_module()
class KMeansColorGuide(BaseGuide):
    """Guide labels from k-means of the pixels' CIE Lab colours.

    The k-means (scikit-learn, k-means++ init, seeded) is fitted on a
    seeded random sample of ``num_samples`` pixels and then labels every
    pixel with its nearest centre, one BLAS thread (guides run in data
    workers). An image with fewer distinct sampled colours than ``k`` gets
    that many clusters.

    The published DynaGuide code's stand-in for its "diffseg" guide is
    this k-means with ``k=5`` on OpenCV's 8-bit Lab (its lightness scaled
    to 0-255, i.e. ``lightness_weight=2.55`` here, the offsets of a and b
    change nothing), fitted on every pixel with ``n_init=10``.

    Args:
        k (int): Number of colour clusters, in [2, 254]. Defaults to 8.
        num_samples (int, optional): Pixels used to fit the centres; None
            fits on every pixel. Defaults to 10000.
        seed (int): Seed of the sample and of k-means. Defaults to 0.
        lightness_weight (float): Factor on L* (0-100) before clustering;
            a and b are kept as they are. Defaults to 1.
        n_init (int): k-means runs from different seeds; the best is kept.
            Defaults to 1.
        cache_dir (str, optional): See :class:`BaseGuide`.
    """

    def __init__(self,
                 k: int = 8,
                 num_samples: Optional[int] = 10000,
                 seed: int = 0,
                 lightness_weight: float = 1.0,
                 n_init: int = 1,
                 cache_dir: Optional[str] = None) -> None:
        super().__init__(cache_dir)
        if not 2 <= k < IGNORE_INDEX:
            raise ValueError(f'k must be in [2, {IGNORE_INDEX - 1}], got {k}.')
        self.k = k
        self.num_samples = num_samples
        self.seed = seed
        self.lightness_weight = lightness_weight
        self.n_init = n_init

    def compute(self, image: np.ndarray, img_path: str) -> np.ndarray:
        """K-means labels of the image's Lab colours, (H, W)."""
        lab = rgb2lab(image).reshape(-1, 3)
        lab[:, 0] *= self.lightness_weight
        sample = lab
        if self.num_samples is not None and self.num_samples < len(lab):
            rng = np.random.default_rng(self.seed)
            sample = lab[rng.choice(
                len(lab), size=self.num_samples, replace=False)]
        k = min(self.k, len(np.unique(sample, axis=0)))
        with threadpool_limits(limits=1):
            kmeans = KMeans(
                n_clusters=k, n_init=self.n_init,
                random_state=self.seed).fit(sample)
            return kmeans.predict(lab).reshape(image.shape[:2])
