from types import SimpleNamespace

import cv2
import numpy as np
import pytest
import torch
from mmengine.structures import PixelData
from mmseg.registry import HOOKS
from mmseg.structures import SegDataSample
from PIL import Image

from mmdynaseg.datasets import ImageFolderDataset
from mmdynaseg.engine import (ClusterPredictionWriterHook, overlay_clusters,
                              overlay_figure)
from mmdynaseg.utils import cluster_palette, read_label_png


def sample(img_path, pred):
    data_sample = SegDataSample(metainfo=dict(img_path=str(img_path)))
    data_sample.pred_sem_seg = PixelData(data=torch.as_tensor(pred)[None])
    return data_sample


def runner_for(folder, **kwargs):
    dataset = ImageFolderDataset(data_root=str(folder), pipeline=[], **kwargs)
    return SimpleNamespace(test_dataloader=SimpleNamespace(dataset=dataset))


def write_image(path, rgb):
    Image.fromarray(np.asarray(rgb, np.uint8)).save(path)


def read_png(path):
    return cv2.imread(str(path), cv2.IMREAD_UNCHANGED)


def test_overlay_blends_image_with_cluster_colours():
    image = np.full((1, 2, 3), 100, np.uint8)
    pred = np.array([[0, 7]])
    colours = cluster_palette()[[0, 7]].astype(int)
    np.testing.assert_array_equal(overlay_clusters(image, pred, 0.0), image)
    np.testing.assert_array_equal(
        overlay_clusters(image, pred, 1.0)[0], colours)
    half = overlay_clusters(image, pred, 0.5)[0].astype(int)
    assert np.abs(half - (100 + colours) / 2).max() <= 0.5


def test_overlay_figure_puts_the_image_beside_marked_clusters():
    """Left: the image; right: the blend (opacity 0: the image) with the
    pixels on both sides of the cluster boundary (columns 2 and 3) white."""
    image = np.full((3, 6, 3), 100, np.uint8)
    pred = np.zeros((3, 6), int)
    pred[:, 3:] = 1
    figure = overlay_figure(image, pred, 0.0)
    assert figure.shape == (3, 12, 3) and figure.dtype == np.uint8
    np.testing.assert_array_equal(figure[:, :6], image)
    expected = image.copy()
    expected[:, 2:4] = 255
    np.testing.assert_array_equal(figure[:, 6:], expected)


def test_writes_raw_maps_and_overlays(tmp_path):
    images = tmp_path / 'images'
    images.mkdir()
    rgb = np.arange(2 * 3 * 3).reshape(2, 3, 3) * 9
    write_image(images / 'a.png', rgb)
    write_image(images / 'b.bmp', rgb[::-1])
    hook = HOOKS.build(
        dict(
            type='ClusterPredictionWriterHook',
            out_dir=str(tmp_path / 'maps'),
            show_dir=str(tmp_path / 'shows')))
    runner = runner_for(images)
    hook.before_test(runner)
    pred_a = np.array([[0, 1, 2], [2, 1, 0]])
    pred_b = np.array([[3, 300, 3], [3, 3, 3]])
    hook.after_test_iter(
        runner,
        0,
        outputs=[sample(images / 'a.png', pred_a),
                 sample(images / 'b.bmp', pred_b)])

    assert sorted(p.name for p in (tmp_path / 'maps').iterdir()) == [
        'a.png', 'b.png'
    ]
    map_a, map_b = (read_label_png(tmp_path / 'maps' / f)
                    for f in ('a.png', 'b.png'))
    assert map_a.dtype == np.uint8 and map_b.dtype == np.uint16
    np.testing.assert_array_equal(map_a, pred_a)
    np.testing.assert_array_equal(map_b, pred_b)
    # ids up to 255: palettised, a viewer shows the cluster colours
    with Image.open(tmp_path / 'maps' / 'a.png') as image:
        assert image.mode == 'P'
        np.testing.assert_array_equal(
            np.asarray(image.convert('RGB')), cluster_palette()[pred_a])

    # the image beside the blend; every pixel of pred_a is on a boundary
    overlay = read_png(tmp_path / 'shows' / 'a_overlay.png')[..., ::-1]
    np.testing.assert_array_equal(overlay[:, :3], rgb)
    np.testing.assert_array_equal(overlay[:, 3:], 255)
    assert (tmp_path / 'shows' / 'b_overlay.png').is_file()
    assert not [p for p in tmp_path.rglob('.tmp-*')]


def test_same_stem_in_two_images_is_refused(tmp_path):
    images = tmp_path / 'images'
    (images / 'sub').mkdir(parents=True)
    write_image(images / 'x.jpg', np.zeros((2, 2, 3)))
    write_image(images / 'sub' / 'x.png', np.zeros((2, 2, 3)))
    hook = ClusterPredictionWriterHook(out_dir=str(tmp_path / 'maps'))
    hook.before_test(runner_for(images))  # not recursive: one x
    with pytest.raises(ValueError) as error:
        hook.before_test(runner_for(images, recursive=True))
    message = str(error.value)
    assert 'x.jpg' in message and 'sub/x.png' in message
    assert 'rename one of them' in message


def test_unusable_output_folder_is_named(tmp_path):
    images = tmp_path / 'images'
    images.mkdir()
    write_image(images / 'x.png', np.zeros((2, 2, 3)))
    not_a_folder = tmp_path / 'file'
    not_a_folder.write_text('')
    hook = ClusterPredictionWriterHook(show_dir=str(not_a_folder / 'maps'))
    with pytest.raises(OSError, match='cannot create the output folder.*'
                       'file/maps.*--show-dir'):
        hook.before_test(runner_for(images))


def test_prediction_must_match_image_size(tmp_path):
    write_image(tmp_path / 'x.png', np.zeros((2, 2, 3)))
    hook = ClusterPredictionWriterHook(show_dir=str(tmp_path / 'shows'))
    with pytest.raises(ValueError, match='differ in size'):
        hook.after_test_iter(
            None, 0, outputs=[sample(tmp_path / 'x.png', np.zeros((3, 2)))])


@pytest.mark.parametrize('kwargs, match', [
    (dict(), 'out_dir and/or show_dir'),
    (dict(out_dir='maps', opacity=1.5), 'opacity'),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ClusterPredictionWriterHook(**kwargs)
