# DynaSeg SCF (Eq. 9, mu = alpha/q', alpha=50), otherwise as the FSF config:
# optimised on every PASCAL VOC 2012 val image alone.
_base_ = './dynaseg_fsf_cnn_voc.py'
model = dict(
    decode_head=dict(
        weighting=dict(type='DynamicWeight', policy='scf', alpha=50.0)))
