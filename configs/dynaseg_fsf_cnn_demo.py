# DynaSeg, feature-similarity focused weighting (Eq. 8, mu = q'/alpha),
# CNN extractor, trained on the embedded demo dataset.
_base_ = [
    '_base_/models/dynaseg_cnn.py', '_base_/datasets/dynaseg_demo.py',
    '_base_/default_runtime.py', '_base_/schedules/schedule_demo.py'
]
