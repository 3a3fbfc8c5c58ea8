import numpy as np
import pytest
import scipy.io

from mmdynaseg.datasets.transforms import (LoadBSDS500Annotations,
                                           read_bsds500_segmentations)


def load(path, image_shape=(4, 5)):
    return LoadBSDS500Annotations()(
        dict(seg_map_path=path, img=np.zeros((*image_shape, 3), np.uint8),
             img_path='img.jpg', seg_fields=[]))


def test_reads_every_annotator(tmp_path, write_bsds500_mat):
    maps = [np.arange(20, dtype=np.uint16).reshape(4, 5) + k * 300
            for k in range(4)]  # ids above 255 survive
    results = load(write_bsds500_mat(tmp_path / 'a.mat', maps))
    assert results['gt_annotators'].shape == (4, 4, 5)
    np.testing.assert_array_equal(results['gt_annotators'], np.stack(maps))
    np.testing.assert_array_equal(results['gt_seg_map'], maps[0])
    assert results['seg_fields'] == ['gt_seg_map']


def test_mat_without_segmentation_is_named(tmp_path, write_bsds500_mat):
    path = write_bsds500_mat(tmp_path / 'bounds.mat', [np.ones((4, 5))],
                             'Boundaries')
    with pytest.raises(ValueError, match='bounds.mat.*Segmentation'):
        load(path)


def test_other_mat_file_is_named(tmp_path):
    path = str(tmp_path / 'other.mat')
    scipy.io.savemat(path, {'labels': np.ones((4, 5))})
    with pytest.raises(ValueError, match='other.mat.*groundTruth'):
        read_bsds500_segmentations(path)


def test_corrupt_mat_is_named(tmp_path):
    path = tmp_path / 'broken.mat'
    path.write_bytes(b'not a mat file')
    with pytest.raises(ValueError, match='broken.mat'):
        read_bsds500_segmentations(str(path))


def test_annotators_of_different_sizes(tmp_path, write_bsds500_mat):
    path = write_bsds500_mat(tmp_path / 'ragged.mat',
                             [np.ones((4, 5)), np.ones((5, 4))])
    with pytest.raises(ValueError, match=r'ragged.mat.*\(4, 5\), \(5, 4\)'):
        read_bsds500_segmentations(path)


def test_size_other_than_the_image_is_named(tmp_path, write_bsds500_mat):
    path = write_bsds500_mat(tmp_path / 'small.mat', [np.ones((4, 5))] * 2)
    with pytest.raises(ValueError, match=r'small.mat.*\(4, 5\).*img.jpg'):
        load(path, image_shape=(5, 4))
