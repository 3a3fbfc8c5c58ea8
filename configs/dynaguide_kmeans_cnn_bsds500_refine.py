# Amortised DynaGuide: refined on every BSDS500 test image from a network
# trained label-free with its guide on the train split
# (dynaguide_kmeans_cnn_bsds500_trained.py): the trained features, a fresh
# head (init='checkpoint_features') and 20 steps instead of 1,000. Labels
# from the last train-mode pass (predict_mode='train'), not the reference's
# eval-mode pass: after a few steps the fresh head's BatchNorm running
# statistics are still far from the image's, and eval-mode labels score
# 12-15 points lower at T = 1 and 5, 3 at T = 0 (docs/amortised.md). A
# checkpoint is required:
#   python tools/train.py configs/dynaguide_kmeans_cnn_bsds500_trained.py
#   python tools/test.py configs/dynaguide_kmeans_cnn_bsds500_refine.py \
#       work_dirs/dynaguide_kmeans_cnn_bsds500_trained/iter_2000.pth
_base_ = './dynaguide_kmeans_cnn_bsds500.py'
model = dict(init='checkpoint_features', max_iters=20, predict_mode='train')
