import pytest
import torch
from mmseg.models.data_preprocessor import SegDataPreProcessor
from mmseg.structures import SegDataSample

from mmdynaseg.models.utils import PerImageInput


def sample(**metainfo):
    return SegDataSample(metainfo=metainfo)


def test_crops_the_padding_and_restores_it():
    image = torch.arange(2 * 4 * 5, dtype=torch.float32).reshape(1, 2, 4, 5)
    # left 1, right 2, top 0, bottom 1: the 3 x 2 image at rows 0-2,
    # columns 1-2
    view = PerImageInput(image, sample(padding_size=[1, 2, 0, 1]), 1.0,
                         False)
    assert view.size == (3, 2)
    torch.testing.assert_close(view.image, image[..., :3, 1:3])
    logits = torch.ones(1, 3, 3, 2)
    restored = view.restore(logits)
    assert restored.shape == (1, 3, 4, 5)
    assert restored.sum().item() == 3 * 3 * 2  # ones only where cropped
    assert restored[0, :, :3, 1:3].eq(1).all()


def test_scale_halves_and_restore_upsamples():
    image = torch.ones(1, 3, 8, 6)
    view = PerImageInput(image, sample(), 0.5, False)
    assert view.image.shape == (1, 3, 4, 3)
    assert view.restore(torch.ones(1, 2, 4, 3)).shape == (1, 2, 8, 6)


def test_too_small_names_the_image():
    with pytest.raises(ValueError, match="'a.jpg' is 3 x 1 px"):
        PerImageInput(torch.ones(1, 3, 1, 3), sample(img_path='a.jpg'),
                      0.5, False)


def test_rgb_undoes_the_preprocessing():
    # mmcv loads BGR; with bgr_to_rgb the preprocessor made it RGB
    rgb_pixel = torch.tensor([200.0, 100.0, 10.0])
    for bgr_to_rgb in (True, False):
        preprocessor = SegDataPreProcessor(
            mean=[10.0, 20.0, 30.0], std=[2.0, 4.0, 5.0],
            bgr_to_rgb=bgr_to_rgb)
        channels = rgb_pixel if bgr_to_rgb else rgb_pixel.flip(0)
        normalised = (channels - preprocessor.mean[:, 0, 0]) / \
            preprocessor.std[:, 0, 0]
        image = normalised.reshape(1, 3, 1, 1).expand(1, 3, 1, 2)
        view = PerImageInput(image, sample(), 1.0, False)
        assert view.rgb(preprocessor).tolist() == [[[200, 100, 10]] * 2]
