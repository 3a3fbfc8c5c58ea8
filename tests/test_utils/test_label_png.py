"""Label PNGs: ids kept, palettised up to 255, 16-bit grey above."""
import cv2
import numpy as np
import pytest
from PIL import Image

from mmdynaseg.utils import (cluster_palette, encode_label_png,
                             read_label_png, write_label_png)


def test_small_ids_are_palettised_with_the_cluster_colours(tmp_path):
    labels = np.array([[0, 7], [255, 3]])
    path = tmp_path / 'a.png'
    write_label_png(str(path), labels)
    ids = read_label_png(str(path))
    assert ids.dtype == np.uint8
    np.testing.assert_array_equal(ids, labels)
    with Image.open(path) as image:
        assert image.mode == 'P'
        np.testing.assert_array_equal(
            np.asarray(image.convert('RGB')), cluster_palette()[labels])
    # what OpenCV reads: the colours, not the ids (BGR)
    np.testing.assert_array_equal(
        cv2.imread(str(path), cv2.IMREAD_UNCHANGED)[..., ::-1],
        cluster_palette()[labels])


def test_large_ids_are_16_bit_grey(tmp_path):
    labels = np.array([[0, 300], [65535, 3]])
    path = tmp_path / 'b.png'
    path.write_bytes(encode_label_png(labels))
    ids = read_label_png(str(path))
    assert ids.dtype == np.uint16
    np.testing.assert_array_equal(ids, labels)


def test_other_pngs_and_ids_are_refused(tmp_path):
    path = tmp_path / 'rgb.png'
    Image.fromarray(np.zeros((2, 2, 3), np.uint8)).save(path)
    with pytest.raises(ValueError, match='rgb.png'):
        read_label_png(str(path))
    with pytest.raises(ValueError, match='65535'):
        encode_label_png(np.array([[70000]]))
