# DynaSeg (FSF) on your own labelled dataset in a plain folder layout:
#   data/my_dataset/images/{train,val}/NAME.jpg  images
#   data/my_dataset/labels/{train,val}/NAME.png  class ids 0..C-1, 255 ignored
# Training reads only images/train (no labels). Validation and tools/test.py
# match the clusters to the classes of labels/val once over the split
# (dataset-level protocol) and report mIoU, mAcc, aAcc and IoU.<class>.
# Images of different sizes are padded to the largest of a batch: to train
# on fixed-size crops instead, take train_pipeline from
# ../_base_/datasets/image_folder.py. See docs/new_dataset.md.
_base_ = '../dynaseg_fsf_cnn_demo.py'
my_dataset = dict(
    type='BaseSegDataset',
    data_root='data/my_dataset',
    img_suffix='.jpg',
    seg_map_suffix='.png',
    metainfo=dict(
        classes=('background', 'person', 'vehicle'),
        palette=[[0, 0, 0], [220, 20, 60], [0, 0, 142]]))
train_dataloader = dict(dataset=my_dataset)
val_dataloader = dict(dataset=my_dataset)
test_dataloader = val_dataloader
val_evaluator = dict(type='UnsupervisedIoUMetric', protocol='dataset')
test_evaluator = val_evaluator
