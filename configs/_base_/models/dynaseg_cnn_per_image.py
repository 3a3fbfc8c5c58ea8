# DynaSeg CNN in the papers' per-image mode (PerImageDynaSeg): for every test
# image, at most 1,000 SGD steps (lr 0.1, momentum 0.9) from a fresh seeded
# initialisation, stopping when the image has q' <= 3 labels ("Thr 3";
# stop_threshold='silhouette' stops at the image's k*, "Silh.S"). With a
# checkpoint given to tools/test.py, each image refines the loaded weights.
# Fast path (same method, faster arithmetic) where the device has fast
# bf16 kernels: the forward pass and the losses compiled together
# (torch.compile), the network in bf16 autocast and channels-last memory;
# elsewhere ('auto': a CPU with AVX2 only, where they were measured slower)
# float32 eager, with one warning; eager where there is no C++ compiler.
# One graph per image size (BSDS500 has two); datasets of many sizes use
# compile=True (automatic dynamic shapes). The papers' float32:
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
    channels_last='auto',
    compile='auto')
