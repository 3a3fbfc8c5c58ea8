# DynaSeg with the CNN feature extractor (paper §3.2.1): M=3 components of
# [3x3 conv -> ReLU -> BN] with p=100 channels, q=100 response channels.
norm_cfg = dict(type='BN', requires_grad=True)
data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[0.0, 0.0, 0.0],
    std=[255.0, 255.0, 255.0],  # images scaled to [0, 1], as in the paper
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255,
    size_divisor=1)
model = dict(
    type='EncoderDecoder',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='DynaSegCNN',
        in_channels=3,
        channels=100,
        num_convs=3,
        norm_cfg=norm_cfg),
    decode_head=dict(
        type='DynaSegHead',
        in_channels=100,
        channels=100,
        num_classes=100,
        norm_cfg=norm_cfg,
        loss_sim=dict(type='FeatureSimilarityLoss'),
        loss_con=dict(type='SpatialContinuityLoss'),
        weighting=dict(type='DynamicWeight', policy='fsf', alpha=15.0)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
