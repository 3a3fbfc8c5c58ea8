"""configs/_base_/datasets/voc12.py with MMSeg's PascalVOCDataset."""
import numpy as np
from PIL import Image


def write_voc(root):
    """One 40 x 60 image; its palette label: background, a person (15)
    and the 255 boundary band, as in SegmentationClass."""
    for folder in ('JPEGImages', 'SegmentationClass',
                   'ImageSets/Segmentation'):
        (root / folder).mkdir(parents=True)
    Image.fromarray(np.full((40, 60, 3), 30, np.uint8)).save(
        root / 'JPEGImages/2007_000032.jpg')
    label = np.zeros((40, 60), np.uint8)
    label[10:30, 20:40] = 255
    label[12:28, 22:38] = 15
    png = Image.fromarray(label, 'P')
    png.putpalette([0, 0, 0, 128, 0, 0] * 128)
    png.save(root / 'SegmentationClass/2007_000032.png')
    for split in ('train', 'val'):
        (root / f'ImageSets/Segmentation/{split}.txt').write_text(
            '2007_000032\n')
    return label


def test_val_split_loads_class_indices(tmp_path, dataset_from_config):
    label = write_voc(tmp_path)
    dataset, cfg = dataset_from_config(
        'voc12', 'val', data_root=str(tmp_path))
    sample = dataset[0]['data_samples']
    np.testing.assert_array_equal(sample.gt_sem_seg.data[0].numpy(), label)
    assert cfg.test_evaluator == dict(type='SegmentCoveringMetric')


def test_train_split_is_label_free_320_crops(tmp_path, dataset_from_config):
    write_voc(tmp_path)
    dataset, _ = dataset_from_config(
        'voc12', 'train', data_root=str(tmp_path))
    item = dataset[0]
    assert tuple(item['inputs'].shape) == (3, 320, 320)
    assert 'gt_sem_seg' not in item['data_samples']
