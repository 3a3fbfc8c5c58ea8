# DynaSeg FSF (Eq. 8, alpha=15), ResNet-18 + FPN from ImageNet weights, per
# image on COCO-Stuff-27 with the silhouette phase. Paper Table V,
# "DynaSeg - FSF, ResNet-18".
_base_ = [
    '_base_/models/dynaseg_r18_fpn_per_image.py',
    '_base_/datasets/cocostuff27_per_image.py', '_base_/default_runtime.py'
]
model = dict(
    init='pretrained',
    stop_threshold='silhouette',
    decode_head=dict(silhouette_floor=True))
