"""mmdynaseg.apis: init_model / inference_model, the 3-line Python use."""
import numpy as np
import pytest
import torch

from mmdynaseg.apis import inference_model, init_model, load_image
from mmdynaseg.utils import CheckpointError

TINY = {
    'model.backbone.channels': 8,
    'model.decode_head.in_channels': 8,
    'model.decode_head.channels': 8,
    'model.decode_head.num_classes': 8,
}
PER_IMAGE = dict(TINY, **{'model.max_iters': 3, 'model.compile': False})


def bgr_image() -> np.ndarray:
    """20 x 28 BGR image: two colour halves."""
    image = np.zeros((20, 28, 3), np.uint8)
    image[:, :14] = (40, 40, 200)
    image[:, 14:] = (200, 160, 40)
    return image


def config(repo_root, name):
    return str(repo_root / 'configs' / f'{name}.py')


def test_per_image_config_segments_without_checkpoint(repo_root):
    model = init_model(
        config(repo_root, 'dynaseg_fsf_cnn_bsds500'), cfg_options=PER_IMAGE)
    assert not model.training and model.guidance is None
    assert model.cfg.model.max_iters == 3
    sample = inference_model(model, bgr_image())
    assert sample.pred_sem_seg.data.shape == (1, 20, 28)
    assert sample.iterations <= 3 and 1 <= sample.q_prime <= 8
    assert sample.seconds > 0
    assert len(inference_model(model, [bgr_image(), bgr_image()])) == 2


def test_image_path_and_max_size(repo_root, tmp_path):
    import mmcv
    path = str(tmp_path / 'photo.png')
    mmcv.imwrite(np.kron(bgr_image(), np.ones((2, 2, 1), np.uint8)), path)
    results = load_image(path, max_size=28)
    assert results['img'].shape == (20, 28, 3)
    assert results['original_shape'] == (40, 56)
    model = init_model(
        config(repo_root, 'dynaseg_fsf_cnn_bsds500'), cfg_options=PER_IMAGE)
    assert inference_model(model, results).pred_sem_seg.data.shape == (1, 20,
                                                                       28)


def test_trained_config_needs_an_existing_fitting_checkpoint(
        repo_root, tmp_path):
    trained = config(repo_root, 'dynaseg_fsf_cnn_bsds500_trained')
    with pytest.raises(ValueError, match='give its checkpoint'):
        init_model(trained, cfg_options=TINY)
    with pytest.raises(FileNotFoundError, match='none.pth'):
        init_model(trained, str(tmp_path / 'none.pth'), cfg_options=TINY)
    bad = tmp_path / 'bad.pth'
    bad.write_bytes(b'not a checkpoint')
    with pytest.raises(CheckpointError, match='bad.pth'):
        init_model(trained, str(bad), cfg_options=TINY)


def test_crafted_checkpoint_is_refused(repo_root, tmp_path,
                                      code_running_buffer):
    """Weights that fit, plus an object whose deep copy would run code."""
    source = init_model(
        config(repo_root, 'dynaseg_fsf_cnn_bsds500'), cfg_options=PER_IMAGE)
    marker = tmp_path / 'pwned'
    path = tmp_path / 'crafted.pth'
    torch.save(
        dict(
            state_dict=source.state_dict(),
            meta=dict(x=code_running_buffer(marker))), path)
    with pytest.raises(CheckpointError, match='crafted.pth') as error:
        init_model(
            config(repo_root, 'dynaseg_fsf_cnn_bsds500_trained'),
            str(path),
            cfg_options=TINY)
    assert 'getattr(' in str(error.value) and not marker.exists()


def test_checkpoint_weights_are_loaded_exactly(repo_root, tmp_path):
    trained = config(repo_root, 'dynaseg_fsf_cnn_bsds500_trained')
    source = init_model(
        config(repo_root, 'dynaseg_fsf_cnn_bsds500'), cfg_options=PER_IMAGE)
    state = {
        # distributed training's prefix is accepted
        f'module.{key}': value + 1 if value.is_floating_point() else value
        for key, value in source.state_dict().items()
    }
    torch.save(dict(state_dict=state), tmp_path / 'ckpt.pth')
    model = init_model(trained, str(tmp_path / 'ckpt.pth'), cfg_options=TINY)
    for key, value in model.state_dict().items():
        assert torch.equal(value, state[f'module.{key}']), key
    # a per-image config refines the checkpoint instead of a fresh start
    refined = init_model(
        config(repo_root, 'dynaseg_fsf_cnn_bsds500'),
        str(tmp_path / 'ckpt.pth'),
        cfg_options=PER_IMAGE)
    assert refined.init == 'checkpoint'


def test_dynaguide_config_computes_its_guide(repo_root):
    model = init_model(
        config(repo_root, 'dynaguide_kmeans_cnn_bsds500'),
        cfg_options=dict(PER_IMAGE, **{'model.max_iters': 2}))
    assert type(model.guidance).__name__ == 'LoadGuidance'
    sample = inference_model(model, bgr_image())
    assert sample.iterations == 2  # the published schedule: every step
    assert sample.pred_sem_seg.data.shape == (1, 20, 28)


def test_refine_config_needs_a_checkpoint_and_keeps_its_start(
        repo_root, tmp_path):
    refine = config(repo_root, 'dynaseg_fsf_cnn_bsds500_refine')
    with pytest.raises(ValueError, match='refines a trained network'):
        init_model(refine, cfg_options=PER_IMAGE)
    source = init_model(
        config(repo_root, 'dynaseg_fsf_cnn_bsds500'), cfg_options=PER_IMAGE)
    torch.save(dict(state_dict=source.state_dict()), tmp_path / 'ckpt.pth')
    model = init_model(refine, str(tmp_path / 'ckpt.pth'),
                       cfg_options=PER_IMAGE)
    assert model.init == 'checkpoint_features' and model.max_iters == 3


