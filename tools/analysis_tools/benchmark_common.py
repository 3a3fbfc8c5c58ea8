"""What the benchmarks under ``tools/analysis_tools/`` share: the machine
they ran on, timing, and their JSON report."""
import argparse
import glob
import json
import logging
import os
import platform
import sys
import time
from typing import Callable, List, Optional, Tuple

import numpy as np
import torch
from mmengine.logging import MMLogger

from mmdynaseg.utils import write_text

# the BSDS500 val images in the layout of data/README.md
DEFAULT_IMAGES = 'data/bsds500/images/val/*.jpg'


def benchmark_parser(doc: str,
                     images_help: Optional[str] = None,
                     num_images: bool = False) -> argparse.ArgumentParser:
    """The argument parser every benchmark script starts from.

    Args:
        doc (str): The script's docstring; its first line describes it.
        images_help (str, optional): Add ``--images`` (a glob, by default
            :data:`DEFAULT_IMAGES`) with this help.
        num_images (bool): Add ``--num-images`` (the first N, default 50).

    Returns:
        argparse.ArgumentParser: With ``--out`` (also write the JSON there).
    """
    parser = argparse.ArgumentParser(description=doc.split('\n')[0])
    parser.add_argument('--out', help='also write the JSON to this file')
    if images_help:
        parser.add_argument(
            '--images', default=DEFAULT_IMAGES, help=images_help)
    if num_images:
        parser.add_argument(
            '--num-images',
            type=int,
            default=50,
            help='how many images (the first, by name)')
    return parser


def machine_info() -> dict:
    """What the numbers were measured on (CPU model and bf16 flags, GPU,
    cores, threads, versions)."""
    flags, model = set(), platform.processor() or platform.machine()
    if os.path.isfile('/proc/cpuinfo'):
        with open('/proc/cpuinfo') as f:
            for line in f:
                key, _, value = line.partition(':')
                if key.strip() == 'model name':
                    model = value.strip()
                elif key.strip() == 'flags':
                    flags = set(value.split())
    return dict(
        cpu=model,
        cpu_bf16=sorted(flags & {'avx512_bf16', 'amx_bf16'}),
        gpu=torch.cuda.get_device_name() if torch.cuda.is_available() else
        None,
        cpu_count=os.cpu_count(),
        torch_threads=torch.get_num_threads(),
        torch=torch.__version__,
        python=platform.python_version(),
        processor=platform.processor() or platform.machine())


def timed(function: Callable, *args) -> Tuple[object, float]:
    """Result of ``function(*args)`` and its wall seconds, CUDA's queued
    work included: where CUDA is in use, the clock starts and stops at a
    ``torch.cuda.synchronize()`` (its kernels run asynchronously)."""
    _synchronize()
    start = time.perf_counter()
    result = function(*args)
    _synchronize()
    return result, time.perf_counter() - start


def _synchronize() -> None:
    """Wait for CUDA's queued work, if this process has started CUDA."""
    if torch.cuda.is_initialized():
        torch.cuda.synchronize()


def percentile_ms(seconds: List[float], q: float = 50) -> float:
    """Percentile ``q`` of durations in seconds, in milliseconds."""
    return round(float(np.percentile(seconds, q)) * 1000, 1)


def image_paths(pattern: str, num_images: int) -> List[str]:
    """The first ``num_images`` images matching ``pattern``, sorted.

    Raises:
        FileNotFoundError: If none matches; says what to pass.
    """
    paths = sorted(glob.glob(pattern))[:num_images]
    if not paths:
        raise FileNotFoundError(
            f'no image matches {pattern!r}; pass --images "DIR/*.jpg" '
            '(BSDS500 val: see data/README.md).')
    return paths


def logs_to_stderr() -> None:
    """Send MMEngine's console log (e.g. a metric's table) to stderr, so
    that stdout holds the JSON alone."""
    for handler in MMLogger.get_current_instance().handlers:
        if isinstance(handler, logging.StreamHandler) and \
                handler.stream is sys.stdout:
            handler.setStream(sys.stderr)


def report(result: dict, out: Optional[str] = None) -> None:
    """Print a benchmark's JSON and, with ``out``, write it there
    (atomically)."""
    text = json.dumps(result, indent=2)
    print(text)
    if out:
        os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
        write_text(out, text + '\n')
