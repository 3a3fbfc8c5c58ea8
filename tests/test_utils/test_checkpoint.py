import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner import CheckpointLoader

import mmdynaseg  # noqa: F401  (registers the local loader)


def test_mmengine_objects_load_without_setting_weights_only(tmp_path):
    buffer = HistoryBuffer()
    buffer.update(np.float64(1.5))
    path = tmp_path / 'ckpt.pth'
    torch.save(dict(meta=dict(hub=buffer), state_dict=dict(w=torch.ones(2))),
               path)
    with pytest.raises(Exception, match='Weights only load failed'):
        torch.load(path)  # what MMEngine's own loader would do
    checkpoint = CheckpointLoader.load_checkpoint(str(path))
    assert checkpoint['meta']['hub'].current() == 1.5
    assert checkpoint['state_dict']['w'].tolist() == [1.0, 1.0]


def test_missing_checkpoint_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='gone.pth'):
        CheckpointLoader.load_checkpoint(str(tmp_path / 'gone.pth'))
