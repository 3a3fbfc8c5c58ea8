"""Loading and checking configs for the mmdynaseg tools."""
import os.path as osp
from typing import Optional

from mmengine.config import Config

FIX_IMPORTS = ("custom_imports = dict(imports=['mmdynaseg'], "
               'allow_failed_imports=False)')


class ConfigError(ValueError):
    """A config cannot work with mmdynaseg; the message says how to fix it."""


def check_config(cfg: Config, path: str) -> None:
    """Raise :class:`ConfigError` if ``cfg`` does not load the plugin.

    The DynaSeg modules live in ``mmseg``'s registries only after
    ``import mmdynaseg``; without ``custom_imports`` (or with another
    ``default_scope``) MMEngine would fail later with a bare ``KeyError``.
    """
    imports = cfg.get('custom_imports', {}).get('imports', [])
    if isinstance(imports, str):
        imports = [imports]
    if not any(name.split('.')[0] == 'mmdynaseg' for name in imports):
        raise ConfigError(
            f'{path} does not import mmdynaseg, so its models and datasets '
            f'are not registered. Add `{FIX_IMPORTS}` to the config, or '
            'inherit configs/_base_/default_runtime.py in its _base_.')
    if cfg.get('default_scope') != 'mmseg':
        raise ConfigError(
            f"{path} has default_scope={cfg.get('default_scope')!r}; "
            "mmdynaseg registers into MMSegmentation, so set "
            "default_scope = 'mmseg'.")


def load_config(path: str, cfg_options: Optional[dict] = None) -> Config:
    """Read a config, apply ``--cfg-options`` and check it for mmdynaseg."""
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'config file {path!r} does not exist; pass a path such as '
            'configs/dynaseg_fsf_cnn_demo.py.')
    cfg = Config.fromfile(path)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    check_config(cfg, path)
    return cfg


def default_work_dir(path: str) -> str:
    """``./work_dirs/<config name>``, MMSegmentation's default."""
    return osp.join('./work_dirs', osp.splitext(osp.basename(path))[0])
