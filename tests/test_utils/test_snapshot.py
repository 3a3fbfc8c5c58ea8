import hashlib
import os

import numpy as np
import torch

import mmdynaseg.utils.snapshot as snapshot_module
from mmdynaseg.utils import SnapshotStore


def test_key_names_the_image_and_its_pixels():
    store = SnapshotStore('unused')
    pixels = np.zeros((1, 3, 2, 2), dtype=np.float32)
    digest = hashlib.sha1(pixels.tobytes()).hexdigest()[:12]
    assert store.key(pixels, 'data/images/val/101085.jpg') == \
        f'101085-{digest}.pth'
    assert store.key(pixels) == f'image-{digest}.pth'
    # strided (e.g. channels-last) pixels name the same snapshot
    assert store.key(np.asfortranarray(pixels), 'a.png') == \
        store.key(pixels, 'a.png')
    assert store.key(pixels + 1, 'a.png') != store.key(pixels, 'a.png')


def test_saved_snapshot_is_resumed_by_its_signature_only(tmp_path,
                                                         monkeypatch):
    warnings = []
    monkeypatch.setattr(snapshot_module, 'print_log',
                        lambda message, **_: warnings.append(message))
    store = SnapshotStore(str(tmp_path / 'snapshots'))
    key = 'a-0123.pth'
    assert store.load(key, 'settings') is None  # none saved yet
    store.save(key, 'settings', dict(steps=4, weight=torch.arange(3.0)))
    assert os.listdir(store.folder) == [key]  # no temporary left
    snapshot = store.load(key, 'settings')
    assert snapshot['steps'] == 4
    assert torch.equal(snapshot['weight'], torch.arange(3.0))
    assert store.load(key, 'other settings') is None
    with open(os.path.join(store.folder, key), 'wb') as f:
        f.write(b'not a snapshot')
    assert store.load(key, 'settings') is None
    assert len(warnings) == 2
    assert 'a snapshot of other settings' in warnings[0]
    assert 'not a readable snapshot' in warnings[1] and key in warnings[1]
    store.remove(key)
    store.remove(key)  # nothing left to remove
    assert os.listdir(store.folder) == []


def test_progress_is_the_furthest_snapshot_of_that_image(tmp_path):
    store = SnapshotStore(str(tmp_path / 'snapshots'))
    assert store.progress('1') is None  # no folder yet
    store.save('1-0123456789ab.pth', 'settings', dict(steps=50, seconds=2.))
    store.save('1-ba9876543210.pth', 'other', dict(steps=100, seconds=4.))
    # other images whose names start alike
    store.save('10-0123456789ab.pth', 's', dict(steps=150, seconds=6.))
    store.save('1-b-0123456789ab.pth', 's', dict(steps=200, seconds=8.))
    with open(os.path.join(store.folder, '1-00000000000f.pth'), 'wb') as f:
        f.write(b'not a snapshot')  # unreadable: left out
    assert store.progress('1') == (100, 4.0)
    assert store.progress('data/images/val/1.jpg') == (100, 4.0)
    assert store.progress('1-b') == (200, 8.0)
    assert store.progress('2') is None
