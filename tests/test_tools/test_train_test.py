"""End to end through MMEngine's runner: train, checkpoint, reload, test."""
import json
import subprocess
import sys
from pathlib import Path

import pytest
from mmengine.runner import CheckpointLoader

from mmdynaseg.datasets import generate_demo_dataset


def completed(args, cwd, tool=None) -> subprocess.CompletedProcess:
    """Run a tool (or a command), capturing its output."""
    cmd = [sys.executable, str(tool)] + args if tool else args
    return subprocess.run(
        cmd, cwd=cwd, capture_output=True, text=True, timeout=300)


def run(args, cwd, tool=None):
    """Run a tool (or a command) and return its combined output."""
    result = completed(args, cwd, tool)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    return output


def resume_to_iter_6(tiny_config, work_dir, cwd, repo_root):
    """Resume the run in ``work_dir`` (at iteration 4) to iteration 6;
    return the log."""
    log = run([
        str(tiny_config), '--work-dir',
        str(work_dir), '--resume', '--cfg-options', 'train_cfg.max_iters=6'
    ], cwd, repo_root / 'tools/train.py')
    assert 'resumed epoch: 0, iter: 4' in log
    assert (work_dir / 'iter_6.pth').is_file()
    return log


@pytest.fixture(scope='module')
def trained(tmp_path_factory, write_tiny_config, repo_root):
    """Train the tiny config for 4 iterations (once per module), with one
    corrupt image in the training split."""
    workspace = tmp_path_factory.mktemp('e2e')
    config = write_tiny_config(workspace)
    data_root = workspace / 'data'
    generate_demo_dataset(
        str(data_root), num_train=4, num_val=2, size=(24, 24))
    (data_root / 'images/train/00004.png').write_bytes(b'corrupt')
    work_dir = workspace / 'work'
    log = run([str(config), '--work-dir', str(work_dir)], workspace,
              repo_root / 'tools/train.py')
    return config, work_dir, log


def test_train_logs_dynamic_terms_and_skips_bad_image(trained):
    _, work_dir, log = trained
    assert (work_dir / 'iter_4.pth').is_file()
    for key in ('decode.loss_sim', 'decode.loss_con', 'decode.con',
                'decode.mu', 'decode.q_prime'):
        assert key in log
    assert 'skipping: cannot read image' in log and '00004.png' in log


def test_checkpoint_loads_through_mmengine(trained):
    _, work_dir, _ = trained
    checkpoint = CheckpointLoader.load_checkpoint(str(work_dir / 'iter_4.pth'))
    assert checkpoint['meta']['iter'] == 4
    assert 'decode_head.conv_seg.weight' in checkpoint['state_dict']


def test_test_tool_reloads_checkpoint_and_reports_metrics(
        trained, tmp_path, repo_root):
    tiny_config, work_dir, _ = trained
    out_dir = tmp_path / 'test'
    log = run([
        str(tiny_config),
        str(work_dir / 'iter_4.pth'), '--work-dir',
        str(out_dir)
    ], tmp_path, repo_root / 'tools/test.py')
    assert 'Load checkpoint from' in log
    (metrics_file, ) = out_dir.glob('*/*.json')
    metrics = json.loads(metrics_file.read_text())
    assert {'mIoU', 'mAcc', 'aAcc', 'IoU.sky'} <= set(metrics)


def test_resume_and_load_from(trained, tmp_path, repo_root):
    tiny_config, work_dir, _ = trained
    resume_to_iter_6(tiny_config, work_dir, tmp_path, repo_root)
    log = run([
        str(tiny_config), '--work-dir',
        str(tmp_path / 'finetune'), '--cfg-options',
        f'load_from={work_dir / "iter_4.pth"}'
    ], tmp_path, repo_root / 'tools/train.py')
    assert 'Load checkpoint from' in log


def test_test_tool_rejects_missing_checkpoint(tiny_config, tmp_path,
                                              repo_root):
    result = subprocess.run([
        sys.executable,
        str(repo_root / 'tools/test.py'),
        str(tiny_config),
        str(tmp_path / 'none.pth')
    ],
                            capture_output=True,
                            text=True)
    assert result.returncode != 0
    assert 'none.pth' in result.stderr and 'does not exist' in result.stderr


