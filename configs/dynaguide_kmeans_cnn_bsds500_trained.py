# DynaGuide (_base_/models/dynaguide_cnn.py) trained label-free on the
# BSDS500 train split, one network for all images, guided by k-means (k=8)
# of the Lab colours: the dataset-level model that
# dynaguide_kmeans_cnn_bsds500_refine.py refines per image (the amortised
# mode, docs/amortised.md). The guide is computed once per training image
# (cached in cache_dir) and follows the crop and flip; an image whose guide
# fails is skipped and reported.
_base_ = [
    '_base_/models/dynaguide_cnn.py', '_base_/datasets/bsds500.py',
    '_base_/default_runtime.py', '_base_/schedules/schedule_2k.py'
]
guide = dict(
    type='KMeansColorGuide',
    k=8,
    cache_dir='work_dirs/guide_cache/kmeans8_bsds500_train')
# the dataset's training pipeline with the guide after the image loading
train_pipeline = [
    _base_.train_pipeline[0],
    dict(type='LoadGuidance', on_error='skip', guide=guide),
] + _base_.train_pipeline[1:-1] + [dict(type='PackGuidedSegInputs')]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
