# DynaSeg FSF (Eq. 8, alpha=15), CNN extractor (p=q=100, M=3), optimised on
# every BSDS500 test image alone (the paper's per-image mode): at most
# 1,000 SGD steps (lr 0.1, momentum 0.9) from a fresh seeded initialisation,
# stopping when the image has q' <= 3 labels ("Thr 3"; stop_threshold=
# 'silhouette' stops at the image's k*, "Silh.S"); scored by segment
# covering. Nothing is trained: run it with
#   python tools/test.py configs/dynaseg_fsf_cnn_bsds500.py
# (with a checkpoint, e.g. of dynaseg_fsf_cnn_bsds500_trained.py, each image
# refines the trained weights instead). For the val split:
#   --cfg-options test_dataloader.dataset.data_prefix.img_path=images/val
#   test_dataloader.dataset.data_prefix.seg_map_path=groundTruth/val
_base_ = [
    '_base_/models/dynaseg_cnn_per_image.py', '_base_/datasets/bsds500.py',
    '_base_/default_runtime.py'
]
# Nothing is trained: no training or validation loop.
train_dataloader = None
val_dataloader = None
val_evaluator = None
test_cfg = dict(type='TestLoop')
