"""Fixtures: datasets built from the configs."""
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.registry import DATASETS

import mmdynaseg  # noqa: F401  (registers the datasets and transforms)


@pytest.fixture
def dataset_from_config(repo_root):
    """Function ``(name, split, **overrides) -> (dataset, config)``: the
    ``<split>_dataloader`` dataset of ``configs/_base_/datasets/<name>.py``
    with ``overrides`` (e.g. ``data_root``) applied, built in mmseg's
    scope."""

    def build(name, split, **overrides):
        cfg = Config.fromfile(
            str(repo_root / 'configs/_base_/datasets' / f'{name}.py'))
        dataset_cfg = cfg[f'{split}_dataloader']['dataset']
        dataset_cfg.update(overrides)
        init_default_scope('mmseg')
        return DATASETS.build(dataset_cfg), cfg

    return build
