"""The memory an image needs, checked before its work starts.

Per-image optimisation keeps every activation of the network and the loss
for the backward pass, so its memory grows with the pixel count: an image
too large for the machine is refused up front with the size that fits,
instead of being killed by the kernel minutes later.
"""
import math
import os.path as osp
from typing import Optional

import torch
from torch import nn

# A step peaks at about this many times the bytes autograd saves: the
# saved activations, their gradients and the kernels' temporaries.
PEAK_PER_SAVED_BYTE = 2.5
PROBE_SIDE = 128
MEMINFO = '/proc/meminfo'


def available_memory(device: torch.device) -> Optional[int]:
    """Bytes free for new tensors on ``device``: the kernel's
    ``MemAvailable`` for the CPU (None where there is no
    ``/proc/meminfo``), CUDA's free memory for a GPU.

    Args:
        device (torch.device): The device the model runs on.

    Returns:
        int, optional: Bytes, or None when unknown.
    """
    if device.type == 'cuda':
        return torch.cuda.mem_get_info(device)[0]
    if device.type != 'cpu' or not osp.isfile(MEMINFO):
        return None
    with open(MEMINFO) as meminfo:
        for line in meminfo:
            if line.startswith('MemAvailable:'):
                return int(line.split()[1]) * 1024
    return None


def step_bytes_per_pixel(model: nn.Module) -> float:
    """Peak bytes per pixel of one per-image optimisation step.

    Counts the tensors autograd saves for the backward pass of the network
    (:meth:`PerImageDynaSeg.response`, float32) and
    :meth:`DynaSegHead.dynamic_loss` on a ``PROBE_SIDE`` square probe
    (zeros, eval mode: no random draw and no running statistics change),
    scales them by ``PEAK_PER_SAVED_BYTE`` and by the share of the image's
    pixels that are optimised (``optimise_scale`` squared).

    Args:
        model (nn.Module): A :class:`PerImageDynaSeg`.

    Returns:
        float: Estimated peak bytes per image pixel.
    """
    saved = {}

    def pack(tensor: torch.Tensor) -> torch.Tensor:
        storage = tensor.untyped_storage()
        saved[storage.data_ptr()] = storage.nbytes()
        return tensor

    device = next(model.parameters()).device
    probe = torch.zeros(1, 3, PROBE_SIDE, PROBE_SIDE, device=device)
    training = model.training
    model.eval()
    try:
        with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
            model.decode_head.dynamic_loss(model.response(probe))
    finally:
        model.train(training)
    scale = getattr(model, 'optimise_scale', 1)
    return (PEAK_PER_SAVED_BYTE * scale**2 * sum(saved.values()) /
            PROBE_SIDE**2)


def in_words(size: float) -> str:
    """A byte count as GiB (one decimal) from 1 GiB up, else MiB."""
    if size >= 2**30:
        return f'{size / 2**30:.1f} GiB'
    return f'{size / 2**20:.0f} MiB'


def check_memory(bytes_per_pixel: float, height: int, width: int,
                 available: Optional[int], name: str) -> None:
    """Refuse an image whose optimisation would not fit in memory.

    Args:
        bytes_per_pixel (float): :func:`step_bytes_per_pixel` of the model.
        height (int): Image height in pixels, as it will be optimised.
        width (int): Image width in pixels.
        available (int, optional): Free bytes (:func:`available_memory`);
            None: no check.
        name (str): The image, for the message.

    Raises:
        MemoryError: The estimate exceeds ``available``; the message gives
            the largest ``--max-size`` that fits.
    """
    needed = bytes_per_pixel * height * width
    if available is None or needed <= available:
        return
    fits = math.floor(max(height, width) * math.sqrt(available / needed))
    raise MemoryError(
        f'{name} is {width} x {height} px: optimising it needs about '
        f'{in_words(needed)}, and {in_words(available)} are '
        f'available. Pass --max-size {fits} or less (the long side it fits '
        'at), or free memory.')
