# DynaSeg FSF (Eq. 8, alpha=15), CNN extractor, trained label-free on the
# BSDS500 train split (one network for all images, not per-image
# optimisation) and scored by segment covering (All/Fine/Coarse/Mean).
_base_ = [
    '_base_/models/dynaseg_cnn.py', '_base_/datasets/bsds500.py',
    '_base_/default_runtime.py', '_base_/schedules/schedule_2k.py'
]
