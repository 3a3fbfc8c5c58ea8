# DynaGuide guided by SLIC superpixels (scikit-image, n_segments=100,
# compactness=10); otherwise as dynaguide_kmeans_cnn_bsds500.py.
_base_ = './dynaguide_kmeans_cnn_bsds500.py'
test_pipeline = [
    dict(step, guide=dict(type='SuperpixelGuide', method='slic'))
    if step['type'] == 'LoadGuidance' else step
    for step in _base_.test_pipeline
]
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
