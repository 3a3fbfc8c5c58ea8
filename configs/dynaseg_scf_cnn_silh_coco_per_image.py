# DynaSeg SCF (Eq. 9, alpha=50), CNN extractor, per image on COCO-Stuff-27
# with the silhouette phase. Paper Table V, "DynaSeg - SCF, CNN-Based".
_base_ = './dynaseg_fsf_cnn_thr3_coco_per_image.py'
model = dict(
    stop_threshold='silhouette',
    decode_head=dict(
        silhouette_floor=True,
        weighting=dict(type='DynamicWeight', policy='scf', alpha=50.0)))
