# DynaSeg FSF (Eq. 8, alpha=15), CNN extractor, per image on COCO-Stuff-27
# with threshold 3: paper Table IV, "DynaSeg - FSF, CNN-Based, 3".
_base_ = [
    '_base_/models/dynaseg_cnn_per_image.py',
    '_base_/datasets/cocostuff27_per_image.py', '_base_/default_runtime.py'
]
