import mmcv
import numpy as np
import pytest
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmseg.registry import METRICS, MODELS
from PIL import Image

from mmdynaseg.datasets import COCOStuff27Dataset, DatasetError
from mmdynaseg.datasets.cocostuff27 import CLASSES, fine_to_coarse_lut

SPLIT_LIST = 'Coco164kFull_Stuff_Coarse_7.txt'


def test_fine_to_coarse_table():
    lut = fine_to_coarse_lut()
    assert lut.shape == (256, ) and lut.dtype == np.uint8
    # person -> person-things, bicycle -> vehicle-things,
    # clouds (fine 105) -> sky-stuff, wood (181) -> solid-stuff
    assert [CLASSES[lut[i]] for i in (0, 1, 105, 181)] == [
        'person-things', 'vehicle-things', 'sky-stuff', 'solid-stuff'
    ]
    assert set(lut[:182]) == set(range(27))
    assert (lut[182:] == 255).all()  # 255 = unlabeled, others unknown


def test_metainfo_has_27_classes_and_thing_stuff_ids():
    meta = COCOStuff27Dataset.METAINFO
    assert len(meta['classes']) == len(meta['palette']) == 27
    assert meta['thing_ids'] == tuple(range(12))
    assert meta['stuff_ids'] == tuple(range(12, 27))
    assert all(CLASSES[i].endswith('-things') for i in meta['thing_ids'])
    assert all(CLASSES[i].endswith('-stuff') for i in meta['stuff_ids'])


def test_shipped_curated_split_lists():
    from mmdynaseg.datasets.cocostuff27 import curated_split_list
    lists = {
        split: open(curated_split_list(split)).read().split()
        for split in ('train2017', 'val2017')
    }
    assert [len(lists[s]) for s in lists] == [49629, 2175]
    for ids in lists.values():
        assert len(set(ids)) == len(ids)
        assert all(len(i) == 12 and i.isdigit() for i in ids)
    assert not set(lists['train2017']) & set(lists['val2017'])
    assert lists['val2017'][0] == '000000000139'


def test_picie_eval_pipeline_crops_image_and_label_to_320(
        tmp_path, dataset_from_config, write_coco27):
    write_coco27(tmp_path, ['000000000001', '000000000002'])
    dataset, _ = dataset_from_config(
        'cocostuff27', 'test', data_root=str(tmp_path))
    assert len(dataset) == 2
    item = dataset[1]
    assert tuple(item['inputs'].shape) == (3, 320, 320)
    sample = item['data_samples']
    assert sample.img_path.endswith('images/val2017/000000000002.jpg')
    assert sample.ori_shape == sample.img_shape == (320, 320)
    # short side 40 -> 320 (x8): bands of 160 px at columns 0, 160, 320 of
    # 480; the centre crop keeps columns 80..399 (nearest, no new values)
    gt = sample.gt_sem_seg.data[0].numpy()
    assert gt.shape == (320, 320)
    assert (gt[:, :80] == 3).all()
    assert (gt[:, 80:240] == 7).all()
    assert (gt[:, 240:] == 255).all()


def test_eval_pipeline_reproduces_picie(tmp_path, dataset_from_config,
                                        write_coco27):
    """PiCIE (data/coco_eval_dataset.py): PIL resize of the short side to
    320 (long side int(320 * long / short)), bilinear image, nearest label,
    then a 320 x 320 crop at round((size - 320) / 2)."""
    write_coco27(tmp_path, ['000000000001'])
    rng = np.random.default_rng(0)
    image_path = tmp_path / 'images/val2017/000000000001.jpg'
    Image.fromarray(rng.integers(0, 256, (48, 64, 3), np.uint8)).save(
        image_path)
    label = rng.integers(0, 27, (48, 64), np.uint8)
    Image.fromarray(label).save(tmp_path / 'labels27/val2017/000000000001.png')
    dataset, _ = dataset_from_config(
        'cocostuff27', 'test', data_root=str(tmp_path))
    item = dataset[0]
    # 48 x 64 -> 320 x 426 (426.67 truncated); left = round(53.0) = 53
    rgb = mmcv.imread(str(image_path), channel_order='rgb')
    expected_rgb = np.asarray(Image.fromarray(rgb).resize(
        (426, 320), Image.BILINEAR))[:, 53:373]
    expected_label = np.asarray(Image.fromarray(label).resize(
        (426, 320), Image.NEAREST))[:, 53:373]
    bgr = item['inputs'].numpy().transpose(1, 2, 0)
    np.testing.assert_array_equal(bgr[..., ::-1], expected_rgb)
    np.testing.assert_array_equal(
        item['data_samples'].gt_sem_seg.data[0].numpy(), expected_label)


def test_prediction_and_label_agree_at_320(tmp_path, dataset_from_config,
                                           repo_root,
        write_coco27):
    write_coco27(tmp_path, ['000000000001'])
    dataset, cfg = dataset_from_config(
        'cocostuff27', 'test', data_root=str(tmp_path))
    model_cfg = Config.fromfile(
        str(repo_root / 'configs/_base_/models/dynaseg_cnn.py')).model
    model_cfg.backbone.channels = 4
    model_cfg.decode_head.update(in_channels=4, channels=4, num_classes=4)
    model = MODELS.build(model_cfg).eval()
    output = model.test_step(pseudo_collate([dataset[0]]))[0]
    assert output.pred_sem_seg.shape == output.gt_sem_seg.shape == (320, 320)
    metric = METRICS.build(cfg.test_evaluator)
    metric.dataset_meta = dataset.metainfo
    metric.process({}, [output.to_dict()])  # raises on a size mismatch


def test_training_split_needs_images_only(tmp_path, dataset_from_config,
                                          write_coco27):
    write_coco27(tmp_path, ['000000000001'], labels=False, split='train2017')
    dataset, _ = dataset_from_config(
        'cocostuff27', 'train', data_root=str(tmp_path))
    item = dataset[0]
    assert tuple(item['inputs'].shape) == (3, 320, 320)
    assert 'gt_sem_seg' not in item['data_samples']


def test_missing_label_error_names_file_and_converter(tmp_path,
                                                      dataset_from_config,
        write_coco27):
    write_coco27(tmp_path, ['000000000001', '000000000002'])
    (tmp_path / 'labels27/val2017/000000000002.png').unlink()
    with pytest.raises(
            FileNotFoundError,
            match=r'1 file\(s\).*000000000002\.png.*cocostuff27\.py'):
        dataset_from_config('cocostuff27', 'val', data_root=str(tmp_path))


def test_empty_split_list(tmp_path, dataset_from_config, write_coco27):
    write_coco27(tmp_path, [])
    with pytest.raises(DatasetError, match=f'{SPLIT_LIST}.* is empty'):
        dataset_from_config('cocostuff27', 'val', data_root=str(tmp_path))


def test_missing_split_list_says_where_the_lists_are(tmp_path):
    with pytest.raises(FileNotFoundError,
                       match='nowhere.txt.*cocostuff27_curated'):
        COCOStuff27Dataset(
            ann_file='nowhere.txt',
            data_root=str(tmp_path),
            data_prefix=dict(img_path='images/val2017'))


def test_shipped_list_is_read_when_data_root_has_none(tmp_path,
                                                      dataset_from_config):
    """Only images and label maps are needed: the curated list comes from
    the package (here the images and maps of its 2,175 val ids are then
    missing on disk)."""
    with pytest.raises(FileNotFoundError,
                       match='4350 file.*cocostuff27_curated'):
        dataset_from_config('cocostuff27', 'val', data_root=str(tmp_path))
