"""Per-image configs, and tools/test.py running them with(out) checkpoint."""
import importlib.util
import json
import subprocess
import sys

import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS

from mmdynaseg.models import optimises_per_image
from mmdynaseg.utils import load_config, read_label_png

CONFIGS = {
    'configs/dynaseg_fsf_cnn_bsds500.py': ('fsf', 15.0, 'BSDS500Dataset'),
    'configs/dynaseg_scf_cnn_bsds500.py': ('scf', 50.0, 'BSDS500Dataset'),
    'configs/dynaseg_fsf_cnn_voc.py': ('fsf', 15.0, 'PascalVOCDataset'),
    'configs/dynaseg_scf_cnn_voc.py': ('scf', 50.0, 'PascalVOCDataset'),
}
BSDS = 'configs/dynaseg_fsf_cnn_bsds500.py'
TINY_MODEL = {
    f'model.{key}': 8
    for key in ('backbone.channels', 'decode_head.in_channels',
                'decode_head.channels', 'decode_head.num_classes')
}
TINY = [f'{key}={value}' for key, value in TINY_MODEL.items()] + [
    'model.max_iters=2', 'test_dataloader.num_workers=0',
    'test_dataloader.persistent_workers=False'
]


@pytest.mark.parametrize('path', sorted(CONFIGS))
def test_config_matches_the_paper_setting(repo_root, path):
    policy, alpha, dataset = CONFIGS[path]
    cfg = load_config(str(repo_root / path))
    assert optimises_per_image(cfg.model)
    model = cfg.model
    assert model.max_iters == 1000 and model.stop_threshold == 3
    assert model.init == 'fresh'
    assert model.optimizer == dict(type='SGD', lr=0.1, momentum=0.9)
    assert (model.backbone.channels, model.backbone.num_convs) == (100, 3)
    assert model.decode_head.num_classes == 100
    assert model.decode_head.weighting == dict(
        type='DynamicWeight', policy=policy, alpha=alpha)
    assert cfg.test_dataloader.dataset.type == dataset
    assert cfg.test_evaluator.type == 'SegmentCoveringMetric'
    assert cfg.train_dataloader is None and cfg.val_dataloader is None


def test_reference_config_builds_as_the_published_script(repo_root):
    """nConv 2 with bias and PyTorch's init, BGR / 255, the step at the
    stop taken, float32 eager; the rest as the paper's config."""
    cfg = load_config(
        str(repo_root / 'configs/dynaseg_fsf_cnn_bsds500_reference.py'))
    model = cfg.model
    assert (model.backbone.num_convs, model.backbone.conv_bias,
            model.backbone.conv_init) == (2, True, 'pytorch')
    assert model.data_preprocessor.bgr_to_rgb is False
    assert model.data_preprocessor.std == [255.0] * 3
    assert model.step_at_stop is True
    assert (model.autocast, model.channels_last, model.compile) == (None,
                                                                    False,
                                                                    False)
    assert model.optimizer == dict(type='SGD', lr=0.1, momentum=0.9)
    assert model.max_iters == 1000 and model.stop_threshold == 3
    assert model.decode_head.weighting == dict(
        type='DynamicWeight', policy='fsf', alpha=15.0)


@pytest.fixture
def bsds_root(tmp_path, write_bsds500):
    """Two 24 x 24 BSDS500 test images (left / right halves of two
    colours), each with one annotator drawing the halves."""
    halves = np.ones((24, 24), np.uint16)
    halves[:, 12:] = 2
    images = {}
    for index, colour in enumerate((40, 90)):
        image = np.full((24, 24, 3), colour, np.uint8)
        image[:, 12:] = 220
        images[str(index)] = image
    return write_bsds500(tmp_path / 'bsds', 'test', images, halves)


