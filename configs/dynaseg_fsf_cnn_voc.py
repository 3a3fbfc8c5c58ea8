# DynaSeg FSF (Eq. 8, alpha=15), CNN extractor (p=q=100, M=3), optimised on
# every PASCAL VOC 2012 val image alone (the paper's per-image mode), as
# configs/dynaseg_fsf_cnn_bsds500.py; scored by segment covering. Run it
# with
#   python tools/test.py configs/dynaseg_fsf_cnn_voc.py
_base_ = [
    '_base_/models/dynaseg_cnn_per_image.py', '_base_/datasets/voc12.py',
    '_base_/default_runtime.py'
]
# Nothing is trained: no training or validation loop.
train_dataloader = None
val_dataloader = None
val_evaluator = None
test_cfg = dict(type='TestLoop')
# VOC images come in many sizes: automatic dynamic shapes instead of one
# compiled graph per size.
model = dict(compile=True)
