import numpy as np
import pytest
from PIL import Image

from mmdynaseg.datasets.transforms import ImageLoadError, LoadImageOrSkip


def load(path, **kwargs):
    return LoadImageOrSkip(**kwargs)(dict(img_path=str(path)))


@pytest.mark.parametrize('mode, array', [
    ('L', np.full((5, 6), 200, np.uint8)),
    ('RGBA', np.full((5, 6, 4), 100, np.uint8)),
    ('RGB', np.full((5, 6, 3), 50, np.uint8)),
])
def test_any_8bit_image_becomes_3_channel_uint8(tmp_path, mode, array):
    path = tmp_path / f'{mode}.png'
    Image.fromarray(array, mode).save(path)
    img = load(path)['img']
    assert img.shape == (5, 6, 3) and img.dtype == np.uint8
    assert img[0, 0, 0] == array.reshape(5, 6, -1)[0, 0, 0]


def test_16bit_image_is_scaled_to_8bit(tmp_path):
    path = tmp_path / 'deep.png'
    Image.fromarray(np.full((4, 4), 65535, np.uint16)).save(path)
    img = load(path)['img']
    assert img.shape == (4, 4, 3) and img.dtype == np.uint8
    assert (img == 255).all()


def test_corrupt_image_error_names_file_and_fix(tmp_path):
    path = tmp_path / 'broken.png'
    path.write_bytes(b'not an image at all')
    with pytest.raises(ImageLoadError, match='broken.png.*re-save'):
        load(path)


def test_missing_image_error_names_file(tmp_path):
    with pytest.raises(ImageLoadError, match='missing.jpg'):
        load(tmp_path / 'missing.jpg')


def test_skip_mode_returns_none(tmp_path):
    path = tmp_path / 'broken.jpg'
    path.write_bytes(b'\xff\xd8 truncated')
    assert load(path, on_error='skip') is None


def test_unknown_on_error():
    with pytest.raises(ValueError, match='on_error'):
        LoadImageOrSkip(on_error='ignore')
