# Embedded demo dataset: generated under data_root on first use.
dataset_type = 'DynaSegDemoDataset'
data_root = 'data/dynaseg_demo'
# Training is label-free: no LoadAnnotations. Unreadable images are skipped.
train_pipeline = [
    dict(type='LoadImageOrSkip', on_error='skip'),
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
    num_workers=0,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(img_path='images/train'),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(img_path='images/val', seg_map_path='labels/val'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
# Dataset-level protocol: one confusion matrix, one Hungarian matching.
val_evaluator = dict(type='UnsupervisedIoUMetric')
test_evaluator = val_evaluator
