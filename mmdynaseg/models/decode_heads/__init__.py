"""Decode heads of DynaSeg."""
from .dynaseg_head import DynaSegHead

__all__ = ['DynaSegHead']
