"""tools/analysis_tools/benchmark_silhouette.py: the estimate against the
published exhaustive k*."""
import argparse

import numpy as np
import pytest
from sklearn.metrics import silhouette_score


@pytest.fixture
def tool(load_tool):
    return load_tool('benchmark_silhouette')


def test_silhouette_reports_both_estimates(load_tool, tiny_images):
    args = argparse.Namespace(
        images=tiny_images(), num_images=2, num_exhaustive=2)
    result = load_tool('benchmark_silhouette').bench_silhouette(args)
    assert result['num_images'] == 2
    assert result['median_ms'] > 0 and result['p90_ms'] >= result['median_ms']
    exhaustive = result['exhaustive']
    assert exhaustive['num_images'] == 2
    assert exhaustive['median_ms'] > 0
    assert 0 <= exhaustive['exact_match_fraction'] <= \
        exhaustive['within_1_fraction'] <= 1
    for pair in exhaustive['pairs']:
        assert 3 <= pair['k_subsampled'] <= 26
        assert 3 <= pair['k_exhaustive'] <= 6  # at most 6 distinct colours


def test_silhouette_without_images_says_what_to_pass(load_tool, tmp_path):
    args = argparse.Namespace(
        images=str(tmp_path / '*.jpg'), num_images=1, num_exhaustive=1)
    with pytest.raises(FileNotFoundError, match='--images'):
        load_tool('benchmark_silhouette').bench_silhouette(args)


def test_pixel_silhouettes_equal_sklearn_on_all_pixels(tool):
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 4, size=(60, 3)).astype(float)
    points, inverse, counts = np.unique(
        pixels, axis=0, return_inverse=True, return_counts=True)
    inverse = inverse.ravel()
    labelings = [rng.integers(0, k, size=len(points)) for k in (2, 3, 5)]
    scores = tool.pixel_silhouettes(points, counts, labelings)
    for labels, score in zip(labelings, scores):
        assert score == pytest.approx(
            silhouette_score(pixels, labels[inverse]), abs=1e-9)


def test_exhaustive_k_star_is_the_number_of_colour_regions(tool, stripes):
    assert tool.exhaustive_num_segments(stripes(4), k_min=2, k_max=6,
                                        n_init=2) == 4
    flat = np.full((6, 6, 3), 90, np.uint8)
    assert tool.exhaustive_num_segments(flat) == 3  # fewer colours than k_min
