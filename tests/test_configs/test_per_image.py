"""Every per-image config states its optimizer, so that
``--cfg-options model.optimizer.lr=...`` changes the learning rate (a
config that leaves it to the class default gets a dict without ``type``)."""
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmseg.registry import OPTIMIZERS

from mmdynaseg.utils import load_config

REPO = Path(__file__).resolve().parents[2]
PER_IMAGE = [
    path for path in sorted((REPO / 'configs').rglob('*.py'))
    if '_base_' not in path.parts
    and Config.fromfile(str(path)).model.get('type') == 'PerImageDynaSeg'
]


def test_per_image_configs_found():
    names = {path.name for path in PER_IMAGE}
    assert {'dynaseg_fsf_cnn_bsds500.py',
            'dynaguide_kmeans_cnn_bsds500_refine.py'} <= names


@pytest.mark.parametrize('path', PER_IMAGE, ids=lambda p: p.name)
def test_learning_rate_option(path):
    cfg = load_config(str(path), {'model.optimizer.lr': 0.03})
    optimizer = OPTIMIZERS.build(
        dict(cfg.model.optimizer, params=[torch.nn.Parameter(torch.ones(1))]))
    assert isinstance(optimizer, torch.optim.SGD)
    assert optimizer.defaults['lr'] == 0.03
    assert optimizer.defaults['momentum'] == 0.9
