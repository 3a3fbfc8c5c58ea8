from unittest import mock

import numpy as np
import pytest
from PIL import Image

from mmdynaseg.guides import KMeansColorGuide


def counted(guide):
    """Patch the guide's compute with a call-counting wrapper."""
    return mock.patch.object(guide, 'compute', wraps=guide.compute)


def test_memory_cache_computes_each_path_once(two_colour_image):
    guide = KMeansColorGuide(k=2)
    with counted(guide) as compute:
        first = guide('a.png', two_colour_image)
        again = guide('a.png', two_colour_image)
        assert compute.call_count == 1 and again is first
        guide('b.png', two_colour_image)
        assert compute.call_count == 2
    assert sorted(guide.cache) == ['a.png', 'b.png']


def test_disk_cache_is_shared_by_new_instances(tmp_path, two_colour_image):
    cache_dir = tmp_path / 'cache'
    guide = KMeansColorGuide(k=2, cache_dir=str(cache_dir))
    labels = guide('/data/img7.jpg', two_colour_image)
    assert np.array_equal(np.array(Image.open(cache_dir / 'img7.png')),
                          labels)
    assert [p.name for p in cache_dir.iterdir()] == ['img7.png']
    fresh = KMeansColorGuide(k=2, cache_dir=str(cache_dir))
    with counted(fresh) as compute:
        assert np.array_equal(fresh('/data/img7.jpg', two_colour_image),
                              labels)
        assert compute.call_count == 0


def test_stale_disk_cache_is_recomputed(tmp_path, two_colour_image):
    Image.fromarray(np.zeros((3, 3), dtype=np.uint8)).save(
        tmp_path / 'img7.png')
    guide = KMeansColorGuide(k=2, cache_dir=str(tmp_path))
    with counted(guide) as compute, pytest.warns(UserWarning,
                                                 match='recomputing'):
        labels = guide('img7.jpg', two_colour_image)
        assert compute.call_count == 1
    assert np.array(Image.open(tmp_path / 'img7.png')).shape == (8, 12)
    assert labels.shape == (8, 12)


def test_labels_above_255_are_cached_as_16_bit(tmp_path, two_colour_image):
    guide = KMeansColorGuide(cache_dir=str(tmp_path))
    big = np.full((8, 12), 300)
    big[:, 6:] = 7
    with mock.patch.object(guide, 'compute', return_value=big):
        labels = guide('img.jpg', two_colour_image)
    assert labels.dtype == np.uint16
    assert np.array_equal(np.array(Image.open(tmp_path / 'img.png')), big)
