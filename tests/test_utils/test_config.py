from pathlib import Path

import pytest

from mmdynaseg.utils import ConfigError, load_config


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
