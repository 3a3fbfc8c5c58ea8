"""tools/analysis_tools/benchmark_silhouette.py."""
import argparse

import pytest


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
