import os.path as osp
from pathlib import Path

import pytest
import torch
from mmseg.registry import OPTIMIZERS

from mmdynaseg.models import optimises_per_image
from mmdynaseg.utils import ConfigError, load_config
from mmdynaseg.utils.config import MIM_DIR, resolve_config


def test_config_without_custom_imports_explains_fix(tmp_path):
    path = tmp_path / 'no_imports.py'
    path.write_text("default_scope = 'mmseg'\nmodel = dict(type='X')\n")
    with pytest.raises(ConfigError, match=r"custom_imports = dict\("):
        load_config(str(path))


def test_config_with_wrong_scope(tmp_path):
    path = tmp_path / 'scope.py'
    path.write_text("custom_imports = dict(imports=['mmdynaseg'])\n"
                    "default_scope = 'mmdet'\n")
    with pytest.raises(ConfigError, match="default_scope = 'mmseg'"):
        load_config(str(path))


def test_missing_config_file():
    with pytest.raises(FileNotFoundError, match='nope.py'):
        load_config('nope.py')


def test_configs_resolve_from_any_folder(tmp_path, monkeypatch):
    """Outside the checkout, configs/x.py, x.py and x name the installed
    config; a typo gets the installed configs of similar names."""
    monkeypatch.chdir(tmp_path)
    expected = osp.realpath(
        osp.join(MIM_DIR, 'configs', 'dynaseg_scf_cnn_bsds500.py'))
    for name in ('configs/dynaseg_scf_cnn_bsds500.py',
                 'dynaseg_scf_cnn_bsds500.py', 'dynaseg_scf_cnn_bsds500'):
        assert osp.realpath(resolve_config(name)) == expected
    assert load_config('dynaseg_scf_cnn_bsds500').model.decode_head \
        .weighting.policy == 'scf'
    with pytest.raises(FileNotFoundError) as error:
        resolve_config('configs/dynaseg_fsf_cnn_bsd500.py')
    assert 'try configs/dynaseg_fsf_cnn_bsds500.py' in str(error.value)
    # a file of that name here wins
    (tmp_path / 'dynaseg_scf_cnn_bsds500.py').write_text('x = 1\n')
    assert resolve_config('dynaseg_scf_cnn_bsds500.py') == \
        'dynaseg_scf_cnn_bsds500.py'


def test_shipped_demo_configs_load(repo_root):
    fsf = load_config(str(repo_root / 'configs/dynaseg_fsf_cnn_demo.py'))
    scf = load_config(str(repo_root / 'configs/dynaseg_scf_cnn_demo.py'))
    assert fsf.model.decode_head.weighting.policy == 'fsf'
    assert scf.model.decode_head.weighting == dict(
        type='DynamicWeight', policy='scf', alpha=50.0)


def shipped_configs():
    configs = Path(__file__).resolve().parents[2] / 'configs'
    return sorted(configs.glob('*.py')) + sorted(configs.glob('examples/*.py'))


@pytest.mark.parametrize('path', shipped_configs(), ids=lambda p: p.name)
def test_every_shipped_config_builds_its_model(path):
    from mmengine.registry import init_default_scope
    from mmseg.registry import MODELS
    cfg = load_config(str(path))
    init_default_scope(cfg.default_scope)
    cfg.model.backbone.pop('init_cfg', None)  # no pretrained weights here
    model = MODELS.build(cfg.model)
    assert model.decode_head.num_classes == cfg.model.decode_head.num_classes
    if cfg.get('train_dataloader'):  # per-image configs train nothing
        pipeline = str(cfg.train_dataloader.dataset.pipeline)
        assert 'LoadAnnotations' not in pipeline


PER_IMAGE = [
    path for path in shipped_configs()
    if optimises_per_image(load_config(str(path)).model)
]


def test_per_image_configs_found():
    names = {path.name for path in PER_IMAGE}
    assert {'dynaseg_fsf_cnn_bsds500.py',
            'dynaguide_kmeans_cnn_bsds500_refine.py'} <= names


@pytest.mark.parametrize('path', PER_IMAGE, ids=lambda p: p.name)
def test_per_image_config_takes_a_learning_rate(path):
    """Every per-image config states its optimizer: one left to the class
    default gets a dict without ``type`` from
    ``--cfg-options model.optimizer.lr=...``."""
    cfg = load_config(str(path), {'model.optimizer.lr': 0.03})
    optimizer = OPTIMIZERS.build(
        dict(cfg.model.optimizer, params=[torch.nn.Parameter(torch.ones(1))]))
    assert isinstance(optimizer, torch.optim.SGD)
    assert optimizer.defaults['lr'] == 0.03
    assert optimizer.defaults['momentum'] == 0.9
