import numpy as np
import pytest
from PIL import Image

from mmdynaseg.guides import PrecomputedGuide


def write(path, labels, mode=None):
    Image.fromarray(labels, mode=mode).save(path)


def test_reads_the_png_of_the_image_stem(tmp_path, two_colour_image):
    labels = np.zeros((8, 12), dtype=np.uint8)
    labels[:, 6:] = 3
    labels[0, 0] = 255
    write(tmp_path / 'img1.png', labels)
    guide = PrecomputedGuide(str(tmp_path))
    assert np.array_equal(guide('/data/img1.jpg', two_colour_image), labels)


def test_16_bit_labels(tmp_path, two_colour_image):
    labels = np.zeros((8, 12), dtype=np.uint16)
    labels[:, 6:] = 1000
    write(tmp_path / 'img1.png', labels)
    read = PrecomputedGuide(str(tmp_path))('img1.jpg', two_colour_image)
    assert read.dtype == np.uint16 and np.array_equal(read, labels)


def test_missing_png_is_named(tmp_path, two_colour_image):
    with pytest.raises(FileNotFoundError, match='img9.png') as error:
        PrecomputedGuide(str(tmp_path))('x/img9.jpg', two_colour_image)
    assert 'x/img9.jpg' in str(error.value)


def test_wrong_size_is_resized_nearest_with_a_warning(
        tmp_path, two_colour_image):
    write(tmp_path / 'img1.png', np.array([[0, 1], [2, 3]], dtype=np.uint8))
    with pytest.warns(UserWarning, match='resizing'):
        labels = PrecomputedGuide(str(tmp_path))('img1.jpg', two_colour_image)
    expected = np.repeat(np.repeat([[0, 1], [2, 3]], 4, axis=0), 6, axis=1)
    assert np.array_equal(labels, expected)


def test_single_label_guide_warns(tmp_path, two_colour_image):
    write(tmp_path / 'img1.png', np.full((8, 12), 4, dtype=np.uint8))
    with pytest.warns(UserWarning, match='single label'):
        PrecomputedGuide(str(tmp_path))('img1.jpg', two_colour_image)


def test_colour_png_is_refused(tmp_path, two_colour_image):
    write(tmp_path / 'img1.png', two_colour_image)
    with pytest.raises(ValueError, match='single-channel'):
        PrecomputedGuide(str(tmp_path))('img1.jpg', two_colour_image)
