import numpy as np

from mmdynaseg.datasets.transforms import ResetOriShape


def test_ori_shape_becomes_the_current_image_size():
    results = dict(img=np.zeros((5, 7, 3), np.uint8), ori_shape=(10, 14),
                   img_shape=(5, 7))
    out = ResetOriShape()(results)
    assert out['ori_shape'] == (5, 7)
    assert out['img_shape'] == (5, 7)
