# DynaGuide guided by Felzenszwalb-Huttenlocher graph segmentation
# (scikit-image, scale=300, sigma=0.8, min_size=200); otherwise as
# dynaguide_kmeans_cnn_bsds500.py.
_base_ = './dynaguide_kmeans_cnn_bsds500.py'
test_pipeline = [
    dict(step, guide=dict(type='SuperpixelGuide', method='felzenszwalb'))
    if step['type'] == 'LoadGuidance' else step
    for step in _base_.test_pipeline
]
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
