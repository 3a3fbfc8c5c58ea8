"""Backbones of DynaSeg."""
from .dynaseg_cnn import DynaSegCNN

__all__ = ['DynaSegCNN']
