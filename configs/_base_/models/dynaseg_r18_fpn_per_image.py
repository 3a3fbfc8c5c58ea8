# DynaSeg ResNet-18 + FPN in the papers' per-image mode (per_image.py).
# model.init='pretrained' starts every image from the ImageNet backbone
# (the backbone's init_cfg) with a fresh neck and head drawn under the seed.
_base_ = ['./dynaseg_r18_fpn.py', './per_image.py']
model = {{_base_.per_image}}
