# Amortised per-image mode: DynaSeg FSF refined on every BSDS500 test image
# from a network trained label-free on the train split
# (dynaseg_fsf_cnn_bsds500_trained.py). Each image starts from the trained
# features with a fresh head (classifier and response BN from the seeded
# initialisation, init='checkpoint_features'), so it is clustered afresh,
# and takes at most 20 steps instead of 1,000 (stop at q' <= 3 as before).
# A checkpoint is required:
#   python tools/train.py configs/dynaseg_fsf_cnn_bsds500_trained.py
#   python tools/test.py configs/dynaseg_fsf_cnn_bsds500_refine.py \
#       work_dirs/dynaseg_fsf_cnn_bsds500_trained/iter_2000.pth
# The whole network as trained: model.init=checkpoint (then every image
# keeps the trained network's few dataset-wide clusters).
_base_ = './dynaseg_fsf_cnn_bsds500.py'
model = dict(init='checkpoint_features', max_iters=20)