def launch_test_tool(repo_root, tmp_path, bsds_root, name, *options,
                     cfg_options=()):
    """tools/test.py on the fixture; returns the finished process."""
    args = [
        str(repo_root / 'tools/test.py'),
        str(repo_root / BSDS), *options, '--work-dir',
        str(tmp_path / name), '--out',
        str(tmp_path / name / 'maps'), '--cfg-options',
        f'test_dataloader.dataset.data_root={bsds_root}'
    ] + TINY + list(cfg_options)
    return subprocess.run([sys.executable] + args,
                          cwd=tmp_path,
                          capture_output=True,
                          text=True,
                          timeout=300)


def run_test_tool(repo_root, tmp_path, bsds_root, name, checkpoint=None):
    """tools/test.py on the fixture; returns (log, metrics, label maps)."""
    result = launch_test_tool(repo_root, tmp_path, bsds_root, name,
                              *([checkpoint] if checkpoint else []))
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-4000:]
    (metrics_file, ) = (tmp_path / name).glob('*/*.json')
    maps = [
        read_label_png(str(tmp_path / name / f'maps/{index}.png'))
        for index in range(2)
    ]
    return log, json.loads(metrics_file.read_text()), maps


def save_checkpoint(repo_root, path, seed):
    """A checkpoint of the tiny model's fresh weights under ``seed``."""
    cfg = load_config(str(repo_root / BSDS), TINY_MODEL)
    init_default_scope('mmseg')
    model = MODELS.build(dict(cfg.model, seed=seed))
    torch.save(dict(state_dict=model.state_dict(), meta={}), path)
    return str(path)


def test_test_tool_runs_without_and_refines_a_checkpoint(
        repo_root, tmp_path, bsds_root):
    log, metrics, fresh = run_test_tool(repo_root, tmp_path, bsds_root,
                                        'fresh')
    assert 'Load checkpoint from' not in log
    assert {'All', 'Fine', 'Coarse', 'Mean'} <= set(metrics)
    assert 0 <= metrics['All'] <= 100
    assert all(labels.shape == (24, 24) for labels in fresh)
    # the fresh seed-0 weights as a checkpoint: refined into the same maps
    same = save_checkpoint(repo_root, tmp_path / 'seed0.pth', seed=0)
    log, _, maps = run_test_tool(repo_root, tmp_path, bsds_root, 'same',
                                 same)
    assert 'Load checkpoint from' in log
    for expected, labels in zip(fresh, maps):
        np.testing.assert_array_equal(labels, expected)
    # other weights: other start, other maps
    other = save_checkpoint(repo_root, tmp_path / 'seed1.pth', seed=1)
    _, _, maps = run_test_tool(repo_root, tmp_path, bsds_root, 'other',
                               other)
    assert any(not np.array_equal(a, b) for a, b in zip(fresh, maps))


def test_test_tool_reports_images_whose_loss_became_non_finite(
        repo_root, tmp_path, bsds_root):
    """lr = nan: every image fails; the run ends with one message saying
    so and why, no traceback, and writes no one-cluster maps."""
    result = launch_test_tool(
        repo_root, tmp_path, bsds_root, 'nan',
        cfg_options=['model.optimizer.lr=nan', 'model.stop_threshold=None'])
    assert result.returncode != 0
    assert 'Traceback' not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith(
        'all 2 images failed, so there is nothing to score; the first:')
    assert 'the loss is nan at step 1' in result.stderr
    assert not list((tmp_path / 'nan' / 'maps').glob('*.png'))


def test_test_tool_needs_checkpoint_for_trained_configs(
        repo_root, monkeypatch):
    spec = importlib.util.spec_from_file_location(
        'test_tool', repo_root / 'tools/test.py')
    test_tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(test_tool)
    trained = str(repo_root / 'configs/dynaseg_fsf_cnn_bsds500_trained.py')
    monkeypatch.setattr(sys, 'argv', ['test.py', trained])
    with pytest.raises(SystemExit, match='give its checkpoint'):
        test_tool.main()
