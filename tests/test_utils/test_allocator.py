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


def huge_pages_always() -> bool:
    """Whether the kernel backs every mapping with 2 MiB pages (then a
    fresh allocation faults once per 512 pages)."""
    try:
        with open('/sys/kernel/mm/transparent_hugepage/enabled') as f:
            return '[always]' in f.read()
    except OSError:
        return False


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


@pytest.mark.skipif(huge_pages_always(), reason='huge pages fault rarely')
def test_outside_every_page_of_a_large_tensor_faults_again():
    with keep_freed_memory():
        pass
    assert faults_of_reallocating() >= PAGES


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
