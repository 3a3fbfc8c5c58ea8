# DynaGuide (_base_/models/dynaguide_cnn.py: the loss, the network) trained on
# COCO-Stuff-27 as dynaseg_fsf_cnn_coco.py, one network for the dataset,
# scored with the dataset-level protocol. The guide (k-means of Lab colours,
# k=8) is computed once per training image, right after loading, and follows
# the crop and flip; the label PNGs are kept in cache_dir so later epochs
# and runs reuse them; an image whose guide fails is skipped and reported.
# For a zero-shot model's labels use dict(type='PrecomputedGuide',
# guide_dir=DIR), or dict(type='MMSegModelGuide', config=...,
# checkpoint=...) for an MMSegmentation model.
_base_ = [
    '_base_/models/dynaguide_cnn.py', '_base_/datasets/cocostuff27.py',
    '_base_/default_runtime.py', '_base_/schedules/schedule_coco.py'
]
train_pipeline = [
    dict(type='LoadImageOrSkip', on_error='skip'),
    dict(
        type='LoadGuidance',
        on_error='skip',
        guide=dict(
            type='KMeansColorGuide',
            k=8,
            cache_dir='work_dirs/guide_cache/kmeans8_cocostuff27_train')),
    dict(type='ResizeShortSide', size=320),
    dict(type='RandomCrop', crop_size=(320, 320)),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackGuidedSegInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
