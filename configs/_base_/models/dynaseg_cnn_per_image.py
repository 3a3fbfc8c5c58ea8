# DynaSeg CNN in the papers' per-image mode (per_image.py). One graph per
# image size under torch.compile (BSDS500 has two); datasets of many sizes
# use compile=True (automatic dynamic shapes).
_base_ = ['./dynaseg_cnn.py', './per_image.py']
model = {{_base_.per_image}}
