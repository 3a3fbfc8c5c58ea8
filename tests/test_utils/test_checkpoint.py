"""Checkpoints load with weights_only=True: MMEngine's types allow-listed."""
import copy
import os
import pickle
import re

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner import CheckpointLoader
from torch import nn

from mmdynaseg.utils import (CheckpointError, check_checkpoint,
                             load_checkpoint_file)
from mmdynaseg.utils.checkpoint import (HISTORY_BUFFER_METHODS,
                                        drop_config_text,
                                        history_buffer_method)


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
    for load in (CheckpointLoader.load_checkpoint, load_checkpoint_file):
        with pytest.raises(CheckpointError) as error:
            load(str(path))
        message = str(error.value)
        assert 'evil.pth' in message and 'posix.mkdir' in message
        assert 'weights_only=False' in message  # how to load a trusted file
    assert not marker.exists()


def test_getattr_chain_to_exec_is_refused(tmp_path, code_running_buffer):
    """Allow-listing the bare getattr let this file through: a
    HistoryBuffer whose deepcopy runs exec (reached as
    getattr(getattr, '__self__').exec), as MMEngine's resume does."""
    marker = tmp_path / 'pwned'
    path = tmp_path / 'evil.pth'
    torch.save(
        dict(
            state_dict={},
            message_hub=dict(runtime_info=dict(x=code_running_buffer(
                marker)))), path)
    # the file is a real exploit once unpickled without the protection
    unsafe = torch.load(path, weights_only=False)
    copy.deepcopy(unsafe)
    assert marker.is_dir()
    marker.rmdir()
    for load in (CheckpointLoader.load_checkpoint, load_checkpoint_file):
        with pytest.raises(CheckpointError) as error:
            load(str(path))
        assert "getattr(history_buffer_method, '__self__')" in str(
            error.value) and 'evil.pth' in str(error.value)
    assert not marker.exists()


def test_history_buffer_method_admits_only_the_statistics():
    for name in HISTORY_BUFFER_METHODS:
        assert history_buffer_method(HistoryBuffer, name) is getattr(
            HistoryBuffer, name)
    for owner, name in ((HistoryBuffer, '__init__'), (HistoryBuffer,
                                                      '__dict__'),
                        (torch, 'load'), (HistoryBuffer(), 'min')):
        with pytest.raises(pickle.UnpicklingError, match='not a recons'):
            history_buffer_method(owner, name)


def test_config_text_of_a_checkpoint_is_never_run(tmp_path):
    """MMEngine's resume executes meta['config'] (Config.fromstring): every
    loader moves it to meta['config_text']."""
    marker = tmp_path / 'pwned'
    text = f"__import__('os').mkdir({str(marker)!r})\nlr = 0.1\n"
    path = tmp_path / 'ckpt.pth'
    torch.save(dict(meta=dict(config=text, iter=3), state_dict={}), path)
    for load in (CheckpointLoader.load_checkpoint, load_checkpoint_file):
        meta = load(str(path))['meta']
        assert meta == dict(config_text=text, iter=3)
    assert not marker.exists()
    assert drop_config_text([1]) == [1]  # not a dict: left as it is
    assert drop_config_text(dict(meta=None)) == dict(meta=None)


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


def test_checkpoint_values_must_be_tensors(tmp_path):
    """The right keys with other values: test.py ran on random weights."""
    model = nn.Linear(3, 2)
    path = tmp_path / 'values.pth'
    torch.save(dict(state_dict=dict(weight=[[1.0] * 3] * 2, bias='zeros')),
               path)
    with pytest.raises(CheckpointError) as error:
        check_checkpoint(str(path), model)
    assert '2 not tensors: bias (str), weight (list)' in str(error.value)
