# DynaSeg SCF (Eq. 9, mu = alpha/q', alpha=50), CNN extractor, on
# COCO-Stuff-27.
_base_ = './dynaseg_fsf_cnn_coco.py'
model = dict(
    decode_head=dict(
        weighting=dict(type='DynamicWeight', policy='scf', alpha=50.0)))
