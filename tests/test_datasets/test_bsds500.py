import numpy as np
import pytest
from mmengine.dataset import pseudo_collate
from mmseg.registry import METRICS
from PIL import Image

from mmdynaseg.datasets import BSDS500Dataset

# three annotators of a 6 x 8 image: left | right halves (twice), and one
# segment covering everything
HALVES = np.repeat(np.array([1, 2], np.uint16), 4)[None].repeat(6, 0)
ANNOTATORS = [HALVES, HALVES, np.ones((6, 8), np.uint16)]


@pytest.fixture
def write_bsds(write_bsds500_mat):
    """Function ``(root, split='val')`` writing a one-image BSDS500 tree
    annotated by ``ANNOTATORS``."""

    def write(root, split='val'):
        (root / 'images' / split).mkdir(parents=True)
        (root / 'groundTruth' / split).mkdir(parents=True)
        Image.fromarray(np.full((6, 8, 3), 120, np.uint8)).save(
            root / 'images' / split / '12003.jpg')
        write_bsds500_mat(root / 'groundTruth' / split / '12003.mat',
                          ANNOTATORS)

    return write


def test_all_annotators_reach_the_data_sample(tmp_path, dataset_from_config,
                                              write_bsds):
    write_bsds(tmp_path)
    dataset, _ = dataset_from_config(
        'bsds500', 'val', data_root=str(tmp_path))
    item = dataset[0]
    assert tuple(item['inputs'].shape) == (3, 6, 8)
    sample = item['data_samples']
    np.testing.assert_array_equal(sample.gt_sem_seg.data[0].numpy(), HALVES)
    assert sample.gt_annotators.shape == (3, 6, 8)
    assert sample.gt_annotators.dtype == np.int64
    np.testing.assert_array_equal(sample.gt_annotators, np.stack(ANNOTATORS))


def test_segment_covering_scores_every_annotator(tmp_path, dataset_from_config,
                                                 write_bsds):
    write_bsds(tmp_path)
    dataset, cfg = dataset_from_config(
        'bsds500', 'val', data_root=str(tmp_path))
    sample = pseudo_collate([dataset[0]])['data_samples'][0]
    sample.set_data(dict(pred_sem_seg=sample.gt_sem_seg))  # pred = halves
    metric = METRICS.build(cfg.test_evaluator)
    metric.dataset_meta = dataset.metainfo
    metric.process({}, [sample.to_dict()])
    scores = metric.compute_metrics(metric.results)
    # best IoUs: 1, 1 (annotators 0 and 1), 0.5 (one whole-image segment
    # against a half): only the third annotator is below 100
    assert scores['All'] == pytest.approx(100 * 4.5 / 5)
    assert scores['Coarse'] == pytest.approx(50)
    assert scores['Fine'] == pytest.approx(100)


def test_training_split_is_label_free(tmp_path, dataset_from_config,
                                      write_bsds):
    write_bsds(tmp_path, split='train')
    dataset, _ = dataset_from_config(
        'bsds500', 'train', data_root=str(tmp_path))
    sample = dataset[0]['data_samples']
    assert 'gt_sem_seg' not in sample and 'gt_annotators' not in sample


def test_metainfo_names_segment_ids():
    meta = BSDS500Dataset.METAINFO
    assert len(meta['classes']) == len(meta['palette']) == 256
    assert meta['classes'][:2] == ('segment_0', 'segment_1')
