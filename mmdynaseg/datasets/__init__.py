"""Datasets and transforms of mmdynaseg."""
from .bsds500 import BSDS500Dataset
from .camvid import CamVidDataset
from .cocostuff27 import COCOStuff27Dataset
from .demo_shapes import DynaSegDemoDataset, generate_demo_dataset
from .image_folder import ImageFolderDataset
from .split_folders import DatasetError
from .transforms import *  # noqa: F401,F403

__all__ = [
    'BSDS500Dataset', 'CamVidDataset', 'COCOStuff27Dataset',
    'DynaSegDemoDataset', 'generate_demo_dataset', 'ImageFolderDataset',
    'DatasetError'
]
