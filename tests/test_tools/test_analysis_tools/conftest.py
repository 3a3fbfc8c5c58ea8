"""Fixtures of the analysis-tool tests: the tools as modules, tiny
images."""
import importlib.util
import sys

import mmcv
import numpy as np
import pytest


@pytest.fixture(scope='session')
def load_tool(repo_root):
    """Function ``name -> module`` of ``tools/analysis_tools/<name>.py``
    (tools/ is not a package; its scripts import their shared
    ``benchmark_common`` from their own folder, as Python does for a
    script)."""
    folder = str(repo_root / 'tools' / 'analysis_tools')
    if folder not in sys.path:
        sys.path.insert(0, folder)

    def load(name):
        spec = importlib.util.spec_from_file_location(
            name, repo_root / 'tools' / 'analysis_tools' / f'{name}.py')
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return load


@pytest.fixture
def tiny_images(tmp_path):
    """Function ``(num=2, size=(12, 16)) -> glob`` of seeded random PNGs
    with few distinct colours."""

    def write(num=2, size=(12, 16)):
        rng = np.random.default_rng(0)
        palette = rng.integers(0, 256, size=(6, 3), dtype=np.uint8)
        for i in range(num):
            image = palette[rng.integers(0, len(palette), size=size)]
            mmcv.imwrite(image, str(tmp_path / f'{i}.png'))
        return str(tmp_path / '*.png')

    return write
