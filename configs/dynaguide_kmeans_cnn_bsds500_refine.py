# Amortised DynaGuide: refined on every BSDS500 test image from a network
# trained label-free with its guide on the train split
# (dynaguide_kmeans_cnn_bsds500_trained.py): the trained features, a fresh
# head (init='checkpoint_features') and 20 steps instead of 1,000, labels
# from an eval-mode pass as in dynaguide_kmeans_cnn_bsds500.py. A
# checkpoint is required:
#   python tools/train.py configs/dynaguide_kmeans_cnn_bsds500_trained.py
#   python tools/test.py configs/dynaguide_kmeans_cnn_bsds500_refine.py \
#       work_dirs/dynaguide_kmeans_cnn_bsds500_trained/iter_2000.pth
_base_ = './dynaguide_kmeans_cnn_bsds500.py'
model = dict(init='checkpoint_features', max_iters=20)