def test_mim_train_entry_point(tiny_config, tmp_path):
    """`mim train mmdynaseg CONFIG` finds our tools from any directory."""
    outside = tmp_path / 'elsewhere'
    outside.mkdir()
    log = run([
        str(Path(sys.executable).with_name('mim')), 'train', 'mmdynaseg',
        str(tiny_config), '--work-dir',
        str(tmp_path / 'mim_work'), '--cfg-options', 'train_cfg.max_iters=2',
        'train_cfg.val_interval=2'
    ], outside)
    assert (tmp_path / 'mim_work' / 'iter_2.pth').is_file(), log


def test_mim_run_segment_with_an_installed_config_name(tmp_path):
    """`mim run mmdynaseg segment` from another folder, the config given
    by its name: resolved among the installed configs."""
    import numpy as np
    from PIL import Image
    image = tmp_path / 'photo.png'
    Image.fromarray(np.random.RandomState(0).randint(
        0, 256, (16, 16, 3), dtype=np.uint8)).save(image)
    log = run([
        str(Path(sys.executable).with_name('mim')), 'run', 'mmdynaseg',
        'segment',
        str(image), '--config', 'dynaseg_fsf_cnn_bsds500', '--out',
        str(tmp_path / 'out'), '--cfg-options', 'model.max_iters=2'
    ], tmp_path)
    assert '1 images segmented' in log
    assert (tmp_path / 'out/labels/photo.png').is_file()


def test_amp_on_cpu_trains_and_tests_in_bf16(trained, tmp_path, repo_root):
    """--amp without CUDA: bf16 autocast (AutocastOptimWrapper, no loss
    scaling) for training, TestLoop fp16 for testing (both float32 on a
    CPU without bf16 kernels); channels-last via ChannelsLastHook; finite
    losses and a checkpoint."""
    tiny_config, _, _ = trained
    config = tmp_path / 'tiny_channels_last.py'
    config.write_text(f"_base_ = '{tiny_config}'\n"
                      "custom_hooks = [dict(type='ChannelsLastHook')]\n")
    work_dir = tmp_path / 'amp'
    log = run([
        str(config), '--amp', '--work-dir',
        str(work_dir), '--cfg-options', 'train_cfg.max_iters=2'
    ], tmp_path, repo_root / 'tools/train.py')
    assert "'type': 'AutocastOptimWrapper'" in log or \
        "type='AutocastOptimWrapper'" in log
    assert 'nan' not in log.split('Iter(train)')[-1].lower()
    checkpoint = work_dir / 'iter_2.pth'
    assert checkpoint.is_file()
    log = run([
        str(config),
        str(checkpoint), '--amp', '--work-dir',
        str(tmp_path / 'amp_test')
    ], tmp_path, repo_root / 'tools/test.py')
    assert 'mIoU' in log


def test_train_tool_explains_per_image_configs(tmp_path, repo_root):
    result = subprocess.run([
        sys.executable,
        str(repo_root / 'tools/train.py'),
        str(repo_root / 'configs/dynaseg_fsf_cnn_bsds500.py')
    ],
                            capture_output=True,
                            text=True,
                            cwd=tmp_path)
    assert result.returncode != 0
    assert 'nothing to train' in result.stderr
    assert 'tools/segment.py' in result.stderr


@pytest.mark.parametrize('kind', ['garbage', 'other_model'])
def test_test_tool_refuses_bad_or_unfitting_checkpoint(
        trained, tmp_path, repo_root, kind):
    """Before: exit 0 with random weights (only MMEngine's missing-keys
    warning) or a bare UnpicklingError; now an error naming the file."""
    import torch
    tiny_config, work_dir, _ = trained
    bad = tmp_path / f'{kind}.pth'
    if kind == 'garbage':
        bad.write_bytes(b'not a checkpoint')
    else:
        checkpoint = torch.load(work_dir / 'iter_4.pth', weights_only=True)
        weight = checkpoint['state_dict'].pop('decode_head.conv_seg.weight')
        checkpoint['state_dict']['decode_head.conv_seg.weight'] = \
            weight[:2]
        torch.save(checkpoint, bad)
    result = subprocess.run([
        sys.executable,
        str(repo_root / 'tools/test.py'),
        str(tiny_config),
        str(bad), '--work-dir',
        str(tmp_path / 'out')
    ],
                            capture_output=True,
                            text=True,
                            cwd=tmp_path)
    assert result.returncode != 0
    assert f'{kind}.pth' in result.stderr
    expected = 'not a readable PyTorch checkpoint' if kind == 'garbage' \
        else 'does not fit'
    assert expected in result.stderr


