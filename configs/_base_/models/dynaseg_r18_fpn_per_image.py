# DynaSeg ResNet-18 + FPN in the papers' per-image mode (per_image.py).
# A leaf config sets model.init='pretrained' to start every image from the
# ImageNet backbone (the backbone's init_cfg) with a fresh neck and head
# drawn under the seed; left at 'fresh', every layer is drawn under it.
_base_ = ['./dynaseg_r18_fpn.py', './per_image.py']
model = {{_base_.per_image}}
