import json
import os

import numpy as np
import pytest

from mmdynaseg.utils import (atomic_output, label_map_array, load_results,
                             remove_partial_files, update_results, write_bytes,
                             write_text)
from mmdynaseg.utils.fileio import finite_json, folder_lock


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_write_is_whole_and_gets_umask_mode(tmp_path, umask_022):
    path = tmp_path / 'a.json'
    write_text(str(path), 'new')
    assert path.read_text() == 'new'
    assert (path.stat().st_mode & 0o777) == 0o644  # not mkstemp's 0600
    write_bytes(str(path), b'again')
    assert path.read_bytes() == b'again'
    assert os.listdir(tmp_path) == ['a.json']  # no temporary left


def test_failed_write_leaves_the_old_file_and_no_partial(tmp_path):
    path = tmp_path / 'labels.png'
    path.write_bytes(b'old')
    with pytest.raises(RuntimeError):
        with atomic_output(str(path)) as tmp:
            assert tmp.endswith('.partial.png')  # extension kept for PIL
            with open(tmp, 'wb') as f:
                f.write(b'half')
            raise RuntimeError('killed')
    assert path.read_bytes() == b'old'
    assert os.listdir(tmp_path) == ['labels.png']


def test_partial_files_of_killed_writers_are_removed(tmp_path):
    (tmp_path / '.x.png.ab12.partial.png').write_bytes(b'')
    (tmp_path / 'x.png').write_bytes(b'done')
    (tmp_path / '.hidden').write_bytes(b'user file')
    removed = remove_partial_files(str(tmp_path))
    assert [os.path.basename(p)
            for p in removed] == ['.x.png.ab12.partial.png']
    assert sorted(os.listdir(tmp_path)) == ['.hidden', 'x.png']


def test_label_map_dtype_follows_largest_id():
    small = label_map_array(np.array([[0, 255]]))
    assert small.dtype == np.uint8 and small.tolist() == [[0, 255]]
    large = label_map_array(np.array([[0, 256]]))
    assert large.dtype == np.uint16 and large.tolist() == [[0, 256]]
    for bad in (-1, 65536):
        with pytest.raises(ValueError, match='labels must lie in'):
            label_map_array(np.array([[0, bad]]))


def test_results_resume_only_under_the_same_settings(tmp_path):
    path = str(tmp_path / 'results.json')
    settings = dict(size=(2, 3), name='a')  # a tuple is saved as a list
    assert load_results(path, settings, 'start over', images={}) == dict(
        settings=dict(size=[2, 3], name='a'), images={})
    update_results(path, settings, 'start over',
                   lambda saved: saved['images'].update(x=1), images={})
    assert load_results(path, settings, 'start over', images={}) == dict(
        settings=dict(size=[2, 3], name='a'), images=dict(x=1))
    with pytest.raises(ValueError, match=r"other settings \({'size': \[2, 3"
                       r"\], 'name': 'a'}\); .* or pass another --out"):
        load_results(path, dict(settings, name='b'), 'pass another --out')


def test_update_keeps_what_another_process_saved_since(tmp_path):
    path = str(tmp_path / 'results.json')
    # another process saves its result while this one runs
    update_results(path, {}, 'start over',
                   lambda saved: saved['images'].update(theirs=1), images={})
    mine = update_results(path, {}, 'start over',
                          lambda saved: saved['images'].update(mine=2),
                          indent=2, images={})
    assert mine['images'] == dict(theirs=1, mine=2)
    with open(path) as f:
        text = f.read()
    assert json.loads(text) == mine and text.startswith('{\n  "settings"')
    assert os.listdir(tmp_path) == ['results.json']  # no lock file left


def _add_results(path: str, name: str, count: int) -> None:
    for index in range(count):
        update_results(path, {}, 'start over',
                       lambda saved: saved['images'].update(
                           {f'{name}{index}': index}), images={})


def test_two_processes_updating_at_once_lose_nothing(tmp_path):
    import multiprocessing
    path = str(tmp_path / 'results.json')
    context = multiprocessing.get_context('fork')
    workers = [
        context.Process(target=_add_results, args=(path, name, 30))
        for name in 'ab'
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    with open(path) as f:
        assert len(json.load(f)['images']) == 60


def _hold_lock(folder: str, seconds: float) -> None:
    import time
    with folder_lock(folder):
        open(os.path.join(folder, 'held'), 'w').close()
        time.sleep(seconds)


def test_folder_lock_makes_another_process_wait(tmp_path):
    """While another process holds the folder's lock (1.5 s), an update
    waits for it."""
    import multiprocessing
    import time
    context = multiprocessing.get_context('fork')
    holder = context.Process(target=_hold_lock, args=(str(tmp_path), 1.5))
    holder.start()
    deadline = time.monotonic() + 30
    while not (tmp_path / 'held').exists():
        assert time.monotonic() < deadline
        time.sleep(0.01)
    started = time.monotonic()
    _add_results(str(tmp_path / 'results.json'), 'x', 1)
    assert time.monotonic() - started > 1.0
    holder.join(30)
    assert holder.exitcode == 0


@pytest.mark.parametrize('content, words', [
    ('{"settings": {}, "images": {"a"', 'is not valid JSON'),
    ('[1, 2]', 'holds a JSON list'),
])
def test_broken_results_file_is_named_with_the_fix(tmp_path, content,
                                                   words):
    path = tmp_path / 'summary.json'
    path.write_text(content)
    with pytest.raises(ValueError) as error:
        load_results(str(path), {}, 'pass another --out')
    message = str(error.value)
    assert str(path) in message and words in message
    assert 'move it aside' in message and 'pass another --out' in message


def test_saved_results_are_strict_json(tmp_path):
    """A NaN (e.g. seconds of a failed image) is saved as null."""
    assert finite_json(dict(a=[1.5, float('nan')], b=(float('inf'), 'x'),
                            c=2)) == dict(a=[1.5, None], b=[None, 'x'], c=2)
    path = str(tmp_path / 'results.json')
    update_results(path, {}, 'start over',
                   lambda saved: saved.update(x=float('nan')))
    with open(path) as f:
        text = f.read()

    def refuse(constant):
        raise ValueError(constant)

    assert json.loads(text, parse_constant=refuse)['x'] is None
