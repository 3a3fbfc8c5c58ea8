# Segment your own images by refinement (docs/amortised.md): the network
# trained on them by dynaseg_fsf_cnn_image_folder.py gives the features,
# every image gets a fresh head and at most 20 optimiser steps:
#   python tools/segment.py data/my_photos \
#       --config configs/examples/dynaseg_fsf_cnn_image_folder_refine.py \
#       --checkpoint work_dirs/dynaseg_fsf_cnn_image_folder/iter_300.pth \
#       --out work_dirs/refined
# Photos come in many sizes: automatic dynamic shapes (compile=True).
_base_ = '../dynaseg_fsf_cnn_bsds500.py'
model = dict(init='checkpoint_features', max_iters=20, compile=True)
