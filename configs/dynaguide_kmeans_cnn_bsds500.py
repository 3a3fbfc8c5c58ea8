# DynaGuide (Guermazi, Khan, Ksantini 2026) optimised on every BSDS500 test
# image alone, guided by k-means (k=8) of the pixels' Lab colours:
#   L = L_sim + (K/beta) L_spatial + lambda L_guide,  beta = 15, lambda = 1,
# K the number of labels of the current argmax (FSF weighting), L_spatial
# the Huber (smooth-L1) response difference to the right, down, down-right
# and down-left neighbours, L_guide the cross-entropy against the guide's
# pseudo-labels mapped to the clusters they overlap most (Hungarian on the
# overlap matrix, recomputed every step; the published code maps them by
# index, a bug). As the published code (train.py, model.py): DynaSeg's CNN
# (p=q=100, M=3) plus the raw output of the first convolution, all 1,000
# SGD steps (lr 0.1, momentum 0.9, no q' stop), labels from one eval-mode
# forward pass after them. DynaSeg's schedule instead (stop at q' <= 3,
# labels of the last train-mode pass, skip after the first block's ReLU
# and BN): --cfg-options model.stop_threshold=3 model.predict_mode=train
# model.backbone.first_skip=block. Run it with
#   python tools/test.py configs/dynaguide_kmeans_cnn_bsds500.py
# or tools/segment.py; the other guides: dynaguide_{kmeans5,slic,
# felzenszwalb,precomputed}_cnn_bsds500.py.
_base_ = [
    '_base_/models/dynaseg_cnn_per_image.py', '_base_/datasets/bsds500.py',
    '_base_/default_runtime.py'
]
model = dict(
    stop_threshold=None,
    predict_mode='eval',
    backbone=dict(first_skip='conv'),
    decode_head=dict(
        loss_con=dict(type='HuberContinuityLoss', delta=1.0, diagonals=True),
        loss_guide=dict(
            type='GuidanceLoss', loss_weight=1.0, remap_interval=1)))
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
