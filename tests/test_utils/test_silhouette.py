"""The silhouette estimate k* of DynaSeg §3.3.2 (models/utils)."""
import numpy as np
import pytest
from skimage.color import rgb2lab
from sklearn.metrics import silhouette_score
from sklearn.metrics.pairwise import euclidean_distances

from mmdynaseg.utils.silhouette import (estimate_num_segments,
                                        pixel_features,
                                        silhouette_from_distances)


@pytest.mark.parametrize('num_colours', [3, 5])
def test_k_star_is_the_number_of_colour_regions(stripes, num_colours):
    assert estimate_num_segments(stripes(num_colours), k_min=2) == num_colours


def test_best_k_within_the_bounds(stripes):
    # 3 regions, k >= 4: the least over-split; 5 regions, k <= 4: the
    # least merged
    assert estimate_num_segments(stripes(3), k_min=4, k_max=9) == 4
    assert estimate_num_segments(stripes(5), k_min=2, k_max=4) == 4


def test_flat_image_gets_k_min():
    flat = np.full((10, 10, 3), 128, np.uint8)
    assert estimate_num_segments(flat, k_min=3) == 3


def test_same_seed_same_estimate_whatever_the_global_state(stripes):
    image = stripes(4, noise=40.0)
    np.random.seed(1)
    first = [estimate_num_segments(image, seed=s) for s in range(3)]
    np.random.seed(2)
    assert [estimate_num_segments(image, seed=s) for s in range(3)] == first


def test_bad_arguments_are_refused(stripes):
    with pytest.raises(ValueError, match='k_min'):
        estimate_num_segments(stripes(3), k_min=1)
    with pytest.raises(ValueError, match='k_min'):
        estimate_num_segments(stripes(3), k_min=5, k_max=4)
    with pytest.raises(ValueError, match='RGB'):
        estimate_num_segments(np.zeros((4, 4), np.uint8))


def test_silhouette_equals_scikit_learn():
    rng = np.random.default_rng(0)
    points = rng.normal(size=(60, 3))
    distances = euclidean_distances(points)
    labels = rng.integers(0, 4, 60)
    labels[0] = 9  # a one-sample cluster (silhouette 0) and a label gap
    assert silhouette_from_distances(distances, labels) == pytest.approx(
        silhouette_score(points, labels), abs=1e-12)


def test_features_are_lab_and_weighted_coordinates():
    image = np.zeros((2, 4, 3), np.uint8)
    image[1, 3] = 255
    index = np.array([0, 7])  # (x, y) = (0, 0) and (3, 1)
    lab = rgb2lab(image[[0, 1], [0, 3]][:, None]).reshape(2, 3)
    np.testing.assert_allclose(pixel_features(image, index), lab)
    features = pixel_features(image, index, xy_weight=0.5)
    # coordinates scaled by 100 / longer side (4), then weighted
    np.testing.assert_allclose(features[:, 3:], [[0, 0], [37.5, 12.5]])
