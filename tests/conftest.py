"""Shared fixtures: the repository root and a tiny end-to-end config."""
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]

TINY_CONFIG = """\
_base_ = '{repo}/configs/dynaseg_fsf_cnn_demo.py'
data_root = '{data_root}'
generate = dict(num_train=4, num_val=2, size=(24, 24))
train_dataloader = dict(
    batch_size=2, dataset=dict(data_root=data_root, generate=generate))
val_dataloader = dict(dataset=dict(data_root=data_root, generate=generate))
test_dataloader = val_dataloader
model = dict(
    backbone=dict(channels=8),
    decode_head=dict(in_channels=8, channels=8, num_classes=8))
train_cfg = dict(max_iters=4, val_interval=4)
default_hooks = dict(
    checkpoint=dict(interval=2), logger=dict(interval=1))
"""


@pytest.fixture(scope='session')
def repo_root() -> Path:
    """Root of the mmdynaseg checkout."""
    return REPO_ROOT


def _write_tiny_config(directory: Path) -> Path:
    path = directory / 'tiny_dynaseg.py'
    path.write_text(
        TINY_CONFIG.format(repo=REPO_ROOT, data_root=directory / 'data'))
    return path


@pytest.fixture(scope='session')
def write_tiny_config():
    """Function writing a 4-iteration DynaSeg config into a folder; its demo
    data lives in ``<folder>/data``."""
    return _write_tiny_config


@pytest.fixture
def tiny_config(tmp_path) -> Path:
    """A 4-iteration DynaSeg config on a tiny generated demo dataset."""
    return _write_tiny_config(tmp_path)
