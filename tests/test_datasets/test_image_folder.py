import numpy as np
import pytest
from mmseg.datasets.transforms import PackSegInputs
from PIL import Image

from mmdynaseg.datasets import ImageFolderDataset
from mmdynaseg.datasets.transforms import LoadImageOrSkip


def touch_images(folder, names):
    for name in names:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b'')


def paths(dataset):
    return [
        dataset.get_data_info(i)['img_path'] for i in range(len(dataset))
    ]


def test_lists_images_of_any_case_sorted(tmp_path):
    touch_images(tmp_path, [
        'b.PNG', 'a.jpg', 'c.JpEg', 'd.bmp', 'e.tif', 'f.TIFF', 'notes.txt',
        'g.gif', 'sub/h.png'
    ])
    (tmp_path / 'dir.png').mkdir()  # a folder named like an image
    dataset = ImageFolderDataset(data_root=str(tmp_path), pipeline=[])
    assert [p.rsplit('/', 1)[1] for p in paths(dataset)] == [
        'a.jpg', 'b.PNG', 'c.JpEg', 'd.bmp', 'e.tif', 'f.TIFF'
    ]
    assert 'seg_map_path' not in dataset.get_data_info(0)
    recursive = ImageFolderDataset(
        data_root=str(tmp_path), recursive=True, pipeline=[])
    assert len(recursive) == 7 and paths(recursive)[-1].endswith('sub/h.png')


def test_data_prefix_selects_subfolder(tmp_path):
    touch_images(tmp_path, ['top.png', 'photos/x.jpg'])
    dataset = ImageFolderDataset(
        data_root=str(tmp_path),
        data_prefix=dict(img_path='photos'),
        pipeline=[])
    assert paths(dataset) == [str(tmp_path / 'photos' / 'x.jpg')]


def test_metainfo_has_no_classes_and_works_in_test_mode(tmp_path):
    touch_images(tmp_path, ['x.png'])
    dataset = ImageFolderDataset(
        data_root=str(tmp_path), pipeline=[], test_mode=True)
    assert dataset.metainfo['classes'] == ()
    assert dataset.metainfo['palette'] == []


def test_pipeline_loads_image_without_labels(tmp_path):
    Image.fromarray(np.full((3, 5, 3), 7, np.uint8)).save(tmp_path / 'x.png')
    dataset = ImageFolderDataset(
        data_root=str(tmp_path),
        pipeline=[LoadImageOrSkip(), PackSegInputs()])
    item = dataset[0]
    assert tuple(item['inputs'].shape) == (3, 3, 5)
    assert 'gt_sem_seg' not in item['data_samples']


def test_missing_folder_is_named_with_fix(tmp_path):
    missing = tmp_path / 'nowhere'
    with pytest.raises(FileNotFoundError) as error:
        ImageFolderDataset(data_root=str(missing), pipeline=[])
    assert str(missing) in str(error.value)
    assert 'data_root' in str(error.value)


def test_folder_without_images_suggests_recursive(tmp_path):
    touch_images(tmp_path, ['readme.txt', 'sub/x.png'])
    with pytest.raises(FileNotFoundError) as error:
        ImageFolderDataset(data_root=str(tmp_path), pipeline=[])
    assert str(tmp_path) in str(error.value)
    assert 'recursive=True' in str(error.value)
    (tmp_path / 'sub' / 'x.png').unlink()
    with pytest.raises(FileNotFoundError, match='or its subfolders'):
        ImageFolderDataset(
            data_root=str(tmp_path), recursive=True, pipeline=[])
