import subprocess
import sys

import pytest

import mmdynaseg.utils.allocator as allocator
from mmdynaseg.utils import keep_freed_memory

pytestmark = pytest.mark.skipif(
    allocator._glibc() is None, reason='tunes glibc malloc only')

# 64 MiB of float32 (above glibc's largest mmap threshold, 32 MiB): 16,384
# pages of 4 KiB
LARGE = 16 * 2**20
PAGES = LARGE * 4 // 4096


# The checks run in a fresh interpreter: once a process has used the
# context, its heap keeps large free chunks that glibc serves later large
# requests from (malloc_trim returns their pages, not the chunks), so what
# a request faults or maps depends on what the process did before.
FAULTS_CHECK = """
import resource
import torch
from mmdynaseg.utils import allocator, keep_freed_memory

LARGE = %d

def faults_of_reallocating():
    # the fewest faults of 4 reallocations after 2 warm-ups: a free chunk
    # can be a few bytes short of the next aligned request, which then
    # extends the heap once (where depends on the address layout, so in
    # some processes only); the steady state of a step loop faults none
    for _ in range(2):
        torch.ones(LARGE)
    faults = []
    for _ in range(4):
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        torch.ones(LARGE)
        faults.append(
            resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
    return min(faults)

if %r == 'single':
    with keep_freed_memory() as active:
        print(int(active), faults_of_reallocating(), allocator._depth)
else:  # nested: the inner context leaves, the outer still holds
    with keep_freed_memory() as active:
        with keep_freed_memory():
            pass
        faults = faults_of_reallocating()
    print(int(active), faults, allocator._depth)
"""


def fresh_interpreter(code: str) -> list:
    """Run ``code`` in a new Python process; its printed integers."""
    result = subprocess.run([sys.executable, '-c', code],
                            capture_output=True,
                            text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return [int(value) for value in result.stdout.split()]


def test_freed_memory_is_reused_without_page_faults():
    active, faults, _ = fresh_interpreter(FAULTS_CHECK % (LARGE, 'single'))
    assert active
    assert faults < PAGES // 100


MAPPING_CHECK = """
import ctypes
import torch
from mmdynaseg.utils import allocator, keep_freed_memory

class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        'arena', 'ordblks', 'smblks', 'hblks', 'hblkhd', 'usmblks',
        'fsmblks', 'uordblks', 'fordblks', 'keepcost')]

libc = allocator._glibc()
libc.mallinfo2.restype = MallInfo2

def mapped():
    return libc.mallinfo2().hblkhd

LARGE = %d
with keep_freed_memory():
    before = mapped()
    inside = torch.ones(LARGE)
    grew_inside = mapped() - before
    del inside
before = mapped()
outside = torch.ones(LARGE)
grew_outside = mapped() - before
del outside
print(grew_inside, grew_outside, mapped() - before)
"""


@pytest.mark.skipif(
    not hasattr(allocator._glibc(), 'mallinfo2'), reason='glibc < 2.33')
def test_outside_a_large_tensor_is_mapped_and_handed_back():
    """In a fresh process: inside the context a large tensor comes from
    the heap; after it, it gets its own mapping (glibc's ``mallinfo2``
    mapped bytes), which freeing returns."""
    inside, outside, left = fresh_interpreter(MAPPING_CHECK % LARGE)
    assert inside == 0
    assert outside >= LARGE * 4
    assert left == 0


def test_nested_contexts_keep_it_until_the_outermost_leaves():
    _, faults, depth = fresh_interpreter(FAULTS_CHECK % (LARGE, 'nested'))
    assert faults < PAGES // 100
    assert depth == 0


def test_without_glibc_it_does_nothing(monkeypatch):
    monkeypatch.setattr(allocator, '_glibc', lambda: None)
    with keep_freed_memory() as active:
        assert not active
        assert allocator._depth == 0
