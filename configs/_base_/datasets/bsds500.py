# BSDS500 (200 train / 100 val / 200 test images, 481 x 321 or 321 x 481,
# 4-9 human segmentations each), scored by segment covering over all
# annotators. The .mat ground truth is read as it is (no conversion).
dataset_type = 'BSDS500Dataset'
data_root = 'data/bsds500'
# Training is label-free: no annotations. Unreadable images are skipped.
# Square 321 x 321 crops give landscape and portrait images one batch size.
train_pipeline = [
    dict(type='LoadImageOrSkip', on_error='skip'),
    dict(type='RandomCrop', crop_size=(321, 321)),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs'),
]
# gt_annotators (A x H x W) travels as metainfo: MMSeg's default meta_keys
# plus 'gt_annotators'.
test_pipeline = [
    dict(type='LoadImageOrSkip'),
    dict(type='LoadBSDS500Annotations'),
    dict(
        type='PackSegInputs',
        meta_keys=('img_path', 'seg_map_path', 'ori_shape', 'img_shape',
                   'pad_shape', 'scale_factor', 'flip', 'flip_direction',
                   'reduce_zero_label', 'gt_annotators')),
]
train_dataloader = dict(
    batch_size=4,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(img_path='images/train'),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(
            img_path='images/val', seg_map_path='groundTruth/val'),
        pipeline=test_pipeline))
test_dataloader = dict(
    val_dataloader,
    dataset=dict(
        val_dataloader['dataset'],
        data_prefix=dict(
            img_path='images/test', seg_map_path='groundTruth/test')))
# Segment ids 1..N are all real segments: nothing to ignore.
val_evaluator = dict(type='SegmentCoveringMetric', ignore_index=None)
test_evaluator = val_evaluator
