"""Keep freed CPU memory in the process while a loop reallocates it."""
import ctypes
import ctypes.util
import platform
import threading
from contextlib import contextmanager
from functools import lru_cache
from typing import Iterator, Optional

# glibc's mallopt parameters (malloc.h) and their default values
M_TRIM_THRESHOLD, M_MMAP_MAX = -1, -4
DEFAULT_TRIM_THRESHOLD, DEFAULT_MMAP_MAX = 128 * 1024, 65536
KEEP_TRIM_THRESHOLD = 2**31 - 1  # the largest value: never trim

_lock = threading.Lock()
_depth = 0


@lru_cache(maxsize=None)
def _glibc() -> Optional[ctypes.CDLL]:
    """The C library if it is glibc (whose ``mallopt`` this tunes); looked
    up once (``find_library`` runs ``ldconfig``)."""
    if platform.system() != 'Linux' or platform.libc_ver()[0] != 'glibc':
        return None
    return ctypes.CDLL(ctypes.util.find_library('c') or 'libc.so.6')


@contextmanager
def keep_freed_memory() -> Iterator[bool]:
    """Serve CPU allocations from the heap and keep freed memory there.

    glibc gives every allocation above its mmap threshold (32 MiB at
    most) fresh pages from the kernel and returns them when it is freed,
    so each page faults again on first touch. A per-image optimiser step
    allocates dozens of response-sized tensors (100 x 321 x 481 float32
    is 62 MB) and frees them by the next step (docs/speed.md measures
    the faults' cost). Inside this context
    ``mallopt`` turns mmap allocation and heap trimming off, so the next
    step reuses the memory the last one freed; on leaving the outermost
    context glibc's defaults return and ``malloc_trim`` hands the free
    memory back (glibc's dynamic mmap threshold stays fixed from then
    on). Results are unchanged: only where memory comes from differs.
    Nested and concurrent uses share one setting, undone by the last to
    leave. Without glibc it does nothing.

    Yields:
        bool: Whether the setting is in effect (False without glibc).
    """
    global _depth
    libc = _glibc()
    if libc is None:
        yield False
        return
    with _lock:
        if _depth == 0:
            libc.mallopt(M_MMAP_MAX, 0)
            libc.mallopt(M_TRIM_THRESHOLD, KEEP_TRIM_THRESHOLD)
        _depth += 1
    try:
        yield True
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                libc.mallopt(M_MMAP_MAX, DEFAULT_MMAP_MAX)
                libc.mallopt(M_TRIM_THRESHOLD, DEFAULT_TRIM_THRESHOLD)
                libc.malloc_trim(0)
