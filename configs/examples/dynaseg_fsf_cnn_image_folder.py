# DynaSeg (FSF) on your own images, no labels (every image of data_root):
#   python tools/train.py configs/examples/dynaseg_fsf_cnn_image_folder.py
# and the predicted cluster maps (<image name>.png) and overlays:
#   python tools/test.py configs/examples/dynaseg_fsf_cnn_image_folder.py \
#       work_dirs/dynaseg_fsf_cnn_image_folder/iter_300.pth \
#       --out work_dirs/maps --show-dir work_dirs/overlays
# See docs/new_dataset.md.
_base_ = [
    '../_base_/models/dynaseg_cnn.py', '../_base_/datasets/image_folder.py',
    '../_base_/default_runtime.py', '../_base_/schedules/schedule_demo.py'
]
data_root = 'data/my_photos'  # your folder of images
train_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = dict(dataset=dict(data_root=data_root))
val_cfg = None  # no labels, nothing to validate
