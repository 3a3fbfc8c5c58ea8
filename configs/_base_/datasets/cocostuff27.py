# COCO-Stuff-27 on the curated IIC / PiCIE / STEGO split lists (49,629
# train2017 / 2,175 val2017 images, 27 coarse classes). Prepare it with
# tools/dataset_converters/cocostuff27.py (see data/README.md). The lists
# ship inside mmdynaseg and are read when data_root has no curated/.
dataset_type = 'COCOStuff27Dataset'
data_root = 'data/cocostuff27'
split_list = 'Coco164kFull_Stuff_Coarse_7.txt'
crop_size = (320, 320)
# Short side to 320 px like torchvision in PiCIE: Pillow, bilinear image,
# nearest label, long side int(320 * long / short).
short_side_320 = dict(type='ResizeShortSide', size=320)
# Training is label-free: no LoadAnnotations. Unreadable images are skipped.
train_pipeline = [
    dict(type='LoadImageOrSkip', on_error='skip'),
    short_side_320,
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs'),
]
# PiCIE's evaluation: short side 320, centre crop 320 x 320 of image and
# label; ResetOriShape makes the crop the 'original', so predictions are
# scored at 320 x 320 against the cropped label.
test_pipeline = [
    dict(type='LoadImageOrSkip'),
    dict(type='LoadAnnotations'),
    short_side_320,
    dict(type='CenterCrop', crop_size=crop_size),
    dict(type='ResetOriShape'),
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
        ann_file=f'curated/train2017/{split_list}',
        data_prefix=dict(img_path='images/train2017'),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file=f'curated/val2017/{split_list}',
        data_prefix=dict(
            img_path='images/val2017', seg_map_path='labels27/val2017'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='UnsupervisedIoUMetric', protocol='dataset')
test_evaluator = val_evaluator
