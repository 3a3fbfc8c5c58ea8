"""EstimateSilhouetteK: k* in the data pipeline, once per image."""
import numpy as np
from mmseg.registry import TRANSFORMS

import mmdynaseg.utils.silhouette as module
from mmdynaseg.utils import estimate_num_segments


def test_sets_k_star_of_the_rgb_image_once_per_path(stripes, monkeypatch):
    calls = []

    def counting(image, **kwargs):
        calls.append(image)
        return estimate_num_segments(image, **kwargs)

    monkeypatch.setattr(module, 'estimate_num_segments', counting)
    transform = TRANSFORMS.build(dict(type='EstimateSilhouetteK', k_min=2))
    three, five = stripes(3), stripes(5)
    bgr = dict(a=three[..., ::-1], b=five[..., ::-1])
    out = [
        transform(dict(img=bgr[name].copy(), img_path=name))['silhouette_k']
        for name in ('a', 'b', 'a')
    ]
    assert out == [3, 5, 3]
    assert len(calls) == 2
    np.testing.assert_array_equal(calls[0], three)  # estimated on RGB


def test_packed_into_the_metainfo(stripes):
    pipeline = [
        TRANSFORMS.build(dict(type='EstimateSilhouetteK', k_min=2)),
        TRANSFORMS.build(
            dict(type='PackSegInputs', meta_keys=('img_path',
                                                  'silhouette_k'))),
    ]
    results = dict(img=stripes(3)[..., ::-1].copy(), img_path='a.png')
    for step in pipeline:
        results = step(results)
    assert results['data_samples'].silhouette_k == 3
