"""Distributed runs with ``--launcher pytorch`` on machines without CUDA."""
import datetime

import torch
import torch.distributed as torch_dist
from mmengine.config import Config

from ..utils import ConfigError


def init_cpu_distributed(cfg: Config, launcher: str) -> None:
    """Start a CPU (gloo) process group where MMEngine would fail to.

    With ``--launcher pytorch``, MMEngine 0.10 calls
    ``torch.cuda.set_device`` before creating the process group and wraps
    the model in ``DistributedDataParallel`` with
    ``device_ids=[LOCAL_RANK]``; both fail without CUDA. On such a machine
    this function creates the process group itself from the environment
    that ``torchrun`` sets (MMEngine's runner then uses it as it is) and
    sets ``cfg.model_wrapper_cfg`` to a DDP wrapper without device ids,
    which is how DDP runs on CPU. It does nothing when CUDA is available
    or for other launchers; a ``model_wrapper_cfg`` already in the config is
    kept as it is.

    Args:
        cfg (Config): The config; ``env_cfg.dist_cfg`` must select the
            ``gloo`` backend (``nccl`` needs GPUs).
        launcher (str): The ``--launcher`` argument of the tool.

    Raises:
        ConfigError: If the backend is not ``gloo``.
    """
    if launcher != 'pytorch' or torch.cuda.is_available():
        return
    dist_cfg = dict(cfg.get('env_cfg', {}).get('dist_cfg', {}))
    backend = dist_cfg.pop('backend', 'nccl')
    if backend != 'gloo':
        raise ConfigError(
            f"the distributed backend {backend!r} needs CUDA GPUs, and this "
            'machine has none; on CPUs add --cfg-options '
            'env_cfg.dist_cfg.backend=gloo')
    if 'timeout' in dist_cfg:  # seconds in MMEngine configs
        dist_cfg['timeout'] = datetime.timedelta(seconds=dist_cfg['timeout'])
    if not torch_dist.is_initialized():
        torch_dist.init_process_group(backend=backend, **dist_cfg)
    if cfg.get('model_wrapper_cfg') is None:
        cfg.model_wrapper_cfg = dict(
            type='MMDistributedDataParallel',
            device_ids=None,
            broadcast_buffers=False,
            find_unused_parameters=cfg.get('find_unused_parameters', False))
