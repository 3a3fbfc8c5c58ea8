# dynaguide_kmeans_cnn_bsds500_trained.py on the train images at half scale
# (160 x 160 crops of the 240 x 160 images, the guide resized with them):
# for refining at model.optimise_scale=0.5, like
# dynaseg_fsf_cnn_bsds500_trained_half.py (docs/amortised.md).
_base_ = './dynaguide_kmeans_cnn_bsds500_trained.py'
train_pipeline = _base_.train_pipeline[:2] + [
    dict(type='Resize', scale_factor=0.5, keep_ratio=True),
    dict(type='RandomCrop', crop_size=(160, 160)),
] + _base_.train_pipeline[3:]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