def failing(args, cwd, tool):
    """Run a tool that must fail; return its stderr."""
    result = completed(args, cwd, tool)
    assert result.returncode != 0, result.stdout[-2000:]
    return result.stderr


@pytest.fixture
def resumable(trained, tmp_path):
    """A copy of the trained work dir (iter_2, iter_4; last: iter_4) and
    the genuine iter_4 checkpoint, loaded without the protection."""
    import shutil

    import torch
    _, work_dir, _ = trained
    copy = tmp_path / 'work'
    copy.mkdir()
    for name in ('iter_2.pth', 'iter_4.pth'):
        shutil.copy2(work_dir / name, copy / name)
    (copy / 'last_checkpoint').write_text(str(copy / 'iter_4.pth'))
    return copy, torch.load(copy / 'iter_4.pth', weights_only=False)


@pytest.mark.parametrize('kind', ['code', 'truncated'])
def test_resume_refuses_crafted_or_truncated_last_checkpoint(
        trained, resumable, tmp_path, repo_root, code_running_buffer, kind):
    """A getattr chain in the message hub's runtime info (it ran code when
    MMEngine deep-copied it on resume) or a truncated file: the tool names
    the file and the checkpoint to resume from instead; nothing runs."""
    import torch
    tiny_config, _, _ = trained
    work_dir, checkpoint = resumable
    marker = tmp_path / 'pwned'
    last = work_dir / 'iter_4.pth'
    if kind == 'code':
        checkpoint['message_hub']['runtime_info']['x'] = \
            code_running_buffer(marker)
        torch.save(checkpoint, last)
    else:
        last.write_bytes(last.read_bytes()[:1000])
    error = failing([str(tiny_config), '--work-dir',
                     str(work_dir), '--resume'], tmp_path,
                    repo_root / 'tools/train.py')
    assert f'{last}' in error and f'load_from={work_dir / "iter_2.pth"}' \
        in error, error
    assert ('getattr(' if kind == 'code' else 'truncated') in error
    assert 'Traceback' not in error
    # load_from, tools/test.py: refused, naming the file
    if kind == 'code':
        error = failing([
            str(tiny_config), '--work-dir',
            str(tmp_path / 'other'), '--cfg-options', f'load_from={last}'
        ], tmp_path, repo_root / 'tools/train.py')
        assert 'load_from' in error and f'{last}' in error
        error = failing([str(tiny_config), str(last)], tmp_path,
                        repo_root / 'tools/test.py')
        assert f'{last}' in error and 'getattr(' in error
    assert not marker.exists()


def test_resume_never_runs_the_checkpoints_config_text(
        trained, resumable, tmp_path, repo_root):
    """MMEngine's resume executed meta['config']; now the text is kept as
    meta['config_text'] and never run, and the resume goes on."""
    import torch
    tiny_config, _, _ = trained
    work_dir, checkpoint = resumable
    marker = tmp_path / 'pwned'
    # (MMEngine saves its config as meta['cfg'] and resume reads 'config')
    checkpoint['meta']['config'] = (
        f"__import__('os').mkdir({str(marker)!r})\n" +
        checkpoint['meta']['cfg'])
    torch.save(checkpoint, work_dir / 'iter_4.pth')
    resume_to_iter_6(tiny_config, work_dir, tmp_path, repo_root)
    assert not marker.exists()


def test_train_refuses_a_schedule_that_trains_nothing(tiny_config, tmp_path,
                                                      repo_root):
    error = failing([
        str(tiny_config), '--work-dir',
        str(tmp_path / 'w'), '--cfg-options', 'train_cfg.max_iters=-5'
    ], tmp_path, repo_root / 'tools/train.py')
    assert 'train_cfg.max_iters is -5: nothing would be trained' in error


def test_missing_dataset_is_one_message_not_a_traceback(tmp_path, repo_root):
    """The CamVid train split missing: the dataset's message alone,
    naming the train dataloader among the places to set data_root."""
    error = failing([
        str(repo_root / 'configs/dynaseg_fsf_cnn_camvid.py'), '--work-dir',
        str(tmp_path / 'w'), '--cfg-options',
        f'train_dataloader.dataset.data_root={tmp_path / "nowhere"}',
        'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False'
    ], tmp_path, repo_root / 'tools/train.py')
    assert 'Traceback' not in error
    assert 'CamVidDataset' in error and 'nowhere/images/train' in error
    assert 'train_dataloader.dataset.data_root' in error
