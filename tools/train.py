"""Train a DynaSeg model with MMEngine's runner (no labels are used).

Example:
    python tools/train.py configs/dynaseg_fsf_cnn_demo.py
    mim train mmdynaseg configs/dynaseg_fsf_cnn_demo.py
"""
import argparse
import glob
import os
import os.path as osp

import torch
from mmengine.config import DictAction
from mmengine.runner import Runner, find_latest_checkpoint

from mmdynaseg.datasets import DatasetError
from mmdynaseg.engine import init_cpu_distributed
from mmdynaseg.models import optimises_per_image
from mmdynaseg.utils import (CheckpointError, default_work_dir,
                             load_checkpoint_file, load_config)


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
        '--amp',
        action='store_true',
        help='enable mixed precision training (GPU: float16 with loss '
        'scaling, as MMSegmentation; CPU: bfloat16 autocast)')
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


def check_resume_checkpoint(work_dir: str) -> None:
    """Load the checkpoint ``--resume`` would resume from, and stop with a
    message naming it and the checkpoint before it if it cannot be
    loaded (truncated, or holding more than MMEngine's training state)."""
    latest = find_latest_checkpoint(work_dir)
    if latest is None:
        return
    try:
        load_checkpoint_file(latest)
    except (CheckpointError, FileNotFoundError) as error:
        earlier = sorted(
            (path for path in glob.glob(osp.join(work_dir, '*.pth'))
             if not osp.samefile(path, latest)),
            key=osp.getmtime) if osp.isfile(latest) else []
        fix = (f'resume from the one before it: add --cfg-options '
               f'load_from={earlier[-1]} to --resume') if earlier else \
            'train again without --resume'
        raise SystemExit(f'--resume: {error} To {fix}.') from None


def main() -> None:
    """Build the runner from the config and train."""
    args = parse_args()
    cfg = load_config(args.config, args.cfg_options)
    if optimises_per_image(cfg.model):
        raise SystemExit(
            f'{args.config} optimises a network on each test image alone '
            '(PerImageDynaSeg): there is nothing to train. Run it with '
            f'tools/test.py {args.config} (scores its test split) or '
            f'tools/segment.py IMAGES --config {args.config} --out DIR; to '
            'train one network on a dataset, use a config such as '
            'configs/dynaseg_fsf_cnn_bsds500_trained.py.')
    for key in ('max_iters', 'max_epochs'):
        if (cfg.get('train_cfg') or {}).get(key, 1) < 1:
            raise SystemExit(
                f'train_cfg.{key} is {cfg.train_cfg[key]}: nothing would be '
                'trained; set it to 1 or more.')
    cfg.launcher = args.launcher
    cfg.work_dir = args.work_dir or cfg.get('work_dir') or default_work_dir(
        args.config)
    if args.amp and torch.cuda.is_available():
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    elif args.amp:  # MMEngine's AmpOptimWrapper needs a GPU
        cfg.optim_wrapper.type = 'AutocastOptimWrapper'
        cfg.optim_wrapper.setdefault('dtype', 'bfloat16')
    cfg.resume = args.resume or cfg.get('resume', False)
    if cfg.get('load_from'):
        try:  # MMEngine's own error would not name the file
            load_checkpoint_file(cfg.load_from)
        except (CheckpointError, FileNotFoundError) as error:
            raise SystemExit(f'load_from: {error}') from None
    elif cfg.resume:
        check_resume_checkpoint(cfg.work_dir)
    init_cpu_distributed(cfg, args.launcher)
    try:
        Runner.from_cfg(cfg).train()
    except DatasetError as error:  # its message says what to fix
        raise SystemExit(str(error)) from None


if __name__ == '__main__':
    main()
