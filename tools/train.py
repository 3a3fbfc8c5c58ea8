"""Train a DynaSeg model with MMEngine's runner (no labels are used).

Example:
    python tools/train.py configs/dynaseg_fsf_cnn_demo.py
    mim train mmdynaseg configs/dynaseg_fsf_cnn_demo.py
"""
import argparse
import os

from mmengine.config import DictAction
from mmengine.runner import Runner

from mmdynaseg.engine import init_cpu_distributed
from mmdynaseg.utils import default_work_dir, load_config


def parse_args() -> argparse.Namespace:
    """Command-line arguments, as in MMSegmentation's tools/train.py."""
    parser = argparse.ArgumentParser(description='Train a DynaSeg model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='where to save logs and models')
    parser.add_argument(
        '--resume',
        action='store_true',
        help='resume from the latest checkpoint in the work dir')
    parser.add_argument(
        '--amp', action='store_true', help='enable mixed precision training')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, e.g. '
        'model.decode_head.weighting.alpha=20')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main() -> None:
    """Build the runner from the config and train."""
    args = parse_args()
    cfg = load_config(args.config, args.cfg_options)
    cfg.launcher = args.launcher
    cfg.work_dir = args.work_dir or cfg.get('work_dir') or default_work_dir(
        args.config)
    if args.amp:
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    cfg.resume = args.resume or cfg.get('resume', False)
    init_cpu_distributed(cfg, args.launcher)
    Runner.from_cfg(cfg).train()


if __name__ == '__main__':
    main()
