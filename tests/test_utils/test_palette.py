"""The fixed cluster palette and the dataset_meta built on it."""
import numpy as np
import pytest

from mmdynaseg.utils import cluster_meta, cluster_palette


def test_palette_is_fixed_distinct_and_read_only():
    palette = cluster_palette()
    assert palette.shape == (65536, 3) and palette.dtype == np.uint8
    assert len({tuple(colour) for colour in palette[:100]}) == 100
    assert cluster_palette() is palette
    with pytest.raises(ValueError):
        palette[0] = 0


def test_cluster_meta_names_and_colours_the_clusters():
    meta = cluster_meta(3)
    assert meta['classes'] == ('cluster 0', 'cluster 1', 'cluster 2')
    assert meta['palette'] == cluster_palette()[:3].tolist()
