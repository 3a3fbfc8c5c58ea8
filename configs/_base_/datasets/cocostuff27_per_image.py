# COCO-Stuff-27 scored transductively, as the DynaSeg reference's COCO
# script does: a network optimised on every curated val2017 image alone
# (batch 1, short side 320, centre crop 320 x 320), each image scored on
# its own Hungarian matching over all 27 classes with things / stuff split
# by matched cluster index (the reference evaluator run per image), the
# split's scores the means over images. Nothing is trained. Our own
# protocol: test_evaluator.protocol='per_image' (the classes present) and
# test_evaluator.things_stuff='class' (docs/protocols.md).
_base_ = './cocostuff27.py'
train_dataloader = None
val_dataloader = None
val_evaluator = None
test_dataloader = dict(batch_size=1)
test_evaluator = dict(
    type='UnsupervisedIoUMetric',
    protocol='per_image_all',
    things_stuff='cluster_index')
test_cfg = dict(type='TestLoop')
