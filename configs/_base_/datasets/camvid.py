# CamVid, 11 classes (SegNet release: 367 train / 101 val / 233 test,
# 480 x 360). Void (11) is mapped to 255 on load and ignored by the metric.
dataset_type = 'CamVidDataset'
data_root = 'data/camvid'
# Training is label-free: no LoadAnnotations. Unreadable images are skipped.
# Training on 256 x 256 crops; evaluation on whole 480 x 360 images.
train_pipeline = [
    dict(type='LoadImageOrSkip', on_error='skip'),
    dict(type='RandomCrop', crop_size=(256, 256)),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs'),
]
test_pipeline = [
    dict(type='LoadImageOrSkip'),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs'),
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
        data_prefix=dict(img_path='images/val', seg_map_path='labels/val'),
        pipeline=test_pipeline))
test_dataloader = dict(
    val_dataloader,
    dataset=dict(
        val_dataloader['dataset'],
        data_prefix=dict(img_path='images/test',
                         seg_map_path='labels/test')))
val_evaluator = dict(type='UnsupervisedIoUMetric', protocol='dataset')
test_evaluator = val_evaluator
