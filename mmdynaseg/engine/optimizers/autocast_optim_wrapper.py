"""Mixed-precision training where MMEngine's AmpOptimWrapper refuses: CPU."""
from contextlib import contextmanager
from typing import Iterator, Optional

import torch
from mmengine.device import get_device
from mmengine.optim import OptimWrapper
from mmengine.runner.amp import autocast
from mmseg.registry import OPTIM_WRAPPERS
from torch import nn

from mmdynaseg.utils import supports_autocast, warn_once


@OPTIM_WRAPPERS.register_module()
class AutocastOptimWrapper(OptimWrapper):
    """An ``OptimWrapper`` whose forward passes run under bf16 autocast.

    MMEngine's ``AmpOptimWrapper`` (what ``--amp`` selects) requires a GPU
    and scales the loss for float16. On a CPU, bfloat16 autocast needs no
    loss scaling (same exponent range as float32), so this wrapper only
    adds ``autocast(device_type, dtype)`` to ``optim_context``: the model's
    forward (``train_step``) runs the convolutions in bf16 (oneDNN's
    AVX-512 BF16 / AMX kernels), the losses cast to float32 where they ask
    for it (:meth:`DynaSegHead.dynamic_loss` does), and the weights, their
    gradients and the optimiser stay float32. ``tools/train.py --amp``
    picks it when no CUDA device is present; a config can set it for any
    device (bf16 needs no loss scaling on a GPU either).

    Args:
        dtype (str): Autocast dtype. Defaults to ``'bfloat16'``.
        device_type (str, optional): Autocast device. Defaults to None:
            the runner's device (``mmengine.device.get_device()``).
        **kwargs: Arguments of ``OptimWrapper`` (``optimizer``, ...).
    """

    def __init__(self,
                 dtype: str = 'bfloat16',
                 device_type: Optional[str] = None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.device_type = device_type or get_device()
        self.enabled = supports_autocast(self.device_type, dtype)
        if not self.enabled:
            warn_once(f'AutocastOptimWrapper: this {self.device_type} has no '
                      f'fast {dtype} kernels; training in float32 instead.')
        self.cast_dtype = getattr(torch, dtype)

    @contextmanager
    def optim_context(self, model: nn.Module) -> Iterator[None]:
        """The parent's context plus autocast of the forward pass."""
        with super().optim_context(model), autocast(
                device_type=self.device_type,
                dtype=self.cast_dtype,
                enabled=self.enabled):
            yield
