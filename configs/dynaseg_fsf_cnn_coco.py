# DynaSeg FSF (Eq. 8, mu = q'/alpha, alpha=15), CNN extractor (M=3,
# p=q=100, paper §4.1), trained label-free on COCO-Stuff-27 (curated
# train2017) and scored on the curated val2017 with the dataset-level
# protocol. dynaseg_fsf_r18_coco.py says how to floor q' by the silhouette
# estimate k*. It reproduces no published row: the DynaSeg FSF COCO numbers
# the DynaGuide README lists (COCO-All 30.51, COCO-Stuff 54.10 mIoU) come
# from per-image optimisation scored per image, with settings not published
# (docs/protocols.md).
_base_ = [
    '_base_/models/dynaseg_cnn.py', '_base_/datasets/cocostuff27.py',
    '_base_/default_runtime.py', '_base_/schedules/schedule_coco.py'
]
