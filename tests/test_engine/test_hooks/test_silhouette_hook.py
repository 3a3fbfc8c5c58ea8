import numpy as np
import pytest
from mmengine.runner import Runner
from mmseg.registry import HOOKS
from mmseg.structures import SegDataSample
from PIL import Image
from skimage.color import rgb2lab
from sklearn.metrics import silhouette_score
from sklearn.metrics.pairwise import euclidean_distances

import mmdynaseg.engine.hooks.silhouette_hook as silhouette_module
from mmdynaseg.engine import SilhouetteHook
from mmdynaseg.models.utils import (estimate_num_segments, pixel_features,
                                    silhouette_from_distances)
from mmdynaseg.utils import load_config

COLOURS = [(200, 30, 30), (30, 200, 30), (30, 30, 200), (230, 220, 40),
           (20, 20, 20)]


def stripes(num_colours, noise=4.0, seed=0):
    """A 40 x 60 RGB image of ``num_colours`` flat vertical stripes, with
    Gaussian noise (sigma ``noise``)."""
    width = 60 // num_colours
    image = np.concatenate([
        np.broadcast_to(np.array(c, np.float64), (40, width, 3))
        for c in COLOURS[:num_colours]
    ], axis=1)
    noisy = image + np.random.default_rng(seed).normal(0, noise, image.shape)
    return np.clip(np.round(noisy), 0, 255).astype(np.uint8)


@pytest.mark.parametrize('num_colours', [3, 5])
def test_k_star_is_the_number_of_colour_regions(num_colours):
    assert estimate_num_segments(stripes(num_colours), k_min=2) == num_colours


def test_best_k_within_the_bounds():
    # 3 regions, k >= 4: the least over-split; 5 regions, k <= 4: the
    # least merged
    assert estimate_num_segments(stripes(3), k_min=4, k_max=9) == 4
    assert estimate_num_segments(stripes(5), k_min=2, k_max=4) == 4


def test_flat_image_gets_k_min():
    flat = np.full((10, 10, 3), 128, np.uint8)
    assert estimate_num_segments(flat, k_min=3) == 3


def test_same_seed_same_estimate_whatever_the_global_state():
    image = stripes(4, noise=40.0)
    np.random.seed(1)
    first = [estimate_num_segments(image, seed=s) for s in range(3)]
    np.random.seed(2)
    assert [estimate_num_segments(image, seed=s) for s in range(3)] == first


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match='k_min'):
        estimate_num_segments(stripes(3), k_min=1)
    with pytest.raises(ValueError, match='k_min'):
        estimate_num_segments(stripes(3), k_min=5, k_max=4)
    with pytest.raises(ValueError, match='RGB'):
        estimate_num_segments(np.zeros((4, 4), np.uint8))


def test_silhouette_equals_scikit_learn():
    rng = np.random.default_rng(0)
    points = rng.normal(size=(60, 3))
    distances = euclidean_distances(points)
    labels = rng.integers(0, 4, 60)
    labels[0] = 9  # a one-sample cluster (silhouette 0) and a label gap
    assert silhouette_from_distances(distances, labels) == pytest.approx(
        silhouette_score(points, labels), abs=1e-12)


def test_features_are_lab_and_weighted_coordinates():
    image = np.zeros((2, 4, 3), np.uint8)
    image[1, 3] = 255
    index = np.array([0, 7])  # (x, y) = (0, 0) and (3, 1)
    lab = rgb2lab(image[[0, 1], [0, 3]][:, None]).reshape(2, 3)
    np.testing.assert_allclose(pixel_features(image, index), lab)
    features = pixel_features(image, index, xy_weight=0.5)
    # coordinates scaled by 100 / longer side (4), then weighted
    np.testing.assert_allclose(features[:, 3:], [[0, 0], [37.5, 12.5]])


def write(path, image):
    Image.fromarray(image).save(path)
    return str(path)


def batch(*paths):
    return dict(data_samples=[
        SegDataSample(metainfo=dict(img_path=path)) for path in paths
    ])


def test_hook_sets_k_star_and_estimates_each_image_once(
        tmp_path, monkeypatch):
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


def test_hook_needs_img_path():
    with pytest.raises(KeyError, match='img_path'):
        SilhouetteHook().before_train_iter(
            None, 0, dict(data_samples=[SegDataSample()]))


def test_hook_refuses_bad_range():
    with pytest.raises(ValueError, match='k_min'):
        SilhouetteHook(k_min=4, k_max=3)


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
    assert len(hook.cache) == 4  # 2 iterations x 2 of the 4 train images
    k_star = runner.message_hub.get_scalar('train/decode.k_star').current()
    assert 3 <= k_star <= 26
