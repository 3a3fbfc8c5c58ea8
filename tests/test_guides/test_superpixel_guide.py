import numpy as np
import pytest
from mmseg.registry import TASK_UTILS

import mmdynaseg  # noqa: F401  (registers the guides)
from mmdynaseg.guides import SuperpixelGuide


def test_felzenszwalb_splits_two_flat_regions(two_colour_image):
    guide = SuperpixelGuide(method='felzenszwalb', sigma=0.0, min_size=5)
    labels = guide('a.png', two_colour_image)
    expected = np.zeros((8, 12), dtype=np.uint8)
    expected[:, 6:] = 1
    assert np.array_equal(labels, expected)


def test_slic_segments_are_renumbered_and_pure(two_colour_image):
    guide = TASK_UTILS.build(dict(type='SuperpixelGuide', n_segments=4))
    labels = guide('a.png', two_colour_image)
    assert np.unique(labels).tolist() == list(range(labels.max() + 1))
    assert labels.max() >= 1
    for label in np.unique(labels):  # no superpixel crosses the colours
        columns = np.nonzero(labels == label)[1]
        assert columns.max() < 6 or columns.min() >= 6


def test_too_many_superpixels_say_how_to_get_fewer():
    noise = np.random.default_rng(0).integers(
        0, 256, (20, 20, 3), dtype=np.uint8)
    guide = SuperpixelGuide(
        method='felzenszwalb', scale=0.01, sigma=0.0, min_size=1)
    with pytest.raises(ValueError, match='raise scale') as error:
        guide('noise.png', noise)
    assert 'noise.png' in str(error.value)


def test_bad_method_or_argument():
    with pytest.raises(ValueError, match='method'):
        SuperpixelGuide(method='watershed')
    with pytest.raises(TypeError, match='skimage.segmentation.slic'):
        SuperpixelGuide(scale=3.0)
