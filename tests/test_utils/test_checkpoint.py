"""Checkpoints load with weights_only=True: MMEngine's types allow-listed."""
import os
import re

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner import CheckpointLoader
from torch import nn

from mmdynaseg.utils import (CheckpointError, check_checkpoint,
                             load_checkpoint_file)


def mmengine_like(path):
    """What MMEngine saves: weights plus the message hub's HistoryBuffer
    (its statistics methods pickle through getattr) and numpy values."""
    buffer = HistoryBuffer()
    buffer.update(np.float64(1.5))
    torch.save(
        dict(
            meta=dict(seed=np.int64(3), scale=np.ones(2, np.float32)),
            message_hub=dict(log_scalars={'train/loss': buffer}),
            state_dict=dict(weight=torch.ones(2, 3), bias=torch.zeros(2))),
        path)
    return path


def test_mmengine_loader_reads_mmengine_checkpoints_unpatched(tmp_path):
    path = mmengine_like(tmp_path / 'ckpt.pth')
    # MMEngine's own local loader: torch.load with torch's default
    # (weights_only=True) now accepts the allow-listed types
    checkpoint = CheckpointLoader.load_checkpoint(str(path))
    assert checkpoint['message_hub']['log_scalars']['train/loss'].current() \
        == 1.5
    assert checkpoint['meta']['seed'] == 3
    assert checkpoint['state_dict']['weight'].tolist() == [[1.0] * 3] * 2


class Payload:
    """A pickle that runs code when unpickled (creates a file)."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.mkdir, (self.marker, ))


def test_malicious_pickle_is_not_executed(tmp_path):
    marker = tmp_path / 'pwned'
    path = tmp_path / 'evil.pth'
    torch.save(dict(state_dict={}, meta=Payload(marker)), path)
    with pytest.raises(Exception, match='Weights only load failed'):
        CheckpointLoader.load_checkpoint(str(path))
    with pytest.raises(CheckpointError) as error:
        load_checkpoint_file(str(path))
    assert not marker.exists()
    message = str(error.value)
    assert 'evil.pth' in message and 'posix.mkdir' in message
    assert 'weights_only=False' in message  # how to load a trusted file


@pytest.mark.parametrize('content, words', [(b'', 'is empty (0 bytes)'),
                                            (b'garbage' * 10,
                                             'not a readable PyTorch')])
def test_empty_or_garbage_file_is_named(tmp_path, content, words):
    path = tmp_path / 'broken.pth'
    path.write_bytes(content)
    with pytest.raises(CheckpointError, match=re.escape(words)) as error:
        load_checkpoint_file(str(path))
    assert 'broken.pth' in str(error.value)


def test_missing_checkpoint_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='gone.pth'):
        load_checkpoint_file(str(tmp_path / 'gone.pth'))


def test_checkpoint_must_fit_the_model(tmp_path):
    model = nn.Linear(3, 2)
    fits = tmp_path / 'fits.pth'
    torch.save(dict(state_dict={'module.' + k: v
                                for k, v in model.state_dict().items()}),
               fits)
    assert set(check_checkpoint(str(fits), model)['state_dict']) == {
        'module.weight', 'module.bias'
    }
    other = tmp_path / 'other.pth'
    torch.save(dict(state_dict=dict(weight=torch.ones(4, 3),
                                    extra=torch.ones(1))), other)
    with pytest.raises(CheckpointError) as error:
        check_checkpoint(str(other), model)
    message = str(error.value)
    assert 'other.pth' in message and '1 missing: bias' in message
    assert '1 unexpected: extra' in message
    assert 'weight (4, 3) vs (2, 3)' in message
