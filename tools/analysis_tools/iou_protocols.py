"""Score one set of cluster predictions with every Hungarian-matching
protocol of :class:`UnsupervisedIoUMetric`, side by side.

The same predictions give different numbers under the dataset-level
matching (PiCIE / STEGO), the per-image matching over the classes present
(ours) and the per-image matching over all classes (the DynaSeg reference
evaluator); this shows how far apart they are. Predictions are label PNGs
named by image stem (e.g. from ``tools/test.py --out``) or a guide run on
the fly (e.g. k-means of Lab colours).

Example (CamVid val, k-means with k = 11, docs/results.md):
    python tools/analysis_tools/iou_protocols.py \
        configs/dynaseg_fsf_cnn_camvid.py --split val \
        --guide type=KMeansColorGuide k=11 \
        --cfg-options val_dataloader.dataset.data_root=data/camvid \
        --out docs/benchmarks/iou_protocols_camvid.json
"""
import argparse
import json
import os.path as osp
import sys
from typing import Dict, Optional

import numpy as np
import torch
from mmengine.config import DictAction
from mmengine.registry import init_default_scope
from mmseg.registry import DATASETS, METRICS, TASK_UTILS

from mmdynaseg.evaluation.metrics.unsupervised_iou_metric import PROTOCOLS
from mmdynaseg.utils import load_config, read_label_png, write_text


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='config whose dataset to score on')
    parser.add_argument('--split',
                        choices=('val', 'test'),
                        default='val',
                        help='score on val_dataloader or test_dataloader')
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument('--pred-dir',
                        help='folder of <image stem>.png cluster-id maps')
    source.add_argument('--guide',
                        nargs='+',
                        action=DictAction,
                        help='a guide config (mmseg TASK_UTILS), e.g. '
                        'type=KMeansColorGuide k=11')
    parser.add_argument('--out', help='write the scores here (JSON)')
    parser.add_argument('--cfg-options',
                        nargs='+',
                        action=DictAction,
                        help='override config settings')
    return parser.parse_args()


def iou_protocols(cfg,
                  split: str,
                  pred_dir: Optional[str] = None,
                  guide: Optional[dict] = None) -> Dict[str, dict]:
    """mIoU / mAcc / aAcc (and things / stuff) of every protocol.

    Args:
        cfg (Config): A config with ``<split>_dataloader``.
        split (str): ``'val'`` or ``'test'``.
        pred_dir (str, optional): Folder of label PNGs named by image stem.
        guide (dict, optional): Guide config that predicts each image.

    Returns:
        dict: protocol -> its metrics (percent), plus ``'num_images'``.
    """
    init_default_scope('mmseg')
    dataset = DATASETS.build(cfg[f'{split}_dataloader']['dataset'])
    predictor = TASK_UTILS.build(guide) if guide else None
    metrics = {}
    for protocol in PROTOCOLS:
        metrics[protocol] = METRICS.build(
            dict(type='UnsupervisedIoUMetric', protocol=protocol))
        metrics[protocol].dataset_meta = dataset.metainfo
    for index in range(len(dataset)):
        item = dataset[index]
        sample = item['data_samples']
        if predictor is not None:
            rgb = item['inputs'].flip(0).permute(1, 2, 0).numpy()
            labels = predictor(sample.img_path, np.ascontiguousarray(rgb))
        else:
            stem = osp.splitext(osp.basename(sample.img_path))[0]
            path = osp.join(pred_dir, stem + '.png')
            if not osp.isfile(path):
                raise FileNotFoundError(
                    f'no prediction {path} for {sample.img_path}; write one '
                    'label PNG per image (tools/test.py --out DIR).')
            labels = read_label_png(path)
        result = dict(pred_sem_seg=dict(
            data=torch.from_numpy(np.asarray(labels, dtype=np.int64))[None]),
                      gt_sem_seg=dict(data=sample.gt_sem_seg.data),
                      img_path=sample.img_path,
                      seg_map_path=sample.seg_map_path)
        for metric in metrics.values():
            metric.process({}, [result])
    scores = dict(num_images=len(dataset))
    for protocol, metric in metrics.items():
        values = metric.compute_metrics(metric.results)
        scores[protocol] = {
            key: round(value, 2)
            for key, value in values.items() if not key.startswith('IoU.')
        }
    return scores


def main() -> None:
    args = parse_args()
    cfg = load_config(args.config, args.cfg_options)
    scores = iou_protocols(cfg, args.split, args.pred_dir, args.guide)
    report = dict(config=args.config,
                  split=args.split,
                  predictions=args.pred_dir or args.guide,
                  protocols=PROTOCOLS,
                  **scores)
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        write_text(args.out, text + '\n')
        print(f'written to {args.out}', file=sys.stderr)


if __name__ == '__main__':
    main()
