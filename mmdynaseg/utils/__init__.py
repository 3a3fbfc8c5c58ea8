"""Utilities of mmdynaseg."""
from .checkpoint import (MMENGINE_CHECKPOINT_GLOBALS, CheckpointError,
                         check_checkpoint, load_checkpoint_file)
from .config import ConfigError, check_config, default_work_dir, load_config
from .fileio import (atomic_output, remove_partial_files, write_bytes,
                     write_text)
from .precision import supports_autocast, warn_once

__all__ = [
    'ConfigError', 'check_config', 'default_work_dir', 'load_config',
    'atomic_output', 'remove_partial_files', 'write_bytes', 'write_text',
    'MMENGINE_CHECKPOINT_GLOBALS', 'CheckpointError', 'check_checkpoint',
    'load_checkpoint_file', 'supports_autocast', 'warn_once'
]
