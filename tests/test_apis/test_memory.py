"""mmdynaseg.apis.memory: the memory an image's optimisation needs."""
import copy

import pytest
import torch

from mmdynaseg.apis import init_model
from mmdynaseg.apis import memory
from mmdynaseg.apis.memory import (available_memory, check_memory,
                                   in_words, step_bytes_per_pixel)

TINY = {
    'model.backbone.channels': 8,
    'model.decode_head.in_channels': 8,
    'model.decode_head.channels': 8,
    'model.decode_head.num_classes': 8,
}


def test_check_memory_refuses_with_the_long_side_that_fits():
    # 100 x 200 px at 1,000 bytes each: 2e7 bytes
    check_memory(1000, 100, 200, 20_000_000, 'x')
    check_memory(1000, 100, 200, None, 'x')  # unknown: no check
    with pytest.raises(MemoryError) as error:
        check_memory(1000, 100, 200, 10_000_000, "'a.png'")
    # half the pixels fit: a long side of floor(200 / sqrt(2)) = 141
    assert "'a.png' is 200 x 100 px" in str(error.value)
    assert 'needs about 19 MiB, and 10 MiB are available' in str(
        error.value)
    assert '--max-size 141 or less' in str(error.value)


def test_available_memory_reads_memavailable(tmp_path, monkeypatch):
    meminfo = tmp_path / 'meminfo'
    meminfo.write_text('MemTotal:  2048 kB\nMemAvailable:   1024 kB\n')
    monkeypatch.setattr(memory, 'MEMINFO', str(meminfo))
    assert available_memory(torch.device('cpu')) == 1024 * 1024
    monkeypatch.setattr(memory, 'MEMINFO', str(tmp_path / 'absent'))
    assert available_memory(torch.device('cpu')) is None


def test_step_estimate_leaves_the_model_and_the_seed_alone(repo_root):
    model = init_model(
        str(repo_root / 'configs/dynaseg_fsf_cnn_bsds500.py'),
        cfg_options=TINY)
    model.train()
    state = copy.deepcopy(model.state_dict())
    torch.manual_seed(0)
    estimate = step_bytes_per_pixel(model)
    after = torch.rand(1)
    torch.manual_seed(0)
    assert torch.equal(after, torch.rand(1))
    assert model.training
    for key, value in model.state_dict().items():
        assert torch.equal(value, state[key]), key
    # every saved activation holds at least the 8 float32 channels of a
    # pixel, and the estimate scales with the optimised share of pixels
    assert estimate > memory.PEAK_PER_SAVED_BYTE * 8 * 4
    model.optimise_scale = 0.5
    assert step_bytes_per_pixel(model) == pytest.approx(estimate / 4)


def test_sizes_in_words():
    assert in_words(3 * 2**29) == '1.5 GiB'
    assert in_words(5 * 2**20) == '5 MiB'
