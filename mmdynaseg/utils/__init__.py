"""Utilities of mmdynaseg."""
from .checkpoint import load_local_checkpoint
from .config import ConfigError, check_config, default_work_dir, load_config

__all__ = [
    'ConfigError', 'check_config', 'default_work_dir', 'load_config',
    'load_local_checkpoint'
]
