from unittest import mock

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmengine.structures import PixelData
from mmseg.registry import MODELS, TASK_UTILS
from mmseg.structures import SegDataSample

import mmdynaseg  # noqa: F401  (registers the guides and DynaSegCNN)
from mmdynaseg.guides import MMSegModelGuide

MEAN, STD = [10.0, 120.0, 240.0], [50.0, 60.0, 70.0]
TINY_CONFIG = dict(
    model=dict(
        type='EncoderDecoder',
        data_preprocessor=dict(
            type='SegDataPreProcessor', mean=MEAN, std=STD, bgr_to_rgb=True),
        backbone=dict(type='DynaSegCNN', channels=4, num_convs=1),
        decode_head=dict(
            type='FCNHead',
            in_channels=4,
            channels=4,
            num_convs=1,
            concat_input=False,
            num_classes=5),
        test_cfg=dict(mode='whole')),
    test_pipeline=[
        dict(type='LoadImageFromFile'),
        dict(type='LoadAnnotations'),
        dict(type='PackSegInputs'),
    ])


@pytest.fixture
def image():
    """16 x 24 random RGB image."""
    return np.random.default_rng(0).integers(
        0, 256, (16, 24, 3), dtype=np.uint8)


@pytest.fixture
def tiny(tmp_path):
    """(config path, checkpoint path, model) of a random tiny segmentor."""
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmseg'):
        model = MODELS.build(Config(TINY_CONFIG).model).eval()
    checkpoint = tmp_path / 'tiny.pth'
    torch.save({'state_dict': model.state_dict()}, checkpoint)
    config = tmp_path / 'tiny.py'
    Config(TINY_CONFIG).dump(str(config))
    return str(config), str(checkpoint), model


def direct_argmax(model, rgb):
    """Argmax of the model on the RGB image normalised by MEAN / STD."""
    pixels = torch.tensor(rgb.copy(), dtype=torch.float32)
    inputs = (pixels - torch.tensor(MEAN)) / torch.tensor(STD)
    with torch.no_grad():
        logits = model.encode_decode(
            inputs.permute(2, 0, 1)[None], [dict(img_shape=rgb.shape[:2])])
    return logits.argmax(dim=1)[0].numpy()


def test_labels_are_the_models_argmax_on_the_rgb_image(tiny, image):
    config, checkpoint, model = tiny
    expected = direct_argmax(model, image)
    # The channel order matters for this model and image.
    assert len(np.unique(expected)) > 1
    assert not np.array_equal(expected, direct_argmax(model, image[..., ::-1]))
    labels = TASK_UTILS.build(
        dict(type='MMSegModelGuide', config=config,
             checkpoint=checkpoint))('a.png', image)
    assert labels.shape == (16, 24) and labels.dtype == np.uint8
    assert np.array_equal(labels, expected)


def test_config_dict_options_and_resize_back(tiny, image):
    _, checkpoint, _ = tiny
    pipeline = [
        dict(type='LoadImageFromFile'),
        dict(type='Resize', scale=(8, 8), keep_ratio=False),
        dict(type='PackSegInputs'),
    ]
    guide = MMSegModelGuide(
        Config(TINY_CONFIG),
        checkpoint,
        cfg_options=dict(test_pipeline=pipeline))
    labels = guide('a.png', image)
    assert labels.shape == (16, 24) and labels.max() < 5
    assert guide.pipeline.transforms[1].scale == (8, 8)


def test_model_is_built_lazily_and_the_cache_skips_it(tiny, image):
    config, checkpoint, _ = tiny
    guide = MMSegModelGuide(config, checkpoint)
    assert guide.model is None
    first = guide('a.png', image)
    assert not guide.model.training
    with mock.patch.object(
            guide.model, 'test_step', wraps=guide.model.test_step) as step:
        assert guide('a.png', image) is first
        assert step.call_count == 0
        guide('b.png', image)
        assert step.call_count == 1


def test_classes_from_255_are_shifted_off_the_ignore_value(tiny, image):
    config, checkpoint, _ = tiny
    guide = MMSegModelGuide(config, checkpoint)
    guide('a.png', image)
    pred = torch.tensor([[0, 254], [255, 256]])
    sample = SegDataSample(pred_sem_seg=PixelData(data=pred[None]))
    with mock.patch.object(guide.model, 'test_step', return_value=[sample]):
        labels = guide('b.png', image)
    assert labels.dtype == np.uint16
    assert labels.tolist() == [[0, 254], [256, 257]]


def test_missing_files_are_named(tiny, tmp_path):
    config, checkpoint, _ = tiny
    missing = str(tmp_path / 'nope.pth')
    with pytest.raises(FileNotFoundError, match='nope.pth.*checkpoint='):
        MMSegModelGuide(config, missing)
    with pytest.raises(FileNotFoundError, match='nope.py.*config='):
        MMSegModelGuide(str(tmp_path / 'nope.py'), checkpoint)


def test_config_without_test_pipeline_is_rejected(tiny):
    _, checkpoint, _ = tiny
    with pytest.raises(KeyError, match='test_pipeline'):
        MMSegModelGuide(dict(model=TINY_CONFIG['model']), checkpoint)
