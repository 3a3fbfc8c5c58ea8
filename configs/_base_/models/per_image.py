# The papers' per-image mode (PerImageDynaSeg) for any extractor: for every
# test image, at most 1,000 SGD steps (lr 0.1, momentum 0.9) from a fresh
# seeded initialisation, stopping when the image has q' <= 3 labels ("Thr
# 3"; stop_threshold='silhouette' stops at the image's k*, "Silh.S"). With
# a checkpoint given to tools/test.py, each image refines the loaded
# weights. Speed: bf16 autocast, torch.compile and channels-last where the
# device has fast bf16 kernels ('auto'), float32 eager elsewhere. The
# papers' float32: --cfg-options model.autocast=None model.compile=False
per_image = dict(
    type='PerImageDynaSeg',
    max_iters=1000,
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9),
    stop_threshold=3,
    init='fresh',
    seed=0,
    autocast='bfloat16',
    channels_last='auto',
    compile='auto')
