"""Loading and checking configs for the mmdynaseg tools."""
import difflib
import glob
import os.path as osp
from typing import List, Optional

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


# the package's configs, installed under mmdynaseg/.mim (setup.py)
MIM_DIR = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), '.mim')


def installed_configs() -> List[str]:
    """The configs installed with the package, as ``configs/<name>.py``
    paths relative to ``mmdynaseg/.mim``."""
    return sorted(
        osp.relpath(path, MIM_DIR)
        for path in glob.glob(osp.join(MIM_DIR, 'configs', '**', '*.py'),
                              recursive=True)
        if '_base_' not in path)


def resolve_config(path: str) -> str:
    """The config file ``path`` names: the file itself if it exists, else
    the installed config of that name (``configs/x.py``, ``x.py`` or
    ``x``), so the tools and :func:`init_model` work from any folder.

    Args:
        path (str): A config path or name.

    Returns:
        str: An existing config file.

    Raises:
        FileNotFoundError: Neither exists; the message suggests installed
            configs with similar names.
    """
    if osp.isfile(path):
        return path
    name = path if path.endswith('.py') else f'{path}.py'
    for candidate in (osp.join(MIM_DIR, name),
                      osp.join(MIM_DIR, 'configs', name)):
        if not osp.isabs(name) and osp.isfile(candidate):
            return candidate
    names = installed_configs()
    close = difflib.get_close_matches(
        osp.basename(name), [osp.basename(n) for n in names], n=3)
    hint = ', '.join(n for n in names if osp.basename(n) in close) or \
        'configs/dynaseg_fsf_cnn_demo.py'
    raise FileNotFoundError(
        f'config file {path!r} does not exist here nor among the installed '
        f'configs; try {hint} (the list: configs/README.md).')


def load_config(path: str, cfg_options: Optional[dict] = None) -> Config:
    """Read a config (:func:`resolve_config`), apply ``--cfg-options`` and
    check it for mmdynaseg."""
    path = resolve_config(path)
    cfg = Config.fromfile(path)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    check_config(cfg, path)
    return cfg


def default_work_dir(path: str) -> str:
    """``./work_dirs/<config name>``, MMSegmentation's default."""
    return osp.join('./work_dirs', osp.splitext(osp.basename(path))[0])
