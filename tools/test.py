"""Evaluate a trained DynaSeg checkpoint with MMEngine's runner.

Per-image configs (``model.type='PerImageDynaSeg'``, e.g.
configs/dynaseg_fsf_cnn_bsds500.py) optimise a network on every test image
and need no checkpoint; given one, each image refines its weights.

Example:
    python tools/test.py configs/dynaseg_fsf_cnn_demo.py \
        work_dirs/dynaseg_fsf_cnn_demo/iter_300.pth \
        --out work_dirs/maps --show-dir work_dirs/overlays
    bash tools/dist_test.sh configs/dynaseg_fsf_cnn_demo.py \
        work_dirs/dynaseg_fsf_cnn_demo/iter_300.pth 2
    python tools/test.py configs/dynaseg_fsf_cnn_bsds500.py
"""
import argparse
import os

import torch
from mmengine.config import Config, DictAction
from mmengine.registry import init_default_scope
from mmengine.runner import Runner
from mmseg.registry import MODELS

from mmdynaseg.apis import use_checkpoint
from mmdynaseg.datasets import DatasetError
from mmdynaseg.engine import init_cpu_distributed
from mmdynaseg.evaluation import NothingToScoreError
from mmdynaseg.models import optimises_per_image
from mmdynaseg.utils import (CheckpointError, check_checkpoint,
                             default_work_dir, load_config, supports_autocast,
                             warn_once)


def parse_args() -> argparse.Namespace:
    """Command-line arguments, as in MMSegmentation's tools/test.py."""
    parser = argparse.ArgumentParser(description='Test a DynaSeg model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument(
        'checkpoint',
        nargs='?',
        help='checkpoint file; optional for per-image configs '
        "(model.type='PerImageDynaSeg'), which then refine it per image")
    parser.add_argument(
        '--work-dir', help='where to save the evaluation logs and metrics')
    parser.add_argument(
        '--out',
        help='write the predicted cluster ids of every image to this folder '
        'as <image name>.png (uint8, or uint16 for ids > 255)')
    parser.add_argument(
        '--show-dir',
        help='write every image blended with one colour per cluster to '
        'this folder as <image name>_overlay.png')
    parser.add_argument(
        '--amp',
        action='store_true',
        help="run the network under autocast (MMEngine's TestLoop fp16: "
        'float16 on GPU, bfloat16 on CPU; float32 on a CPU without bf16 '
        'kernels); per-image configs set their own precision '
        '(model.autocast)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def use_amp(cfg: Config, amp: bool) -> None:
    """``--amp``: MMEngine's ``TestLoop(fp16=True)`` (float16 on a GPU,
    bfloat16 on a CPU) where the device has fast kernels for it; a CPU
    without bf16 kernels (AVX2 only) emulates bf16, several times slower
    than float32 (docs/speed.md), so it tests in float32 there, with one
    warning, as ``tools/train.py --amp`` trains."""
    if not amp:
        return
    if torch.cuda.is_available() or supports_autocast('cpu', 'bfloat16'):
        cfg.test_cfg.fp16 = True
    else:
        warn_once('--amp: this cpu has no fast bfloat16 kernels; testing in '
                  'float32 instead.')


def main() -> None:
    """Build the runner, load the checkpoint and run the test loop."""
    args = parse_args()
    cfg = load_config(args.config, args.cfg_options)
    try:  # a per-image config with a checkpoint refines it per image
        use_checkpoint(cfg, args.checkpoint)
    except (ValueError, FileNotFoundError) as error:
        raise SystemExit(str(error)) from None
    if args.checkpoint is not None:
        init_default_scope(cfg.get('default_scope', 'mmseg'))
        try:  # a file that is not a checkpoint, or of another model
            check_checkpoint(args.checkpoint, MODELS.build(cfg.model))
        except CheckpointError as error:
            raise SystemExit(str(error)) from None
    cfg.launcher = args.launcher
    cfg.work_dir = args.work_dir or cfg.get('work_dir') or default_work_dir(
        args.config)
    cfg.load_from = args.checkpoint
    use_amp(cfg, args.amp)
    if optimises_per_image(cfg.model):  # minutes to hours per image
        cfg.custom_hooks = list(cfg.get('custom_hooks', [])) + [
            dict(type='PerImageProgressHook')
        ]
    if args.out or args.show_dir:
        cfg.custom_hooks = list(cfg.get('custom_hooks', [])) + [
            dict(
                type='ClusterPredictionWriterHook',
                out_dir=args.out,
                show_dir=args.show_dir)
        ]
    init_cpu_distributed(cfg, args.launcher)
    try:
        Runner.from_cfg(cfg).test()
    except (DatasetError, NothingToScoreError) as error:  # they say why
        raise SystemExit(str(error)) from None


if __name__ == '__main__':
    main()
