import numpy as np
import pytest
from PIL import Image

from mmdynaseg.datasets.transforms import ResizeShortSide


@pytest.mark.parametrize('height, width, expected', [
    (480, 640, (426, 320)),  # 320 * 640 / 480 = 426.67, truncated
    (640, 480, (320, 426)),
    (40, 60, (480, 320)),
    (50, 50, (320, 320)),
])
def test_output_size_truncates_the_long_side(height, width, expected):
    assert ResizeShortSide(320).output_size(height, width) == expected


def test_pillow_bilinear_image_and_nearest_label():
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (6, 9, 3), dtype=np.uint8)
    label = rng.integers(0, 5, (6, 9), dtype=np.uint8)
    out = ResizeShortSide(4)(
        dict(img=img, gt_seg_map=label, seg_fields=['gt_seg_map']))
    assert out['img_shape'] == (4, 6)
    np.testing.assert_array_equal(
        out['img'],
        np.asarray(Image.fromarray(img).resize((6, 4), Image.BILINEAR)))
    np.testing.assert_array_equal(
        out['gt_seg_map'],
        np.asarray(Image.fromarray(label).resize((6, 4), Image.NEAREST)))
