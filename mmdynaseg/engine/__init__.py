"""Runner add-ons of mmdynaseg: hooks, optimizer wrappers, distributed
set-up."""
from .distributed import init_cpu_distributed
from .hooks import *  # noqa: F401,F403
from .optimizers import AutocastOptimWrapper
from .per_image_tracker import ImageRun, PerImageTracker

__all__ = [
    'init_cpu_distributed', 'AutocastOptimWrapper', 'ImageRun',
    'PerImageTracker'
]
