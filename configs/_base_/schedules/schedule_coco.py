# COCO-Stuff-27: SGD (lr 0.1, momentum 0.9, weight decay 1e-4, paper §4.1)
# at a constant rate for 12,000 iterations, validation and a checkpoint
# every 4,000. The paper gives no iteration count for this dataset-level
# training; 12,000 iterations at batch size 4 draw 48,000 crops, about one
# pass over the 49,629 curated training images (override
# train_cfg.max_iters for longer runs).
_base_ = './schedule_2k.py'
train_cfg = dict(max_iters=12000, val_interval=4000)
default_hooks = dict(checkpoint=dict(interval=4000))
