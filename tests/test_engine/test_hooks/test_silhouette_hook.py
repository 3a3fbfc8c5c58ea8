"""SilhouetteHook: k* attached to each training sample, once per image."""
import pytest
from mmengine.runner import Runner
from mmseg.registry import HOOKS
from mmseg.structures import SegDataSample
from PIL import Image

import mmdynaseg.utils.silhouette as silhouette_module
from mmdynaseg.engine import SilhouetteHook
from mmdynaseg.utils import estimate_num_segments
from mmdynaseg.utils import load_config


def write(path, image):
    Image.fromarray(image).save(path)
    return str(path)


def batch(*paths):
    return dict(data_samples=[
        SegDataSample(metainfo=dict(img_path=path)) for path in paths
    ])


def test_hook_sets_k_star_and_estimates_each_image_once(
        tmp_path, monkeypatch, stripes):
    three = write(tmp_path / 'three.png', stripes(3))
    five = write(tmp_path / 'five.png', stripes(5))
    calls = []

    def counting(image, **kwargs):
        calls.append(kwargs)
        return estimate_num_segments(image, **kwargs)

    monkeypatch.setattr(silhouette_module, 'estimate_num_segments', counting)
    hook = HOOKS.build(dict(type='SilhouetteHook', k_min=2, seed=3))
    first = batch(three, five)
    hook.before_train_iter(None, 0, first)
    assert [s.silhouette_k for s in first['data_samples']] == [3, 5]
    second = batch(five, three, five)
    hook.before_train_iter(None, 1, second)
    assert [s.silhouette_k for s in second['data_samples']] == [5, 3, 5]
    assert len(calls) == 2  # one estimate per image
    assert calls[0] == dict(
        k_min=2, k_max=26, num_samples=500, xy_weight=0.0, seed=3)


def test_hook_keeps_k_star_from_the_pipeline():
    """EstimateSilhouetteK set it in a worker: no estimate, no change."""
    data = dict(data_samples=[SegDataSample(metainfo=dict(silhouette_k=7))])
    SilhouetteHook().before_train_iter(None, 0, data)
    assert data['data_samples'][0].silhouette_k == 7


def test_hook_needs_img_path():
    with pytest.raises(KeyError, match='img_path'):
        SilhouetteHook().before_train_iter(
            None, 0, dict(data_samples=[SegDataSample()]))


def test_hook_refuses_bad_range_and_unknown_arguments():
    with pytest.raises(ValueError, match='k_min'):
        SilhouetteHook(k_min=4, k_max=3)
    with pytest.raises(TypeError, match='k_maximum'):
        SilhouetteHook(k_maximum=3)


def test_floor_trains_through_the_runner(tiny_config, tmp_path):
    cfg = load_config(
        str(tiny_config), {
            'model.decode_head.silhouette_floor': True,
            'custom_hooks': [dict(type='SilhouetteHook')],
            'train_cfg.max_iters': 2,
            'train_cfg.val_interval': 100,
            'work_dir': str(tmp_path / 'work'),
        })
    runner = Runner.from_cfg(cfg)
    runner.train()  # the head would raise without k* in the metainfo
    hook = next(h for h in runner.hooks if isinstance(h, SilhouetteHook))
    # 2 iterations x 2 of the 4 train images
    assert len(hook.estimates.cache) == 4
    k_star = runner.message_hub.get_scalar('train/decode.k_star').current()
    assert 3 <= k_star <= 26
