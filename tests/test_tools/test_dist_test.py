"""tools/dist_test.sh (2 CPU processes) against tools/test.py, and the
prediction maps / overlays of --out / --show-dir."""
import json
import os
import socket
import subprocess
import sys

import cv2
import numpy as np
import pytest
import torch
from mmseg.apis import inference_model, init_model

from mmdynaseg.datasets.demo_shapes import CLASSES
from mmdynaseg.engine import overlay_figure
from mmdynaseg.evaluation import UnsupervisedIoUMetric
from mmdynaseg.utils import read_label_png

NUM_VAL = 3  # odd: 2 ranks get 2 images each, one of them a repeat
CPU_ONLY = dict(os.environ, CUDA_VISIBLE_DEVICES='')


def run(cmd, cwd, env=CPU_ONLY):
    result = subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    return output


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def metrics_of(work_dir):
    """The test metrics MMEngine's LoggerHook dumps to <timestamp>.json.

    Every rank dumps them to that file at once (mmengine 0.10 has no rank
    check there), so under load a shorter write can leave the tail of a
    longer one behind it: read the first JSON object, which is whole.
    """
    (path, ) = work_dir.glob('*/*.json')
    metrics, _ = json.JSONDecoder().raw_decode(path.read_text())
    return {k: v for k, v in metrics.items() if k not in ('time', 'data_time')}


def read_png(path):
    return cv2.imread(str(path), cv2.IMREAD_UNCHANGED)


@pytest.fixture(scope='module')
def runs(tmp_path_factory, write_tiny_config, repo_root):
    """Train once; test it with 1 process and with 2 (gloo, torchrun)."""
    workspace = tmp_path_factory.mktemp('dist')
    config = write_tiny_config(workspace)
    text = config.read_text()
    assert 'num_val=2' in text
    config.write_text(text.replace('num_val=2', f'num_val={NUM_VAL}'))
    tools = repo_root / 'tools'
    run([sys.executable, str(tools / 'train.py'), str(config),
         '--work-dir', str(workspace / 'train')], workspace)
    checkpoint = workspace / 'train' / 'iter_4.pth'
    run([sys.executable, str(tools / 'test.py'), str(config),
         str(checkpoint), '--work-dir', str(workspace / 'single'),
         '--out', str(workspace / 'single_maps'),
         '--show-dir', str(workspace / 'single_overlays')], workspace)
    dist_log = run([
        'bash', str(tools / 'dist_test.sh'), str(config), str(checkpoint),
        '2', '--work-dir', str(workspace / 'dist'),
        '--out', str(workspace / 'dist_maps'),
        '--cfg-options', 'env_cfg.dist_cfg.backend=gloo'
    ], workspace, dict(CPU_ONLY, PYTHON=sys.executable, PORT=str(free_port())))
    return workspace, config, checkpoint, dist_log


def test_two_processes_give_the_single_process_metrics(runs):
    workspace, _, _, dist_log = runs
    assert 'Distributed training: True' in dist_log
    single, dist = metrics_of(workspace / 'single'), metrics_of(
        workspace / 'dist')
    assert {'mIoU', 'mAcc', 'aAcc', 'IoU.sky'} <= set(single)
    assert set(dist) == set(single)
    for key, value in single.items():
        assert dist[key] == pytest.approx(value, abs=1e-6), key


def test_repeated_sample_would_change_the_metric(runs):
    """The sampler pads rank 1 with image 0; the metric must drop it.

    Scoring the written maps reproduces the reported mIoU, and counting
    image 0 twice does not: equal metrics above mean the repeat was cut.
    """
    workspace, _, _, _ = runs
    labels = workspace / 'data' / 'labels' / 'val'

    def miou(order):
        metric = UnsupervisedIoUMetric()
        metric.dataset_meta = dict(classes=CLASSES)
        for index in order:
            name = f'{index:05d}.png'
            pred = read_label_png(workspace / 'single_maps' /
                                  name).astype(np.int64)
            metric.process({}, [
                dict(
                    pred_sem_seg=dict(data=torch.from_numpy(pred)[None]),
                    gt_sem_seg=dict(data=torch.from_numpy(
                        read_png(labels / name).astype(np.int64))[None]))
            ])
        return metric.compute_metrics(metric.results)['mIoU']

    reported = metrics_of(workspace / 'single')['mIoU']
    assert miou(range(NUM_VAL)) == pytest.approx(reported, abs=1e-6)
    assert abs(miou([*range(NUM_VAL), 0]) - reported) > 1e-3


def test_out_writes_the_predicted_cluster_ids(runs):
    workspace, config, checkpoint, _ = runs
    names = [f'{i:05d}.png' for i in range(NUM_VAL)]
    for folder in ('single_maps', 'dist_maps'):
        assert sorted(p.name for p in (workspace / folder).iterdir()) == names
    model = init_model(str(config), str(checkpoint), device='cpu')
    images = workspace / 'data' / 'images' / 'val'
    clusters = set()
    for name in names:
        written = read_label_png(workspace / 'single_maps' / name)
        assert written.dtype == np.uint8 and written.shape == (24, 24)
        expected = inference_model(model, str(images / name))
        np.testing.assert_array_equal(
            written, expected.pred_sem_seg.data[0].numpy())
        np.testing.assert_array_equal(
            read_label_png(workspace / 'dist_maps' / name), written)
        clusters.update(np.unique(written).tolist())
    assert len(clusters) > 1


def test_show_dir_writes_cluster_overlays(runs):
    workspace, _, _, _ = runs
    overlays = workspace / 'single_overlays'
    assert sorted(p.name for p in overlays.iterdir()) == [
        f'{i:05d}_overlay.png' for i in range(NUM_VAL)
    ]
    image = read_png(workspace / 'data/images/val/00001.png')[..., ::-1]
    pred = read_label_png(workspace / 'single_maps' / '00001.png')
    np.testing.assert_array_equal(
        read_png(overlays / '00001_overlay.png')[..., ::-1],
        overlay_figure(image, pred))
