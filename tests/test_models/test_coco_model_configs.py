"""The COCO-Stuff-27 configs: paper settings, and their models train and
predict on a small random batch (random weights, no download)."""
import pytest
import torch
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

from mmdynaseg.utils import load_config

# config: (extractor, policy, alpha, q)
CONFIGS = {
    'dynaseg_fsf_r18_coco.py': ('DynaSegResNet', 'fsf', 15.0, 27),
    'dynaseg_scf_r18_coco.py': ('DynaSegResNet', 'scf', 50.0, 27),
    'dynaseg_fsf_cnn_coco.py': ('DynaSegCNN', 'fsf', 15.0, 100),
    'dynaseg_scf_cnn_coco.py': ('DynaSegCNN', 'scf', 50.0, 100),
}


@pytest.mark.parametrize('name', sorted(CONFIGS))
def test_config_holds_the_paper_settings(repo_root, name):
    cfg = load_config(str(repo_root / 'configs' / name))
    backbone, policy, alpha, q = CONFIGS[name]
    assert cfg.model.backbone.type == backbone
    assert cfg.model.decode_head.weighting == dict(
        type='DynamicWeight', policy=policy, alpha=alpha)
    assert cfg.model.decode_head.num_classes == q
    assert cfg.optim_wrapper.optimizer == dict(
        type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4)
    assert cfg.train_dataloader.dataset.type == 'COCOStuff27Dataset'
    assert cfg.val_evaluator == dict(
        type='UnsupervisedIoUMetric', protocol='dataset')
    assert cfg.train_cfg.type == 'IterBasedTrainLoop'


def test_r18_fpn_uses_all_four_stages(repo_root):
    cfg = load_config(str(repo_root / 'configs/dynaseg_fsf_r18_coco.py'))
    assert cfg.model.backbone.depth == 18
    assert cfg.model.backbone.out_indices == (0, 1, 2, 3)
    assert cfg.model.backbone.init_cfg.type == 'Pretrained'
    assert cfg.model.neck.in_channels == [64, 128, 256, 512]
    head = cfg.model.decode_head
    assert head.input_transform == 'multiple_select'
    assert head.in_index == [0, 1, 2, 3]
    assert head.in_channels == [cfg.model.neck.out_channels] * 4


def batch(size=(40, 56)):
    generator = torch.Generator().manual_seed(0)
    inputs = [
        torch.randint(0, 256, (3, ) + size, generator=generator,
                      dtype=torch.uint8) for _ in range(2)
    ]
    samples = [
        SegDataSample(metainfo=dict(ori_shape=size, img_shape=size))
        for _ in range(2)
    ]
    return dict(inputs=inputs, data_samples=samples)


@pytest.mark.parametrize('name', sorted(CONFIGS))
def test_model_trains_and_predicts_at_input_size(repo_root, name):
    cfg = load_config(str(repo_root / 'configs' / name))
    init_default_scope(cfg.default_scope)
    cfg.model.backbone.init_cfg = None  # random weights, no download
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    q = CONFIGS[name][3]
    data = model.data_preprocessor(batch(), training=True)
    losses = model(**data, mode='loss')
    loss = losses['decode.loss_sim'] + losses['decode.loss_con']
    assert torch.isfinite(loss)
    assert 1 <= losses['decode.q_prime'].item() <= q
    loss.backward()
    first_layer = next(model.backbone.parameters())
    assert first_layer.grad.abs().sum() > 0
    model.eval()
    with torch.no_grad():
        results = model(**model.data_preprocessor(batch()), mode='predict')
    for result in results:
        pred = result.pred_sem_seg.data
        assert pred.shape == (1, 40, 56)
        assert 0 <= pred.min() and pred.max() < q


# per-image row configs: (paper table row, extractor, policy, threshold)
ROWS = {
    'dynaseg_fsf_cnn_thr3_coco_per_image.py':
    ('IV', 'DynaSegCNN', 'fsf', 3),
    'dynaseg_fsf_cnn_silh_coco_per_image.py':
    ('IV, V', 'DynaSegCNN', 'fsf', 'silhouette'),
    'dynaseg_scf_cnn_silh_coco_per_image.py':
    ('V', 'DynaSegCNN', 'scf', 'silhouette'),
    'dynaseg_scf_r18_thr3_coco_per_image.py':
    ('IV', 'DynaSegResNet', 'scf', 3),
    'dynaseg_scf_r18_silh_coco_per_image.py':
    ('IV, V', 'DynaSegResNet', 'scf', 'silhouette'),
    'dynaseg_fsf_r18_silh_coco_per_image.py':
    ('V', 'DynaSegResNet', 'fsf', 'silhouette'),
}


@pytest.mark.parametrize('name', sorted(ROWS))
def test_per_image_row_configs_run_the_reference_protocol(
        repo_root, tmp_path, write_coco27, name):
    """Each Table IV / V row: its settings (the silhouette phase where the
    row has it, ImageNet weights for ResNet-18), per image on the curated
    val2017 (batch 1) scored by the reference evaluator per image; on a
    synthetic COCO-Stuff-27 tree it optimises 2 steps per image and
    reports All / things / stuff."""
    from mmengine.runner import Runner
    _, backbone, policy, threshold = ROWS[name]
    cfg = load_config(str(repo_root / 'configs' / name))
    model = cfg.model
    assert model.type == 'PerImageDynaSeg'
    assert model.backbone.type == backbone
    assert model.decode_head.weighting.policy == policy
    assert model.stop_threshold == threshold
    assert model.decode_head.get('silhouette_floor', False) == (
        threshold == 'silhouette')
    assert model.init == ('pretrained' if backbone == 'DynaSegResNet' else
                          'fresh')
    assert cfg.test_dataloader.batch_size == 1
    assert 'val2017' in cfg.test_dataloader.dataset.ann_file
    assert cfg.test_evaluator == dict(
        type='UnsupervisedIoUMetric', protocol='per_image_all',
        things_stuff='cluster_index')
    assert cfg.train_dataloader is None
    write_coco27(tmp_path / 'coco', ['000000000001', '000000000002'])
    cfg.merge_from_dict({
        'model.max_iters': 2,
        'model.compile': False,
        'model.autocast': None,
        'test_dataloader.num_workers': 0,
        'test_dataloader.persistent_workers': False,
        'test_dataloader.dataset.data_root': str(tmp_path / 'coco'),
    })
    if backbone == 'DynaSegResNet':
        cfg.model.backbone.init_cfg = None  # no ImageNet weights here
    cfg.work_dir = str(tmp_path / 'work')
    metrics = Runner.from_cfg(cfg).test()
    for key in ('mIoU', 'aAcc', 'mIoU.things', 'mIoU.stuff'):
        assert key in metrics
    assert 0 <= metrics['mIoU'] <= 100
