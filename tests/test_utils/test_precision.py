import torch

import mmdynaseg.utils.precision as precision
from mmdynaseg.utils import supports_autocast, warn_once


def test_float16_needs_cuda_and_bf16_follows_onednn(monkeypatch):
    assert not supports_autocast('cpu', 'float16')
    monkeypatch.setattr(torch.ops.mkldnn, '_is_mkldnn_bf16_supported',
                        lambda: False)
    assert not supports_autocast('cpu', 'bfloat16')
    monkeypatch.setattr(torch.ops.mkldnn, '_is_mkldnn_bf16_supported',
                        lambda: True)
    assert supports_autocast('cpu', 'bfloat16') == \
        torch.backends.mkldnn.is_available()


def test_warn_once_logs_each_message_once(monkeypatch):
    logged = []
    monkeypatch.setattr(precision, '_warned', set())
    monkeypatch.setattr(precision, 'print_log',
                        lambda message, **kwargs: logged.append(message))
    for message in ('a', 'b', 'a', 'a'):
        warn_once(message)
    assert logged == ['a', 'b']
