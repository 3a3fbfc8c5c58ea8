from unittest import mock

import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope
from mmseg.registry import TRANSFORMS
from PIL import Image

import mmdynaseg  # noqa: F401  (registers the transforms and guides)

LABELS = np.arange(12, dtype=np.uint8).reshape(3, 4)  # asymmetric guide


@pytest.fixture
def files(tmp_path):
    """A 3 x 4 image and its precomputed guide (labels 0..11)."""
    (tmp_path / 'guides').mkdir()
    Image.fromarray(np.full((3, 4, 3), 80, np.uint8)).save(
        tmp_path / 'img.png')
    Image.fromarray(LABELS).save(tmp_path / 'guides/img.png')
    return tmp_path


def run(pipeline, img_path):
    init_default_scope('mmseg')
    results = dict(img_path=str(img_path))
    for cfg in pipeline:
        results = TRANSFORMS.build(cfg)(results)
    return results


def guidance(files):
    return dict(type='LoadGuidance',
                guide=dict(type='PrecomputedGuide',
                           guide_dir=str(files / 'guides')))


def test_guide_follows_flip_and_resize_and_is_packed(files):
    packed = run([
        dict(type='LoadImageOrSkip'),
        guidance(files),
        dict(type='RandomFlip', prob=1.0, direction='horizontal'),
        dict(type='Resize', scale=(8, 6), keep_ratio=False),
        dict(type='PackGuidedSegInputs'),
    ], files / 'img.png')
    expected = np.repeat(np.repeat(LABELS[:, ::-1], 2, axis=0), 2, axis=1)
    guide = packed['data_samples'].gt_guide.data
    assert guide.shape == (1, 6, 8) and guide.dtype == torch.int64
    assert np.array_equal(guide[0].numpy(), expected)
    assert packed['inputs'].shape == (3, 6, 8)
    assert 'gt_sem_seg' not in packed['data_samples']  # no ground truth


def test_guide_is_computed_once_and_copied(files):
    transform = TRANSFORMS.build(guidance(files))
    load = TRANSFORMS.build(dict(type='LoadImageOrSkip'))
    with mock.patch.object(transform.guide, 'compute',
                           wraps=transform.guide.compute) as compute:
        first = transform(load(dict(img_path=str(files / 'img.png'))))
        first['gt_guide_map'][:] = 0  # a transform writing in place
        second = transform(load(dict(img_path=str(files / 'img.png'))))
    assert compute.call_count == 1
    assert np.array_equal(second['gt_guide_map'], LABELS)
    assert second['seg_fields'] == ['gt_guide_map']


def test_guidance_after_a_resize_is_refused(files):
    with pytest.raises(ValueError, match='right after the image loading'):
        run([
            dict(type='LoadImageOrSkip'),
            dict(type='Resize', scale=(8, 6), keep_ratio=False),
            guidance(files),
        ], files / 'img.png')


def test_packing_without_guidance_says_what_to_add(files):
    with pytest.raises(KeyError, match='LoadGuidance'):
        run([dict(type='LoadImageOrSkip'),
             dict(type='PackGuidedSegInputs')], files / 'img.png')


@pytest.mark.parametrize('on_error', ['raise', 'skip'])
def test_missing_guide_raises_or_skips(files, on_error):
    (files / 'guides/img.png').unlink()
    load = TRANSFORMS.build(dict(type='LoadImageOrSkip'))
    transform = TRANSFORMS.build(dict(guidance(files), on_error=on_error))
    loaded = load(dict(img_path=str(files / 'img.png')))
    if on_error == 'raise':
        with pytest.raises(FileNotFoundError, match='guides/img.png'):
            transform(loaded)
    else:
        assert transform(loaded) is None


def test_bad_on_error_is_refused(files):
    with pytest.raises(ValueError, match='on_error'):
        TRANSFORMS.build(dict(guidance(files), on_error='ignore'))
