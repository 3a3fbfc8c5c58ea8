"""Whether reduced-precision autocast is fast on a device; warnings once."""
import logging

import torch
from mmengine.logging import print_log

_warned = set()


def supports_autocast(device_type: str, dtype: str) -> bool:
    """Whether ``torch.autocast`` with ``dtype`` has fast kernels.

    bfloat16 needs oneDNN's bf16 kernels on a CPU (AVX-512 BF16 or AMX; on
    other CPUs it is emulated, slower than float32) or a CUDA device with
    bf16; float16 needs CUDA.

    Args:
        device_type (str): ``'cpu'`` or ``'cuda'``.
        dtype (str): ``'bfloat16'`` or ``'float16'``.
    """
    if device_type == 'cuda':
        return dtype == 'float16' or torch.cuda.is_bf16_supported()
    return dtype == 'bfloat16' and torch.backends.mkldnn.is_available() \
        and torch.ops.mkldnn._is_mkldnn_bf16_supported()


def warn_once(message: str) -> None:
    """Log ``message`` as a warning, once per process."""
    if message not in _warned:
        _warned.add(message)
        print_log(message, logger='current', level=logging.WARNING)
