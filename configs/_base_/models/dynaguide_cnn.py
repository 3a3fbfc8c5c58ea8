# DynaGuide (Guermazi, Khan, Ksantini 2026) on DynaSeg's CNN (p=q=100, M=3):
#   L = L_sim + (K/beta) L_spatial + lambda L_guide,  beta = 15, lambda = 1,
# K the number of labels of the current argmax (FSF weighting), L_spatial
# the Huber (smooth-L1) response difference to the right, down, down-right
# and down-left neighbours, L_guide the cross-entropy against a guide's
# pseudo-labels (data_samples.gt_guide, attached by LoadGuidance) mapped to
# the clusters they overlap most (Hungarian on the overlap matrix,
# recomputed every step; the published code maps them by index, a bug).
# As the published model.py, the raw output of the first convolution is
# added to the last block's output.
_base_ = './dynaseg_cnn.py'
model = dict(
    backbone=dict(first_skip='conv'),
    decode_head=dict(
        loss_con=dict(type='HuberContinuityLoss', delta=1.0, diagonals=True),
        loss_guide=dict(
            type='GuidanceLoss', loss_weight=1.0, remap_interval=1)))
