import numpy as np
import pytest
import torch
from mmseg.registry import DATASETS, METRICS
from PIL import Image

from mmdynaseg.datasets import CamVidDataset

# 2 x 3 label map: sky, sky, void / road, road, void
LABEL = np.array([[0, 0, 11], [3, 3, 11]], np.uint8)


def write_camvid(root, split='val'):
    (root / 'images' / split).mkdir(parents=True)
    (root / 'labels' / split).mkdir(parents=True)
    Image.fromarray(np.full((2, 3, 3), 60, np.uint8)).save(
        root / 'images' / split / '0001TP_006690.jpg')
    Image.fromarray(LABEL).save(root / 'labels' / split / '0001TP_006690.png')


def test_void_is_loaded_as_255(tmp_path, dataset_from_config):
    write_camvid(tmp_path)
    dataset, _ = dataset_from_config('camvid', 'val', data_root=str(tmp_path))
    gt = dataset[0]['data_samples'].gt_sem_seg.data[0].numpy()
    np.testing.assert_array_equal(gt, [[0, 0, 255], [3, 3, 255]])


def test_metric_ignores_void(tmp_path, dataset_from_config):
    write_camvid(tmp_path)
    dataset, cfg = dataset_from_config(
        'camvid', 'val', data_root=str(tmp_path))
    sample = dataset[0]['data_samples'].to_dict()
    # clusters 5 (top row) and 6 (bottom row): right on sky and road; the
    # void column would be wrong, and 11 is no class: the metric would raise
    sample['pred_sem_seg'] = dict(data=torch.tensor([[[5, 5, 5], [6, 6, 6]]]))
    metric = METRICS.build(cfg.test_evaluator)
    metric.dataset_meta = dataset.metainfo
    metric.process({}, [sample])
    scores = metric.compute_metrics(metric.results)
    assert scores['aAcc'] == 100.0
    assert scores['IoU.sky'] == scores['IoU.road'] == 100.0


def test_class_subset_keeps_void_ignored(tmp_path):
    write_camvid(tmp_path)
    dataset = CamVidDataset(
        data_root=str(tmp_path),
        metainfo=dict(classes=('sky', 'road')),
        data_prefix=dict(img_path='images/val', seg_map_path='labels/val'),
        pipeline=[dict(type='LoadAnnotations')])
    assert dataset.metainfo['palette'] == [[128, 128, 128], [128, 64, 128]]
    gt = dataset[0]['gt_seg_map']
    np.testing.assert_array_equal(gt, [[0, 0, 255], [1, 1, 255]])


def test_metainfo():
    meta = CamVidDataset.METAINFO
    assert len(meta['classes']) == len(meta['palette']) == 11
    assert meta['classes'][6] == 'sign_symbol'


@pytest.mark.parametrize('dataset_type', ['CamVidDataset', 'BSDS500Dataset'])
def test_missing_or_empty_split_is_named(tmp_path, dataset_type):
    prefix = dict(img_path='images/val', seg_map_path='labels/val')
    cfg = dict(type=dataset_type, data_prefix=prefix, test_mode=True)
    with pytest.raises(FileNotFoundError, match='does not exist') as error:
        DATASETS.build(dict(cfg, data_root=str(tmp_path / 'nowhere')))
    assert 'nowhere/images/val' in str(error.value)
    assert 'data_root' in str(error.value)
    (tmp_path / 'images/val').mkdir(parents=True)
    (tmp_path / 'labels/val').mkdir(parents=True)
    with pytest.raises(FileNotFoundError, match="no '\\*.jpg' image"):
        DATASETS.build(dict(cfg, data_root=str(tmp_path)))
