# DynaSeg SCF (Eq. 9, alpha=50), ResNet-18 + FPN from ImageNet weights
# (_base_/models/dynaseg_r18_fpn.py says where they are read from), per
# image on COCO-Stuff-27 with threshold 3: paper Table IV, "DynaSeg - SCF,
# ResNet-18, 3".
_base_ = [
    '_base_/models/dynaseg_r18_fpn_per_image.py',
    '_base_/datasets/cocostuff27_per_image.py', '_base_/default_runtime.py'
]
model = dict(
    init='pretrained',
    decode_head=dict(
        weighting=dict(type='DynamicWeight', policy='scf', alpha=50.0)))
