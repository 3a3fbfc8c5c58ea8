"""The half-scale training configs: 160 x 160 crops of the halved image,
the DynaGuide guide resized and cropped with it."""
import mmcv
import numpy as np
import pytest
from mmengine.dataset import Compose
from mmengine.registry import init_default_scope

from mmdynaseg.utils import GUIDE_KEY, load_config


def stripes(width: int) -> np.ndarray:
    """A 321 x 481 image of black and white vertical stripes."""
    columns = (np.arange(481) // width) % 2 * 255
    return np.repeat(np.broadcast_to(columns, (321, 481))[..., None], 3,
                     2).astype(np.uint8)


def edges(row: np.ndarray) -> np.ndarray:
    """Columns where a row changes between dark and light."""
    return np.flatnonzero(np.diff(row > row.mean()))


@pytest.mark.parametrize('name', [
    'dynaseg_fsf_cnn_bsds500_trained_half',
    'dynaguide_kmeans_cnn_bsds500_trained_half'
])
def test_half_scale_crops(name, tmp_path, repo_root):
    path = tmp_path / 'stripes.png'
    mmcv.imwrite(stripes(40), str(path))
    cfg = load_config(str(repo_root / f'configs/{name}.py'))
    pipeline = cfg.train_pipeline
    for transform in pipeline:
        if transform['type'] == 'LoadGuidance':
            transform['guide'] = dict(type='KMeansColorGuide', k=2)
    init_default_scope('mmseg')
    np.random.seed(0)  # RandomCrop and RandomFlip draw from numpy
    packed = Compose(pipeline)(dict(img_path=str(path)))
    image = packed['inputs'].numpy()
    assert image.shape == (3, 160, 160)
    # 40-pixel stripes become 20 pixels wide: 7 or 8 edges in 160 columns
    # (3 or 4 at full scale)
    columns = edges(image[0, 80])
    assert len(columns) in (7, 8)
    assert set(np.diff(columns)) <= {19, 20, 21}
    if 'dynaguide' in name:
        guide = packed['data_samples'].get(GUIDE_KEY).data.numpy()
        assert guide.shape == (1, 160, 160)
        # two k-means clusters, edges where the image's are: each edge
        # within a pixel of one of the other's (nearest against bilinear
        # resizing), but for an edge in the crop's outer columns, whose
        # partner may lie just outside the crop
        assert len(np.unique(guide)) == 2
        guide_columns = edges(guide[0, 80])
        for found, others in ((columns, guide_columns),
                              (guide_columns, columns)):
            for column in found[(found >= 1) & (found <= 157)]:
                assert np.abs(others - column).min() <= 1
