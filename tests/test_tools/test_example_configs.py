"""The two configs of docs/new_dataset.md, trained and tested on tiny data."""
import json
import subprocess
import sys

import numpy as np
from PIL import Image

from mmdynaseg.datasets.demo_shapes import render_demo_sample
from mmdynaseg.utils import load_config, read_label_png

LABELLED = 'configs/examples/dynaseg_fsf_cnn_labelled_folder.py'
IMAGE_FOLDER = 'configs/examples/dynaseg_fsf_cnn_image_folder.py'
REFINE = 'configs/examples/dynaseg_fsf_cnn_image_folder_refine.py'
TINY_MODEL = [
    'model.backbone.channels=8', 'model.decode_head.in_channels=8',
    'model.decode_head.channels=8', 'model.decode_head.num_classes=8'
]
TINY = TINY_MODEL + [
    'train_dataloader.batch_size=2', 'train_cfg.max_iters=2',
    'default_hooks.checkpoint.interval=2', 'default_hooks.logger.interval=1'
]


def run(tool, args, cwd):
    result = subprocess.run([sys.executable, str(tool)] + args,
                            cwd=cwd,
                            capture_output=True,
                            text=True,
                            timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    return output


def test_example_configs_load(repo_root):
    labelled = load_config(str(repo_root / LABELLED))
    train_set = labelled.train_dataloader.dataset
    assert train_set.type == 'BaseSegDataset'
    assert 'seg_map_path' not in train_set.data_prefix
    assert labelled.test_dataloader.dataset.data_prefix.seg_map_path
    assert labelled.test_evaluator.type == 'UnsupervisedIoUMetric'
    folder = load_config(str(repo_root / IMAGE_FOLDER))
    assert folder.train_dataloader.dataset.type == 'ImageFolderDataset'
    assert folder.val_cfg is None and folder.test_evaluator == []


def test_labelled_folder_trains_without_labels_and_scores(
        tmp_path, repo_root):
    config = load_config(str(repo_root / LABELLED))
    classes = config.test_dataloader.dataset.metainfo.classes
    root = tmp_path / 'my_dataset'
    for split, count in (('train', 4), ('val', 3)):
        (root / 'images' / split).mkdir(parents=True)
        for index in range(count):
            image, label = render_demo_sample(10 * count + index, (24, 24))
            Image.fromarray(image).save(root / f'images/{split}/{index}.jpg')
            if split == 'val':  # training needs no labels/train
                (root / 'labels/val').mkdir(parents=True, exist_ok=True)
                Image.fromarray(label % len(classes)).save(
                    root / f'labels/val/{index}.png')
    options = TINY + [
        'train_cfg.val_interval=2',
        f'train_dataloader.dataset.data_root={root}',
        f'val_dataloader.dataset.data_root={root}',
        f'test_dataloader.dataset.data_root={root}'
    ]
    work_dir = tmp_path / 'work'
    log = run(repo_root / 'tools/train.py', [
        str(repo_root / LABELLED), '--work-dir',
        str(work_dir), '--cfg-options'
    ] + options, tmp_path)
    assert 'Iter(val) [3/3]' in log and 'mIoU' in log
    run(repo_root / 'tools/test.py', [
        str(repo_root / LABELLED),
        str(work_dir / 'iter_2.pth'), '--work-dir',
        str(tmp_path / 'test'), '--cfg-options'
    ] + options, tmp_path)
    (metrics_file, ) = (tmp_path / 'test').glob('*/*.json')
    metrics = json.loads(metrics_file.read_text())
    assert {f'IoU.{name}' for name in classes} <= set(metrics)
    for key in ('mIoU', 'mAcc', 'aAcc'):
        assert 0 <= metrics[key] <= 100


def test_image_folder_trains_and_writes_label_maps(tmp_path, repo_root):
    photos = tmp_path / 'photos'
    photos.mkdir()
    sizes = {'a.jpg': (20, 28), 'b.PNG': (24, 24), 'c.bmp': (30, 18)}
    for index, (name, size) in enumerate(sizes.items()):
        Image.fromarray(render_demo_sample(index, size)[0]).save(photos /
                                                                 name)
    options = TINY + [
        f'train_dataloader.dataset.data_root={photos}',
        f'test_dataloader.dataset.data_root={photos}'
    ]
    work_dir = tmp_path / 'work'
    log = run(repo_root / 'tools/train.py', [
        str(repo_root / IMAGE_FOLDER), '--work-dir',
        str(work_dir), '--cfg-options'
    ] + options, tmp_path)
    assert 'decode.loss_sim' in log and 'Iter(val)' not in log
    maps = tmp_path / 'maps'
    run(repo_root / 'tools/test.py', [
        str(repo_root / IMAGE_FOLDER),
        str(work_dir / 'iter_2.pth'), '--work-dir',
        str(tmp_path / 'test'), '--out',
        str(maps), '--cfg-options'
    ] + options, tmp_path)
    assert sorted(p.name for p in maps.iterdir()) == [
        'a.png', 'b.png', 'c.png'
    ]
    for name, size in sizes.items():
        label_map = read_label_png(maps / f'{name[0]}.png')
        assert label_map.dtype == np.uint8 and label_map.shape == size
        assert label_map.max() < 8
    # docs/amortised.md: segment the same photos by refining the trained
    # features (fresh head, a few steps each)
    out = tmp_path / 'refined'
    run(repo_root / 'tools/segment.py', [
        str(photos), '--config',
        str(repo_root / REFINE), '--checkpoint',
        str(work_dir / 'iter_2.pth'), '--out',
        str(out), '--cfg-options'
    ] + TINY_MODEL + ['model.max_iters=2'], tmp_path)
    summary = json.loads((out / 'summary.json').read_text())
    assert sorted(summary['images']) == ['a', 'b', 'c'] and not summary[
        'skipped']
    for name, size in sizes.items():
        entry = summary['images'][name[0]]
        assert entry['size'] == list(size) and entry['iterations'] <= 2
