# DynaSeg CNN in the papers' per-image mode (PerImageDynaSeg): for every test
# image, at most 1,000 SGD steps (lr 0.1, momentum 0.9) from a fresh seeded
# initialisation, stopping when the image has q' <= 3 labels ("Thr 3";
# stop_threshold='silhouette' stops at the image's k*, "Silh.S"). With a
# checkpoint given to tools/test.py, each image refines the loaded weights.
# Fast path (same method, faster arithmetic): the forward pass and the
# losses compiled together (torch.compile), the network in bf16 autocast
# and channels-last memory; falls back to eager / float32 with a warning
# where there is no C++ compiler / no bf16 support. One graph per image
# size (BSDS500 has two); datasets of many sizes use compile=True
# (automatic dynamic shapes). The papers' float32:
#   --cfg-options model.autocast=None  (and model.compile=False for eager)
_base_ = './dynaseg_cnn.py'
model = dict(
    type='PerImageDynaSeg',
    max_iters=1000,
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9),
    stop_threshold=3,
    init='fresh',
    seed=0,
    autocast='bfloat16',
    channels_last=True,
    compile=dict(dynamic=False))
