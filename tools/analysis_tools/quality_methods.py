"""The methods of benchmark_quality.py: per-image configs and baselines.

``quality_methods.yml`` names them: a per-image method is a config and the
cfg-options it adds; a baseline is a guide config (it segments the image
by itself) or the DynaGuide config whose guide it is.
"""
import argparse
import hashlib
import json
import os.path as osp
from typing import Dict, List, Optional, Tuple

import yaml
from mmengine import Config

from mmdynaseg.utils import load_config

# the repository (this file is tools/analysis_tools/<name>.py)
ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
# the methods by name (quality_methods.yml; --methods-file adds others)
METHODS_FILE = osp.join(osp.dirname(osp.abspath(__file__)),
                        'quality_methods.yml')


def load_methods(path: str) -> Tuple[Dict[str, tuple], Dict[str, object]]:
    """The methods of a YAML file (see ``quality_methods.yml``).

    Returns:
        tuple: name -> (config, cfg_options) of the per-image methods, and
        name -> guide config (or DynaGuide config) of the baselines.
    """
    try:
        with open(path) as f:
            methods = yaml.safe_load(f) or {}
        per_image = {
            name: (method['config'], dict(method.get('cfg_options') or {}))
            for name, method in (methods.get('per_image') or {}).items()
        }
        return per_image, dict(methods.get('baselines') or {})
    except (OSError, yaml.YAMLError, KeyError, TypeError,
            AttributeError) as error:
        raise SystemExit(
            f'cannot read the methods of {path} ({error}): give a YAML file '
            'shaped as tools/analysis_tools/quality_methods.yml.') from None


NETWORK_METHODS, BASELINES = load_methods(METHODS_FILE)
DEFAULT_QUALITY = ('kmeans_lab', 'felzenszwalb', 'slic', 'dynaseg_fsf',
                   'dynaseg_scf', 'dynaguide_kmeans', 'dynaguide_slic',
                   'dynaguide_felzenszwalb')


def quality_config(name: str, args: argparse.Namespace) -> Config:
    """The config of a per-image method for the quality benchmark.

    It gets the run's data root and split and, where the method does not
    set them itself, ``--max-iters``, ``--optimise-scale``,
    ``--autocast`` and ``--cfg-options``, and ``--record-iters``.
    """
    config, method_options = NETWORK_METHODS[name]
    options = {
        'test_dataloader.dataset.data_root': args.data_root,
        'test_dataloader.dataset.data_prefix': dict(
            img_path=f'images/{args.split}',
            seg_map_path=f'groundTruth/{args.split}'),
    }
    for key, value in (('model.max_iters', args.max_iters),
                       ('model.optimise_scale', args.optimise_scale),
                       ('model.autocast', args.autocast)):
        if value is not None:
            options[key] = value
    options.update(args.cfg_options or {})
    options.update(method_options)
    if args.record_iters:
        options['model.record_iters'] = args.record_iters
    return load_config(osp.join(ROOT, config), options)


def method_fingerprint(name: str) -> str:
    """A digest of a method's own config (its config file, with its
    ``_base_`` files and its options, or a baseline's guide config),
    without the run's settings, which the results file checks itself:
    every result records it, so a config changed since is caught."""
    if name in NETWORK_METHODS:
        config, method_options = NETWORK_METHODS[name]
        content = load_config(osp.join(ROOT, config),
                              method_options).to_dict()
    else:
        content = baseline_guide(name)
    text = json.dumps(content, sort_keys=True, default=repr)
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def config_guide(cfg: Config) -> Optional[dict]:
    """The guide config of a DynaGuide config (its ``LoadGuidance`` step),
    or None for a config without a guide."""
    guides = [
        step['guide'] for step in cfg.test_dataloader.dataset.pipeline
        if step['type'] == 'LoadGuidance'
    ]
    return guides[0] if guides else None


def baseline_guide(name: str) -> dict:
    """The guide config of a baseline (``BASELINES``)."""
    guide_cfg = BASELINES[name]
    if isinstance(guide_cfg, str):
        guide_cfg = config_guide(load_config(osp.join(ROOT, guide_cfg)))
    return guide_cfg


def guide_baseline(cfg: Config, methods: List[str]) -> Optional[str]:
    """The baseline among ``methods`` that is the guide of a per-image
    method (its config ``cfg``) alone, or None (no guide, or that guide is
    not run)."""
    guide = config_guide(cfg)
    if guide is None:
        return None
    return next((baseline for baseline in methods if baseline in BASELINES
                 and baseline_guide(baseline) == guide), None)


def resolve_methods(args: argparse.Namespace) -> List[str]:
    """The names of ``--methods``, after adding ``--methods-file``'s; a
    config file is a per-image method named by its stem."""
    if getattr(args, 'methods_file', None):
        per_image, baselines = load_methods(args.methods_file)
        NETWORK_METHODS.update(per_image)
        BASELINES.update(baselines)
    methods = []
    for name in args.methods:
        if name.endswith('.py') and name not in NETWORK_METHODS:
            stem = osp.splitext(osp.basename(name))[0]
            NETWORK_METHODS[stem] = (osp.abspath(name), {})
            name = stem
        methods.append(name)
    unknown = set(methods) - set(NETWORK_METHODS) - set(BASELINES)
    if unknown:
        raise SystemExit(
            f'unknown methods {sorted(unknown)}; choose from '
            f'{sorted(NETWORK_METHODS) + sorted(BASELINES)}.')
    return methods
