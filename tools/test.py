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

from mmengine.config import DictAction
from mmengine.registry import init_default_scope
from mmengine.runner import Runner
from mmseg.registry import MODELS

from mmdynaseg.apis import use_checkpoint
from mmdynaseg.engine import init_cpu_distributed
from mmdynaseg.utils import (CheckpointError, check_checkpoint,
                             default_work_dir, load_config)


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
        'float16 on GPU, bfloat16 on CPU); per-image configs set their own '
        'precision (model.autocast)')
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
    if args.amp:
        cfg.test_cfg.fp16 = True
    if args.out or args.show_dir:
        cfg.custom_hooks = list(cfg.get('custom_hooks', [])) + [
            dict(
                type='ClusterPredictionWriterHook',
                out_dir=args.out,
                show_dir=args.show_dir)
        ]
    init_cpu_distributed(cfg, args.launcher)
    Runner.from_cfg(cfg).test()


if __name__ == '__main__':
    main()
