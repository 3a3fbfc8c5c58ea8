# DynaSeg, spatial-continuity focused weighting (Eq. 9, mu = alpha/q').
_base_ = './dynaseg_fsf_cnn_demo.py'
model = dict(
    decode_head=dict(
        weighting=dict(type='DynamicWeight', policy='scf', alpha=50.0)))
