# DynaSeg SCF (Eq. 9, mu = alpha/q', alpha=50), ResNet-18 + FPN, on
# COCO-Stuff-27.
_base_ = './dynaseg_fsf_r18_coco.py'
model = dict(
    decode_head=dict(
        weighting=dict(type='DynamicWeight', policy='scf', alpha=50.0)))
