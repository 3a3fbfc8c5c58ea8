# DynaSeg with the ResNet-18 + FPN feature extractor (paper §3.2.2): an
# ImageNet ResNet-18 (all four stages, strides 4-32), an FPN with lateral
# connections over all of them and p=128 output channels (the paper sets
# q only; 128 is PiCIE's FPN width on the same benchmark), the pyramid
# summed at stride 4 by DynaSegHead, q=27 response channels (COCO-Stuff-27),
# the response upsampled to the input size for the losses and predictions.
norm_cfg = dict(type='BN', requires_grad=True)
# ImageNet statistics, as the pretrained weights expect (RGB order).
data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255,
    size_divisor=1)
# torchvision's ImageNet ResNet-18 (resnet18-f37072fd.pth), relative to the
# folder you run from; training stops with the download links if it is
# missing. Elsewhere: --cfg-options
# model.backbone.init_cfg.checkpoint=/path/to/file (an mmpretrain
# resnet18_8xb32_in1k checkpoint also needs
# model.backbone.init_cfg.prefix=backbone.).
pretrained = 'checkpoints/resnet18-f37072fd.pth'
feature_channels = 128
model = dict(
    type='EncoderDecoder',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='DynaSegResNet',
        depth=18,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        style='pytorch',
        norm_cfg=norm_cfg,
        init_cfg=dict(type='Pretrained', checkpoint=pretrained)),
    neck=dict(
        type='FPN',
        in_channels=[64, 128, 256, 512],
        out_channels=feature_channels,
        num_outs=4),
    decode_head=dict(
        type='DynaSegHead',
        in_channels=[feature_channels] * 4,
        in_index=[0, 1, 2, 3],
        input_transform='multiple_select',
        channels=feature_channels,
        num_classes=27,
        norm_cfg=norm_cfg,
        loss_sim=dict(type='FeatureSimilarityLoss'),
        loss_con=dict(type='SpatialContinuityLoss'),
        weighting=dict(type='DynamicWeight', policy='fsf', alpha=15.0)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
