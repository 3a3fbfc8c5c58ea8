# DynaSeg FSF, CNN extractor, per image on COCO-Stuff-27 with the
# silhouette phase: the optimisation stops at the image's k* and
# q' = max(#labels, k*) weights the losses. Paper Table IV, "DynaSeg - FSF,
# CNN-Based, Silh.S", and Table V, "DynaSeg - FSF, CNN-Based".
_base_ = './dynaseg_fsf_cnn_thr3_coco_per_image.py'
model = dict(
    stop_threshold='silhouette', decode_head=dict(silhouette_floor=True))
