# 2,000 iterations of SGD (lr 0.1, momentum 0.9, weight decay 1e-4, paper
# §4.1), validation and a checkpoint every 1,000.
_base_ = './schedule_demo.py'
optimizer = dict(weight_decay=1e-4)
optim_wrapper = dict(optimizer=optimizer)
train_cfg = dict(max_iters=2000, val_interval=1000)
default_hooks = dict(
    logger=dict(interval=50), checkpoint=dict(interval=1000))
