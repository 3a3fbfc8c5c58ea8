"""DynaGuide end to end: guided training through MMEngine's runner."""
import pytest
from mmengine.runner import Runner

from mmdynaseg.models.losses import HuberContinuityLoss
from mmdynaseg.utils import load_config


def test_guided_training_through_the_runner(tiny_config, tmp_path):
    cache_dir = tmp_path / 'guides'
    cfg = load_config(
        str(tiny_config), {
            'train_dataloader.dataset.pipeline': [
                dict(type='LoadImageOrSkip', on_error='skip'),
                dict(type='LoadGuidance',
                     guide=dict(type='KMeansColorGuide', k=4,
                                cache_dir=str(cache_dir))),
                dict(type='RandomFlip', prob=0.5),
                dict(type='PackGuidedSegInputs'),
            ],
            'model.decode_head.loss_con': dict(type='HuberContinuityLoss'),
            'model.decode_head.loss_guide': dict(type='GuidanceLoss'),
            'train_cfg.max_iters': 2,
            'train_cfg.val_interval': 100,
            'work_dir': str(tmp_path / 'work'),
        })
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert isinstance(runner.model.decode_head.loss_con, HuberContinuityLoss)
    hub = runner.message_hub
    assert hub.get_scalar('train/decode.loss_guide').current() > 0
    total = sum(
        hub.get_scalar(f'train/decode.{key}').current()
        for key in ('loss_sim', 'loss_con', 'loss_guide'))
    assert hub.get_scalar('train/loss').current() == pytest.approx(total)
    # 2 iterations x 2 images, drawn from the 4 training images
    assert 2 <= len(list(cache_dir.glob('*.png'))) <= 4
