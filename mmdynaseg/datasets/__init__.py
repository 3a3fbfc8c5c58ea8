"""Datasets and transforms of mmdynaseg."""
from .demo_shapes import DynaSegDemoDataset, generate_demo_dataset
from .transforms import *  # noqa: F401,F403

__all__ = ['DynaSegDemoDataset', 'generate_demo_dataset']
