# DynaGuide guided by the published code's stand-in for its "diffseg" guide
# (pseudo_labels.py, used whenever DiffSeg itself is not run, so presumably
# behind the papers' "DiffSeg" rows): k-means (k=5, 10 restarts) of every
# pixel's colour in OpenCV's 8-bit Lab, whose lightness spans 0-255
# (lightness_weight=2.55 on L* in 0-100). It is not DiffSeg. Otherwise as
# dynaguide_kmeans_cnn_bsds500.py.
_base_ = './dynaguide_kmeans_cnn_bsds500.py'
test_pipeline = [
    dict(step,
         guide=dict(type='KMeansColorGuide',
                    k=5,
                    num_samples=None,
                    lightness_weight=2.55,
                    n_init=10)) if step['type'] == 'LoadGuidance' else step
    for step in _base_.test_pipeline
]
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
