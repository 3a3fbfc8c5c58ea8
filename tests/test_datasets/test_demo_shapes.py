import numpy as np
from PIL import Image

from mmdynaseg.datasets import DynaSegDemoDataset, generate_demo_dataset
from mmdynaseg.datasets.demo_shapes import CLASSES, render_demo_sample


def test_rendering_is_deterministic_and_labelled():
    image, label = render_demo_sample(seed=3, size=(40, 30))
    again, label_again = render_demo_sample(seed=3, size=(40, 30))
    assert image.shape == (40, 30, 3) and image.dtype == np.uint8
    np.testing.assert_array_equal(image, again)
    np.testing.assert_array_equal(label, label_again)
    assert set(np.unique(label)) <= set(range(len(CLASSES)))
    assert len(np.unique(label)) >= 2


def test_classes_differ_in_colour():
    image, label = render_demo_sample(seed=0, size=(64, 64))
    means = [image[label == c].mean(0) for c in np.unique(label)]
    for i in range(len(means)):
        for j in range(i + 1, len(means)):
            assert np.abs(means[i] - means[j]).max() > 20


def test_generated_once_and_loaded_as_dataset(tmp_path):
    root = str(tmp_path / 'demo')
    generate_demo_dataset(root, num_train=3, num_val=2, size=(16, 16))
    first = Image.open(f'{root}/images/val/00001.png').tobytes()
    generate_demo_dataset(root, num_train=9)  # already there: untouched
    assert Image.open(f'{root}/images/val/00001.png').tobytes() == first
    dataset = DynaSegDemoDataset(
        data_root=root,
        data_prefix=dict(img_path='images/val', seg_map_path='labels/val'),
        pipeline=[])
    assert len(dataset) == 2
    assert dataset.metainfo['classes'] == CLASSES
    assert dataset[0]['seg_map_path'].endswith('labels/val/00000.png')


def test_dataset_generates_missing_root(tmp_path):
    root = tmp_path / 'fresh'
    dataset = DynaSegDemoDataset(
        data_root=str(root),
        generate=dict(num_train=2, num_val=1, size=(8, 8)),
        data_prefix=dict(img_path='images/train'),
        pipeline=[])
    assert len(dataset) == 2
    assert not [p for p in tmp_path.iterdir() if p.name.startswith('.')]
