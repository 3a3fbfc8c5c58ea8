"""tools/dataset_converters/cocostuff27.py on a tiny stuffthingmaps tree."""
import importlib.util
import os

import numpy as np
import pytest
from PIL import Image

SPLIT_LIST = 'Coco164kFull_Stuff_Coarse_7.txt'
# fine ids: person, clouds, wood, unlabeled -> person-things (9),
# sky-stuff (23), solid-stuff (24), ignore (255)
FINE = np.array([[0, 105], [181, 255]], np.uint8)
COARSE = np.array([[9, 23], [24, 255]], np.uint8)


@pytest.fixture(scope='module')
def converter(repo_root):
    path = repo_root / 'tools/dataset_converters/cocostuff27.py'
    spec = importlib.util.spec_from_file_location('cocostuff27_tool', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def tree(tmp_path):
    """source/val2017/<id>.png fine maps and out/curated split list."""
    source, out = tmp_path / 'stuffthingmaps', tmp_path / 'out'
    (source / 'val2017').mkdir(parents=True)
    (out / 'curated/val2017').mkdir(parents=True)
    (out / 'curated/val2017' / SPLIT_LIST).write_text(
        '000000000001\n000000000002\n')
    Image.fromarray(FINE).save(source / 'val2017/000000000001.png')
    Image.fromarray(FINE).save(source / 'val2017/000000000099.png')
    return source, out


def run(converter, source, out, *extra):
    return converter.main(
        [str(source), str(out), '--splits', 'val2017', *extra])


def labels(out):
    return sorted(os.listdir(out / 'labels27/val2017'))


def test_converts_listed_ids_and_reports_missing(converter, tree, capsys):
    source, out = tree
    assert run(converter, source, out) == 1
    assert labels(out) == ['000000000001.png']  # not the unlisted 99
    np.testing.assert_array_equal(
        np.asarray(Image.open(out / 'labels27/val2017/000000000001.png')),
        COARSE)
    report = (out / 'cocostuff27_conversion_report_val2017.txt').read_text()
    assert report.splitlines() == [
        '1 of 2 files skipped',
        f"{source / 'val2017/000000000002.png'}: missing"
    ]
    assert '000000000002.png: missing' in capsys.readouterr().err


def test_bad_sources_are_skipped_with_a_reason(converter, tree):
    source, out = tree
    (source / 'val2017/000000000002.png').write_bytes(b'truncated')
    Image.fromarray(np.full((2, 2), 200, np.uint8)).save(
        source / 'val2017/000000000003.png')
    Image.fromarray(np.zeros((2, 2, 3), np.uint8)).save(
        source / 'val2017/000000000004.png')
    (out / 'curated/val2017' / SPLIT_LIST).write_text(
        '000000000002\n000000000003\n000000000004\n')
    report = out / 'report.txt'
    assert run(converter, source, out, '--report', str(report)) == 1
    assert labels(out) == []
    lines = report.read_text().splitlines()
    assert lines[0] == '3 of 3 files skipped'
    assert '000000000002.png: cannot identify image file' in lines[1]
    assert lines[2].endswith(
        '000000000003.png: values [200] are not fine ids 0-181 or 255 '
        '(unlabeled)')
    assert '000000000004.png: expected a single-channel' in lines[3]


def test_rerun_keeps_finished_outputs_and_fills_the_gaps(converter, tree):
    source, out = tree
    assert run(converter, source, out) == 1
    finished = out / 'labels27/val2017/000000000001.png'
    finished.write_bytes(b'kept')  # a rerun must not rewrite it
    Image.fromarray(FINE).save(source / 'val2017/000000000002.png')
    assert run(converter, source, out) == 0
    assert finished.read_bytes() == b'kept'
    assert labels(out) == ['000000000001.png', '000000000002.png']
    assert (out / 'cocostuff27_conversion_report_val2017.txt').read_text() == (
        '0 of 2 files skipped\n')


def with_images(source, tmp_path):
    """Both val2017 labels in ``source``, and a COCO image folder whose two
    .jpg files hold their names; returns that folder."""
    (source / 'val2017/000000000002.png').write_bytes(
        (source / 'val2017/000000000001.png').read_bytes())
    images = tmp_path / 'coco'
    (images / 'val2017').mkdir(parents=True)
    for name in ('000000000001', '000000000002'):
        (images / 'val2017' / f'{name}.jpg').write_bytes(name.encode())
    return images


@pytest.mark.parametrize('mode', ['copy', 'symlink'])
def test_images_are_placed(converter, tree, tmp_path, mode):
    source, out = tree
    images = with_images(source, tmp_path)
    assert run(converter, source, out, '--images', str(images),
               '--image-mode', mode) == 0
    placed = out / 'images/val2017/000000000002.jpg'
    assert placed.read_bytes() == b'000000000002'
    assert placed.is_symlink() == (mode == 'symlink')
    assert sorted(os.listdir(out / 'images/val2017')) == [
        '000000000001.jpg', '000000000002.jpg'
    ]


def test_dangling_links_and_empty_files_are_not_in_place(converter, tree,
                                                        tmp_path):
    """Symlinked images moved away, and a 0-byte label: a rerun does not
    count them as in place; it makes the label again and reports the
    images that are gone."""
    source, out = tree
    images = with_images(source, tmp_path)
    options = ('--images', str(images), '--image-mode', 'symlink')
    assert run(converter, source, out, *options) == 0
    (images / 'val2017/000000000002.jpg').rename(images / 'moved.jpg')
    empty = out / 'labels27/val2017/000000000001.png'
    empty.write_bytes(b'')
    assert run(converter, source, out, *options) == 1
    np.testing.assert_array_equal(np.asarray(Image.open(empty)), COARSE)
    report = (out / 'cocostuff27_conversion_report_val2017.txt').read_text()
    assert report.splitlines() == [
        '1 of 4 files skipped',
        f"{images / 'val2017/000000000002.jpg'}: missing"
    ]
    assert not (out / 'images/val2017/000000000002.jpg').is_symlink()


def test_missing_split_list(converter, tree, capsys):
    source, out = tree
    assert run(converter, source, out, '--split-lists',
               str(out / 'elsewhere')) == 1
    assert 'cocostuff27_curated' in capsys.readouterr().err


def test_partial_files_of_a_killed_run_are_removed(converter, tree):
    source, out = tree
    label_dir = out / 'labels27/val2017'
    label_dir.mkdir(parents=True)
    stale = label_dir / '.000000000001.png.k3j2.partial.png'
    stale.write_bytes(b'half')
    run(converter, source, out)
    assert not stale.exists()
    assert labels(out) == ['000000000001.png']


def test_outputs_get_the_umask_permissions(converter, tree):
    """Not mkstemp's owner-only 0600: colleagues can read the labels."""
    source, out = tree
    old = os.umask(0o022)
    try:
        run(converter, source, out)
    finally:
        os.umask(old)
    for path in (out / 'labels27/val2017/000000000001.png',
                 out / 'cocostuff27_conversion_report_val2017.txt'):
        assert (path.stat().st_mode & 0o777) == 0o644, path


def test_each_split_keeps_its_own_report(converter, tree):
    source, out = tree
    run(converter, source, out)
    val_report = out / 'cocostuff27_conversion_report_val2017.txt'
    before = val_report.read_text()
    (out / 'curated/train2017').mkdir(parents=True, exist_ok=True)
    (out / 'curated/train2017' / SPLIT_LIST).write_text('000000000005\n')
    (source / 'train2017').mkdir(exist_ok=True)
    Image.fromarray(FINE).save(source / 'train2017/000000000005.png')
    assert converter.main(
        [str(source), str(out), '--splits', 'train2017']) == 0
    assert val_report.read_text() == before
    assert (out / 'cocostuff27_conversion_report_train2017.txt').is_file()


def test_without_own_lists_the_shipped_ones_are_read(converter, tmp_path):
    source, out = tmp_path / 'stuffthingmaps', tmp_path / 'out'
    (source / 'val2017').mkdir(parents=True)
    assert run(converter, source, out) == 1  # every listed map is missing
    report = (out / 'cocostuff27_conversion_report_val2017.txt').read_text()
    assert report.startswith('2175 of 2175 files skipped')
