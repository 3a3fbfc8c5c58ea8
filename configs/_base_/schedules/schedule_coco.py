# COCO-Stuff-27: SGD (lr 0.1, momentum 0.9, weight decay 1e-4, paper §4.1)
# at a constant rate for 12,000 iterations, validation and a checkpoint
# every 4,000. The paper gives no iteration count for this dataset-level
# training; 12,000 iterations at batch size 4 draw 48,000 crops, about one
# pass over the 49,629 curated training images (override
# train_cfg.max_iters for longer runs).
optimizer = dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4)
optim_wrapper = dict(type='OptimWrapper', optimizer=optimizer)
param_scheduler = []
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=12000, val_interval=4000)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=4000),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'),
    # stop at a NaN / infinite loss before its weights are saved
    non_finite_loss=dict(type='NonFiniteLossHook'))
