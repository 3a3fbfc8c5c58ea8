# DynaSeg SCF, ResNet-18 + FPN, per image on COCO-Stuff-27 with the
# silhouette phase. Paper Table IV, "DynaSeg - SCF, ResNet-18, Silh.S", and
# Table V, "DynaSeg - SCF, ResNet-18".
_base_ = './dynaseg_scf_r18_thr3_coco_per_image.py'
model = dict(
    stop_threshold='silhouette', decode_head=dict(silhouette_floor=True))
