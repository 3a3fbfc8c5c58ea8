# DynaSeg SCF (Eq. 9, mu = alpha/q', alpha=50), otherwise as the FSF config:
# optimised on every BSDS500 test image alone.
_base_ = './dynaseg_fsf_cnn_bsds500.py'
model = dict(
    decode_head=dict(
        weighting=dict(type='DynamicWeight', policy='scf', alpha=50.0)))
