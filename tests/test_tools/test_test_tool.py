"""tools/test.py: --amp only where the device has fast kernels for it."""
import importlib.util

import pytest
from mmengine.config import Config


@pytest.fixture
def test_tool(repo_root):
    spec = importlib.util.spec_from_file_location(
        'test_tool', repo_root / 'tools' / 'test.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize('cuda,bf16,fp16', [(False, True, True),
                                            (False, False, False),
                                            (True, False, True)])
def test_amp_only_with_fast_kernels(test_tool, monkeypatch, cuda, bf16,
                                    fp16):
    """A CPU without bf16 kernels tests in float32 (with a warning); a CPU
    with them, or a GPU, gets MMEngine's TestLoop(fp16=True)."""
    warnings = []
    monkeypatch.setattr(test_tool.torch.cuda, 'is_available', lambda: cuda)
    monkeypatch.setattr(test_tool, 'supports_autocast', lambda *args: bf16)
    monkeypatch.setattr(test_tool, 'warn_once', warnings.append)
    cfg = Config(dict(test_cfg=dict(type='TestLoop')))
    test_tool.use_amp(cfg, True)
    assert cfg.test_cfg.get('fp16', False) is fp16
    assert len(warnings) == (not fp16)
    plain = Config(dict(test_cfg=dict(type='TestLoop')))
    test_tool.use_amp(plain, False)
    assert 'fp16' not in plain.test_cfg
