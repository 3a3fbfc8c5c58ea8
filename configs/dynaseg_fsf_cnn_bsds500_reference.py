# DynaSeg FSF on every BSDS500 test image alone, built as the published BSD
# script (DynaSeg_SCF_BSD_VOC.py, its FSF line) builds it: two 3x3
# convolutions (nConv 2) with a bias and PyTorch's initialisation, the
# image read BGR / 255, the step of the forward pass that meets the
# threshold still taken and the labels of one more forward pass, no weight
# decay, float32 eager. tests/test_models/test_segmentors/
# test_reference_loop.py shows it equals that loop step for step.
# The script's SCF line: --cfg-options model.decode_head.weighting.policy=scf
# model.decode_head.weighting.alpha=50. The paper's M = 3:
# model.backbone.num_convs=3; its weight decay:
# model.optimizer.weight_decay=1e-4.
_base_ = './dynaseg_fsf_cnn_bsds500.py'
model = dict(
    data_preprocessor=dict(bgr_to_rgb=False),
    backbone=dict(num_convs=2, conv_bias=True, conv_init='pytorch'),
    step_at_stop=True,
    autocast=None,
    channels_last=False,
    compile=False)
