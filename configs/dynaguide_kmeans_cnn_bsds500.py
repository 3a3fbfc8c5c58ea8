# DynaGuide (_base_/models/dynaguide_cnn.py) optimised on every BSDS500
# test image alone, guided by k-means (k=8) of the pixels' Lab colours. As
# the published code (train.py): all 1,000 SGD steps (lr 0.1, momentum 0.9,
# no q' stop), labels from one eval-mode forward pass after them; compiled
# bf16 channels-last as the DynaSeg per-image configs
# (_base_/models/dynaseg_cnn_per_image.py). DynaSeg's schedule instead
# (stop at q' <= 3, labels of the last train-mode pass, skip after the
# first block's ReLU and BN): --cfg-options model.stop_threshold=3
# model.predict_mode=train model.backbone.first_skip=block. Run it with
#   python tools/test.py configs/dynaguide_kmeans_cnn_bsds500.py
# or tools/segment.py; the other guides: dynaguide_{kmeans5,slic,
# felzenszwalb,precomputed}_cnn_bsds500.py.
_base_ = [
    '_base_/models/dynaguide_cnn.py', '_base_/datasets/bsds500.py',
    '_base_/default_runtime.py'
]
model = dict(
    type='PerImageDynaSeg',
    max_iters=1000,
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9),
    stop_threshold=None,
    predict_mode='eval',
    autocast='bfloat16',
    channels_last='auto',
    compile='auto')
# The guide is computed once per image (LoadGuidance, right after loading)
# and packed into the data sample as gt_guide.
test_pipeline = [
    dict(type='LoadImageOrSkip'),
    dict(type='LoadGuidance', guide=dict(type='KMeansColorGuide', k=8)),
    dict(type='LoadBSDS500Annotations'),
    dict(
        type='PackGuidedSegInputs',
        meta_keys=_base_.test_pipeline[-1]['meta_keys']),
]
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
# Nothing is trained: no training or validation loop.
train_dataloader = None
val_dataloader = None
val_evaluator = None
test_cfg = dict(type='TestLoop')
