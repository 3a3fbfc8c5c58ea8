import ctypes
import resource

import pytest
import torch

import mmdynaseg.utils.allocator as allocator
from mmdynaseg.utils import keep_freed_memory

pytestmark = pytest.mark.skipif(
    allocator._glibc() is None, reason='tunes glibc malloc only')

# 64 MiB of float32 (above glibc's largest mmap threshold, 32 MiB): 16,384
# pages of 4 KiB
LARGE = 16 * 2**20
PAGES = LARGE * 4 // 4096


def faults_of_reallocating() -> int:
    """Page faults of filling a large tensor after freeing others."""
    # allocated, written and freed twice: the first free chunk can be a
    # few bytes short of the next aligned request, which extends the heap
    for _ in range(2):
        torch.ones(LARGE)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    torch.ones(LARGE)
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


def test_freed_memory_is_reused_without_page_faults():
    with keep_freed_memory() as active:
        assert active
        assert faults_of_reallocating() < PAGES // 100


class MallInfo2(ctypes.Structure):
    """glibc's ``struct mallinfo2`` (glibc >= 2.33)."""
    _fields_ = [(name, ctypes.c_size_t)
                for name in ('arena', 'ordblks', 'smblks', 'hblks', 'hblkhd',
                             'usmblks', 'fsmblks', 'uordblks', 'fordblks',
                             'keepcost')]


def mmapped_bytes() -> int:
    """Bytes glibc holds in mmapped chunks (``mallinfo2().hblkhd``)."""
    libc = allocator._glibc()
    libc.mallinfo2.restype = MallInfo2
    return libc.mallinfo2().hblkhd


@pytest.mark.skipif(
    not hasattr(allocator._glibc(), 'mallinfo2'), reason='glibc < 2.33')
def test_outside_large_tensors_are_mapped_and_handed_back():
    """Outside the context a large tensor gets its own mapping again (so
    its memory goes back to the kernel when freed); inside, none."""
    with keep_freed_memory():
        before = mmapped_bytes()
        inside = torch.ones(LARGE)
        assert mmapped_bytes() == before
        del inside
    before = mmapped_bytes()
    outside = torch.ones(LARGE)
    assert mmapped_bytes() - before >= LARGE * 4
    del outside
    assert mmapped_bytes() == before


def test_nested_contexts_keep_it_until_the_outermost_leaves():
    with keep_freed_memory():
        with keep_freed_memory():
            pass
        assert faults_of_reallocating() < PAGES // 100
    assert allocator._depth == 0


def test_without_glibc_it_does_nothing(monkeypatch):
    monkeypatch.setattr(allocator, '_glibc', lambda: None)
    with keep_freed_memory() as active:
        assert not active
        assert allocator._depth == 0
