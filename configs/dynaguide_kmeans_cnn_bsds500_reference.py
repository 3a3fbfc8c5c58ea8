# DynaGuide on every BSDS500 test image alone, built as the published code
# (train.py, dynaguide/model.py, dynaguide/losses.py) builds it:
# convolutions with a bias and PyTorch's initialisation, the image read
# BGR / 255, the guide's sorted pseudo-labels paired with the sorted
# current clusters by index (GuidanceLoss matching='index'; the shipped
# configs match them by overlap), float32 eager. The guide is the k = 8 Lab
# k-means of dynaguide_kmeans_cnn_bsds500.py; the published code's own
# k-means stand-in for DiffSeg (dynaguide_kmeans5_cnn_bsds500.py):
#   --cfg-options test_dataloader.dataset.pipeline.1.guide.k=5
#   test_dataloader.dataset.pipeline.1.guide.num_samples=None
#   test_dataloader.dataset.pipeline.1.guide.lightness_weight=2.55
#   test_dataloader.dataset.pipeline.1.guide.n_init=10
# tests/test_models/test_segmentors/test_reference_loop_dynaguide.py shows
# it equals the published loop step for step.
_base_ = './dynaguide_kmeans_cnn_bsds500.py'
model = dict(
    data_preprocessor=dict(bgr_to_rgb=False),
    backbone=dict(conv_bias=True, conv_init='pytorch'),
    decode_head=dict(loss_guide=dict(matching='index')),
    autocast=None,
    channels_last=False,
    compile=False)
