"""Backbones of DynaSeg."""
from .dynaseg_cnn import DynaSegCNN
from .dynaseg_resnet import DynaSegResNet, check_pretrained_checkpoint

__all__ = ['DynaSegCNN', 'DynaSegResNet', 'check_pretrained_checkpoint']