def test_mmseg_show_result_pyplot_draws_the_clusters(repo_root, tmp_path):
    """init_model sets dataset_meta (cluster names, the fixed palette), so
    mmseg's own visualisation works on our models."""
    from mmseg.apis import show_result_pyplot

    from mmdynaseg.utils import cluster_palette
    model = init_model(
        config(repo_root, 'dynaseg_fsf_cnn_bsds500'), cfg_options=PER_IMAGE)
    assert model.dataset_meta['classes'][:2] == ('cluster 0', 'cluster 1')
    assert len(model.dataset_meta['classes']) == 8
    assert model.dataset_meta['palette'] == cluster_palette()[:8].tolist()
    image = bgr_image()
    sample = inference_model(model, image)
    out = tmp_path / 'shown.png'
    drawn = show_result_pyplot(
        model, image, sample, opacity=1.0, show=False, out_file=str(out),
        with_labels=False)
    assert out.is_file() and drawn.shape == (20, 28, 3)
    # opacity 1: every pixel shows its cluster's colour (RGB)
    labels = sample.pred_sem_seg.data[0].numpy()
    np.testing.assert_array_equal(drawn, cluster_palette()[labels])


def test_image_arrays_are_converted_as_files_are():
    """Float 0..1 (gave one label), uint16 (was not scaled), grey, BGRA:
    all become the 8-bit BGR image; NaN and out-of-range are refused."""
    from mmdynaseg.apis.inference import bgr_uint8
    image = bgr_image()
    for array in (image / 255.0, image.astype(np.uint16) * 257,
                  image.astype(np.float32),
                  np.dstack([image, np.full(image.shape[:2], 9, np.uint8)]),
                  image.astype(np.int64)):
        np.testing.assert_array_equal(bgr_uint8(array), image)
    grey = image[..., 0]
    np.testing.assert_array_equal(bgr_uint8(grey), np.dstack([grey] * 3))
    np.testing.assert_array_equal(
        load_image(image / 255.0)['img'], image)
    nan = image / 255.0
    nan[0, 0, 0] = np.nan
    for bad, match in ((nan, 'NaN'), (image.astype(int) + 300, '0..255'),
                       (np.zeros((4, 4, 2)), 'shape'),
                       (np.zeros((4, 4, 3), bool), 'numbers')):
        with pytest.raises(ValueError, match=match):
            bgr_uint8(bad)


def reference_load(path, max_size):
    """The full decode, then the area resize: what a reduced read must
    match."""
    return load_image(str(path), max_size=None)['img']


@pytest.mark.parametrize('name,save,tolerance', [
    ('big.png', dict(), 2.0),
    ('grey.png', dict(mode='L'), 2.0),
    ('rgba.png', dict(mode='RGBA'), 2.0),
    ('big.jpg', dict(quality=95), 4.0),
])
def test_huge_images_are_read_reduced(tmp_path, name, save, tolerance):
    """A file at least twice max_size is decoded reduced: the same size and
    nearly the same pixels as decoding it fully and resizing."""
    import mmcv
    from PIL import Image
    rng = np.random.RandomState(0)
    blocks = (rng.rand(12, 18, 3) * 255).astype(np.uint8)
    rgb = np.kron(blocks, np.ones((20, 20, 1), np.uint8))  # 240 x 360
    mode = save.pop('mode', 'RGB')
    image = Image.fromarray(rgb)
    image = image.convert(mode)
    image.save(tmp_path / name, **save)
    reduced = load_image(str(tmp_path / name), max_size=50)
    assert reduced['original_shape'] == (240, 360)
    assert reduced['img'].shape == (33, 50, 3)
    full = mmcv.imresize(
        reference_load(tmp_path / name, None), (50, 33),
        interpolation='area')
    assert np.abs(reduced['img'].astype(int) - full).mean() <= tolerance


def test_reduced_read_turns_an_exif_rotated_jpeg_as_opencv_does(tmp_path):
    from PIL import Image
    rgb = np.zeros((240, 360, 3), np.uint8)
    rgb[:60] = 255  # a white band on top
    image = Image.fromarray(rgb)
    exif = image.getexif()
    exif[0x0112] = 6  # turn 90 degrees clockwise
    image.save(tmp_path / 'turned.jpg', exif=exif, quality=95)
    reduced = load_image(str(tmp_path / 'turned.jpg'), max_size=60)
    assert reduced['original_shape'] == (360, 240)
    assert reduced['img'].shape == (60, 40, 3)
    full = load_image(str(tmp_path / 'turned.jpg'), max_size=None)['img']
    assert full.shape == (360, 240, 3)
    # the band is now on the right, in both reads
    assert reduced['img'][:, -5:].mean() > 200 > 50 > reduced['img'][:, :20
                                                                     ].mean()


def test_a_huge_decode_that_does_not_fit_is_refused(tmp_path, monkeypatch):
    from PIL import Image

    from mmdynaseg.apis import inference
    Image.new('RGB', (400, 300)).save(tmp_path / 'huge.png')
    monkeypatch.setattr(inference, 'available_memory', lambda device: 1000)
    with pytest.raises(MemoryError, match=r"huge.png' is 400 x 300 px.*"
                       r'Shrink the file'):
        load_image(str(tmp_path / 'huge.png'), max_size=100)
    # not twice max_size: the regular decoder reads it, no estimate
    assert load_image(str(tmp_path / 'huge.png'),
                      max_size=300)['img'].shape == (225, 300, 3)
