# Your own images, no labels: every jpg/jpeg/png/bmp/tif/tiff file of
# data_root (ImageFolderDataset; recursive=True to include subfolders).
# Training is label-free. There is nothing to score, so there is no
# validation (a config using this base sets val_cfg = None) and the test
# split has no metric: `tools/test.py CONFIG CKPT --out DIR` writes the
# predicted cluster maps. See docs/new_dataset.md.
dataset_type = 'ImageFolderDataset'
data_root = 'data/my_images'
crop_size = (256, 256)
# Images of any size: short side scaled to 256-512 px, then a fixed crop,
# so that a batch needs no padding. Unreadable images are skipped.
train_pipeline = [
    dict(type='LoadImageOrSkip', on_error='skip'),
    dict(
        type='RandomResize',
        scale=(4096, crop_size[0]),
        ratio_range=(1.0, 2.0),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs'),
]
# Predictions are resized back to each image's original size.
test_pipeline = [
    dict(type='LoadImageOrSkip'),
    dict(type='Resize', scale=(2048, 512), keep_ratio=True),
    dict(type='PackSegInputs'),
]
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type, data_root=data_root, pipeline=train_pipeline))
test_dataloader = dict(
    batch_size=1,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type, data_root=data_root, pipeline=test_pipeline))
test_evaluator = []
