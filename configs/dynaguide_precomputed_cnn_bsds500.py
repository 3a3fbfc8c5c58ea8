# DynaGuide guided by label maps made elsewhere, e.g. by a zero-shot model
# (DiffSeg, SegFormer, ...) or by tools/segment.py: one single-channel label
# PNG per image, named by the image stem, in guide_dir (255 = no guidance).
# Point guide_dir at them, e.g. for the val split:
#   python tools/test.py configs/dynaguide_precomputed_cnn_bsds500.py
#     --cfg-options test_dataloader.dataset.pipeline.1.guide.guide_dir=DIR
# An image without its PNG is reported (error naming the missing file).
# Otherwise as dynaguide_kmeans_cnn_bsds500.py.
_base_ = './dynaguide_kmeans_cnn_bsds500.py'
test_pipeline = [
    dict(
        step,
        guide=dict(
            type='PrecomputedGuide',
            guide_dir='data/bsds500/guides/test'))
    if step['type'] == 'LoadGuidance' else step
    for step in _base_.test_pipeline
]
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
