"""The main job: train DynaSeg on the embedded demo dataset and evaluate it.

Runs entirely offline: the demo dataset is generated under ``data/`` on
first use. Training uses no labels; the labels of the validation split are
used only for scoring (dataset-level Hungarian matching). Prints mIoU, mAcc
and pixel accuracy next to the trivial all-one-cluster baseline, and where
the checkpoint, the logs and example overlays were written; the same numbers
go to ``<work-dir>/summary.json``.

Example:
    python tools/demo.py                      # FSF weighting (default)
    python tools/demo.py --config configs/dynaseg_scf_cnn_demo.py
"""
import argparse
import json
import os
import os.path as osp
import time

import numpy as np
from mmengine.config import DictAction
from mmengine.runner import Runner
from PIL import Image

from mmdynaseg.apis import inference_model
from mmdynaseg.evaluation import UnsupervisedIoUMetric
from mmdynaseg.utils import load_config

NUM_OVERLAYS = 6


def parse_args() -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--config', default='configs/dynaseg_fsf_cnn_demo.py')
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction, default={})
    return parser.parse_args()


def one_cluster_baseline(runner: Runner) -> dict:
    """Score 'every pixel in cluster 0' with the same metric and split."""
    dataset = runner.test_dataloader.dataset
    metric = UnsupervisedIoUMetric()
    metric.dataset_meta = dataset.metainfo
    for index in range(len(dataset)):
        sample = dataset[index]['data_samples']
        gt = sample.gt_sem_seg.data
        metric.process({}, [
            dict(
                pred_sem_seg=dict(data=gt.new_zeros(gt.shape)),
                gt_sem_seg=dict(data=gt))
        ])
    return metric.compute_metrics(metric.results)


def write_overlays(runner: Runner, out_dir: str) -> None:
    """Save image | ground truth | prediction (clusters in class colours).

    Each cluster is painted in the colour of the class the metric matched it
    to; clusters matched to no class are black.
    """
    metric = runner.test_evaluator.metrics[0]
    palette = np.asarray(runner.test_dataloader.dataset.metainfo['palette'],
                         np.uint8)
    colours = np.zeros((256, 3), np.uint8)
    for cls, cluster in enumerate(metric.matched_clusters):
        if cluster >= 0:
            colours[cluster] = palette[cls]
    dataset = runner.test_dataloader.dataset
    runner.model.eval()
    for index in range(min(NUM_OVERLAYS, len(dataset))):
        sample = dataset[index]['data_samples']
        image = Image.open(sample.img_path).convert('RGB')
        gt = sample.gt_sem_seg.data[0].numpy()
        pred = inference_model(runner.model,
                               sample.img_path).pred_sem_seg.data[0].numpy()
        gt_rgb = np.where(gt[..., None] < len(palette),
                          palette[np.minimum(gt, len(palette) - 1)], 0)
        panel = np.hstack([np.asarray(image), gt_rgb, colours[pred]])
        name = osp.splitext(osp.basename(sample.img_path))[0]
        Image.fromarray(panel.astype(np.uint8)).save(
            osp.join(out_dir, f'{name}_image_gt_pred.png'))


def main() -> None:
    """Train, reload the checkpoint, evaluate, write overlays, report."""
    args = parse_args()
    cfg = load_config(args.config, args.cfg_options)
    cfg.work_dir = args.work_dir

    trainer = Runner.from_cfg(cfg.copy())
    start = time.perf_counter()
    trainer.train()
    train_seconds = time.perf_counter() - start
    with open(osp.join(cfg.work_dir, 'last_checkpoint')) as f:
        checkpoint = f.read().strip()

    cfg.load_from = checkpoint
    tester = Runner.from_cfg(cfg)
    metrics = tester.test()
    baseline = one_cluster_baseline(tester)
    overlay_dir = osp.join(tester.log_dir, 'overlays')
    os.makedirs(overlay_dir, exist_ok=True)
    write_overlays(tester, overlay_dir)

    rows = [('DynaSeg (' + osp.basename(args.config) + ')', metrics),
            ('all-one-cluster baseline', baseline)]
    print('\n=== mmdynaseg demo: validation split, dataset-level Hungarian '
          'matching ===')
    print(f"{'method':<42}{'mIoU':>8}{'mAcc':>8}{'aAcc':>8}")
    for name, values in rows:
        print(f'{name:<42}' + ''.join(f'{values[key]:8.2f}'
                                      for key in ('mIoU', 'mAcc', 'aAcc')))
    print(f'checkpoint: {checkpoint}')
    print(f'logs:       {trainer.log_dir} (training), '
          f'{tester.log_dir} (evaluation)')
    print(f'overlays:   {overlay_dir}')
    summary = dict(
        config=args.config,
        protocol='dataset-level Hungarian',
        split='val',
        dynaseg=metrics,
        all_one_cluster_baseline=baseline,
        train_seconds=train_seconds,
        checkpoint=checkpoint,
        overlays=overlay_dir)
    with open(osp.join(cfg.work_dir, 'summary.json'), 'w') as f:
        json.dump(summary, f, indent=2)


if __name__ == '__main__':
    main()
