"""What every dataset config of configs/_base_/datasets must hold."""
import pytest
from mmengine.config import Config

EVALUATORS = dict(
    cocostuff27='UnsupervisedIoUMetric',
    camvid='UnsupervisedIoUMetric',
    bsds500='SegmentCoveringMetric',
    voc12='SegmentCoveringMetric')


@pytest.mark.parametrize('name', sorted(EVALUATORS))
def test_training_is_label_free_and_skips_bad_images(repo_root, name):
    cfg = Config.fromfile(
        str(repo_root / 'configs/_base_/datasets' / f'{name}.py'))
    train = cfg.train_dataloader.dataset
    steps = [step['type'] for step in train.pipeline]
    assert steps[0] == 'LoadImageOrSkip'
    assert train.pipeline[0]['on_error'] == 'skip'
    assert not [s for s in steps if 'Annotations' in s]
    assert 'seg_map_path' not in train.data_prefix
    assert cfg.test_dataloader.dataset.pipeline[0] == dict(
        type='LoadImageOrSkip')
    assert cfg.val_evaluator['type'] == EVALUATORS[name]
    assert cfg.test_evaluator == cfg.val_evaluator


@pytest.mark.parametrize('name', ['cocostuff27', 'camvid'])
def test_iou_evaluators_use_the_dataset_level_protocol(repo_root, name):
    cfg = Config.fromfile(
        str(repo_root / 'configs/_base_/datasets' / f'{name}.py'))
    assert cfg.val_evaluator['protocol'] == 'dataset'
