import socket

import pytest
import torch
import torch.distributed as torch_dist
from mmengine.config import Config

from mmdynaseg.engine import init_cpu_distributed
from mmdynaseg.utils import ConfigError


def config(backend):
    return Config(dict(env_cfg=dict(dist_cfg=dict(backend=backend))))


@pytest.fixture
def no_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def test_nothing_to_do_without_pytorch_launcher(no_cuda):
    cfg = config('nccl')
    init_cpu_distributed(cfg, 'none')
    assert 'model_wrapper_cfg' not in cfg and not torch_dist.is_initialized()


def test_nccl_on_cpu_names_the_fix(no_cuda):
    with pytest.raises(ConfigError, match='env_cfg.dist_cfg.backend=gloo'):
        init_cpu_distributed(config('nccl'), 'pytorch')


def test_gloo_process_group_and_cpu_wrapper(no_cuda, monkeypatch):
    for name, value in dict(
            RANK='0', LOCAL_RANK='0', WORLD_SIZE='1',
            MASTER_ADDR='127.0.0.1', MASTER_PORT=str(free_port())).items():
        monkeypatch.setenv(name, value)
    cfg = config('gloo')
    cfg.env_cfg.dist_cfg.timeout = 60
    try:
        init_cpu_distributed(cfg, 'pytorch')
        assert torch_dist.get_backend() == 'gloo'
        assert torch_dist.get_world_size() == 1
    finally:
        if torch_dist.is_initialized():
            torch_dist.destroy_process_group()
    assert cfg.model_wrapper_cfg == dict(
        type='MMDistributedDataParallel',
        device_ids=None,
        broadcast_buffers=False,
        find_unused_parameters=False)
