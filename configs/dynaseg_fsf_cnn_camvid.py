# DynaSeg FSF (Eq. 8, alpha=15), CNN extractor, trained label-free on the
# CamVid train split and scored on val/test with the dataset-level protocol.
_base_ = [
    '_base_/models/dynaseg_cnn.py', '_base_/datasets/camvid.py',
    '_base_/default_runtime.py', '_base_/schedules/schedule_2k.py'
]
