# PASCAL VOC 2012 segmentation (1,464 train / 1,449 val images), scored as
# segments (SegmentCoveringMetric): each ground-truth region is an entity,
# the 255 boundary band is ignored. MMSeg's PascalVOCDataset and layout.
dataset_type = 'PascalVOCDataset'
data_root = 'data/VOCdevkit/VOC2012'
# Training is label-free: no LoadAnnotations. Unreadable images are skipped.
# Short side 320, random 320 x 320 crop: one size per batch.
train_pipeline = [
    dict(type='LoadImageOrSkip', on_error='skip'),
    dict(type='ResizeShortSide', size=320),
    dict(type='RandomCrop', crop_size=(320, 320)),
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
        ann_file='ImageSets/Segmentation/train.txt',
        data_prefix=dict(img_path='JPEGImages'),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='ImageSets/Segmentation/val.txt',
        data_prefix=dict(
            img_path='JPEGImages', seg_map_path='SegmentationClass'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='SegmentCoveringMetric')
test_evaluator = val_evaluator
