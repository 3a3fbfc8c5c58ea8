# DynaSeg FSF (Eq. 8, mu = q'/alpha, alpha=15), ResNet-18 + FPN extractor
# (ImageNet weights: see _base_/models/dynaseg_r18_fpn.py), trained
# label-free on COCO-Stuff-27 (curated train2017) and scored on the curated
# val2017 with the dataset-level protocol (one Hungarian matching).
#
# To floor q' by each image's silhouette estimate k* (paper §3.3.2,
# q' = max(#labels, k*)), add
#   custom_hooks = [dict(type='SilhouetteHook')]
#   model = dict(decode_head=dict(silhouette_floor=True))
_base_ = [
    '_base_/models/dynaseg_r18_fpn.py', '_base_/datasets/cocostuff27.py',
    '_base_/default_runtime.py', '_base_/schedules/schedule_coco.py'
]
