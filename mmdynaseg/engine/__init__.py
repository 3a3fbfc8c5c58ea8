"""Runner add-ons of mmdynaseg: hooks and distributed set-up."""
from .distributed import init_cpu_distributed
from .hooks import *  # noqa: F401,F403

__all__ = ['init_cpu_distributed']
