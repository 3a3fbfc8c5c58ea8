import numpy as np
import pytest
from mmseg.registry import TASK_UTILS

import mmdynaseg  # noqa: F401  (registers the guides)
from mmdynaseg.guides import KMeansColorGuide


def test_two_colours_give_two_regions(two_colour_image):
    labels = KMeansColorGuide(k=2)('a.png', two_colour_image)
    assert labels.shape == (8, 12) and labels.dtype == np.uint8
    assert len(np.unique(labels[:, :6])) == 1
    assert len(np.unique(labels[:, 6:])) == 1
    assert labels[0, 0] != labels[0, 11]


def test_k_is_capped_by_the_distinct_colours(two_colour_image):
    labels = KMeansColorGuide(k=8)('a.png', two_colour_image)
    assert len(np.unique(labels)) == 2


def test_seeded_and_registered(two_colour_image):
    noisy = two_colour_image.astype(int) + np.random.default_rng(0).integers(
        -40, 40, two_colour_image.shape)
    noisy = noisy.clip(0, 255).astype(np.uint8)
    guide = TASK_UTILS.build(dict(type='KMeansColorGuide', k=4, seed=3))
    again = KMeansColorGuide(k=4, seed=3)
    assert np.array_equal(guide('a.png', noisy), again('a.png', noisy))


def test_flat_image_warns_single_label(two_colour_image):
    flat = np.full_like(two_colour_image, 90)
    with pytest.warns(UserWarning, match='single label'):
        labels = KMeansColorGuide()('flat.png', flat)
    assert np.unique(labels).tolist() == [0]


def test_k_range_is_checked():
    with pytest.raises(ValueError, match='k must be'):
        KMeansColorGuide(k=1)
    with pytest.raises(ValueError, match='k must be'):
        KMeansColorGuide(k=255)


def test_lightness_weight_decides_what_k_means_splits():
    """Dark grey L*=21, light grey 50, dark red (23.7, 45.9, 35.6), light
    red (48.4, 51.6, 28.4): as Lab, the greys and the reds are the two
    groups (chroma ~58 apart vs L* ~28); with L* x 2.55 (OpenCV's 8-bit Lab,
    the DynaGuide code) dark and light are."""
    image = np.zeros((8, 8, 3), dtype=np.uint8)
    image[:4, :4], image[:4, 4:] = (50, 50, 50), (120, 120, 120)
    image[4:, :4], image[4:, 4:] = (120, 0, 0), (200, 70, 70)
    lab = KMeansColorGuide(k=2, num_samples=None)('a.png', image)
    assert lab[0, 0] == lab[0, 7] != lab[7, 0] == lab[7, 7]
    opencv = KMeansColorGuide(k=2,
                              num_samples=None,
                              lightness_weight=2.55,
                              n_init=10)('a.png', image)
    assert opencv[0, 0] == opencv[7, 0] != opencv[0, 7] == opencv[7, 7]
