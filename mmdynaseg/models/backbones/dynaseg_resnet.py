"""ResNet extractor of DynaSeg's ResNet-18 + FPN variant (paper §3.2.2)."""
import os.path as osp
import re
from typing import Dict, List

from mmengine.runner import CheckpointLoader
from mmseg.models.backbones import ResNet
from mmseg.registry import MODELS
from torch import Tensor, nn

TORCHVISION_URL = 'https://download.pytorch.org/models/resnet18-f37072fd.pth'
MMPRETRAIN_URL = ('https://download.openmmlab.com/mmclassification/v0/resnet/'
                  'resnet18_8xb32_in1k_20210831-fbbb1da6.pth')
HOW_TO_GET = (
    f"Download torchvision's ImageNet ResNet-18 ({TORCHVISION_URL}) or "
    "mmpretrain's resnet18_8xb32_in1k checkpoint "
    f"({MMPRETRAIN_URL}; its keys start with 'backbone.', so also set "
    "model.backbone.init_cfg.prefix=backbone.) and point to it with "
    '--cfg-options model.backbone.init_cfg.checkpoint=/path/to/file. To '
    'train from random weights instead, set model.backbone.init_cfg=None.')


def _pretrained_cfgs(init_cfg) -> List[dict]:
    """The ``type='Pretrained'`` entries of a module's ``init_cfg``."""
    cfgs = init_cfg if isinstance(init_cfg, (list, tuple)) else [init_cfg]
    return [cfg for cfg in cfgs if cfg and cfg.get('type') == 'Pretrained']


def _checkpoint_state_dict(path: str, prefix: str) -> Dict[str, Tensor]:
    """The tensors of a checkpoint, keyed as MMEngine's Pretrained init
    would load them (``state_dict`` unwrapped, ``prefix`` selected and
    removed, else a DataParallel ``module.`` removed)."""
    checkpoint = CheckpointLoader.load_checkpoint(path, map_location='cpu')
    state_dict = checkpoint.get('state_dict', checkpoint)
    if prefix:
        prefix = prefix if prefix.endswith('.') else f'{prefix}.'
        return {
            key[len(prefix):]: value
            for key, value in state_dict.items() if key.startswith(prefix)
        }
    return {re.sub(r'^module\.', '', key): v for key, v in state_dict.items()}


def check_pretrained_checkpoint(module: nn.Module, init_cfg) -> None:
    """Fail early, saying how to fix it, if pretrained weights cannot load.

    MMEngine loads ``init_cfg=dict(type='Pretrained', ...)`` non-strictly: a
    checkpoint that misses the module's keys (e.g. an mmpretrain checkpoint
    without ``prefix='backbone.'``) only logs a warning and training starts
    from random weights. This check raises instead, before anything loads.
    Remote checkpoints (``scheme://...``) are left to MMEngine.

    Args:
        module (nn.Module): The module the checkpoint initialises.
        init_cfg (dict | list[dict] | None): Its ``init_cfg``.

    Raises:
        FileNotFoundError: A local checkpoint does not exist.
        ValueError: The checkpoint lacks some of the module's parameters or
            buffers (``num_batches_tracked`` aside), or has another shape.
    """
    for cfg in _pretrained_cfgs(init_cfg):
        path = osp.expanduser(cfg['checkpoint'])
        if '://' in path:
            continue
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'pretrained checkpoint {path!r} of {type(module).__name__} '
                f'(init_cfg) does not exist. {HOW_TO_GET}')
        weights = _checkpoint_state_dict(path, cfg.get('prefix', ''))
        unusable = [
            key for key, value in module.state_dict().items()
            if not key.endswith('num_batches_tracked') and (
                key not in weights or weights[key].shape != value.shape)
        ]
        if unusable:
            raise ValueError(
                f'pretrained checkpoint {path!r} lacks {len(unusable)} of '
                f'the {type(module).__name__} weights or has them in '
                f'another shape (first: {unusable[:3]}); it is not an '
                'ImageNet ResNet of this depth, or needs '
                'init_cfg.prefix (mmpretrain checkpoints: '
                f"prefix='backbone.'). {HOW_TO_GET}")


@MODELS.register_module()
class DynaSegResNet(ResNet):
    """MMSeg's ResNet, checking its ImageNet checkpoint before loading it.

    DynaSeg's second feature extractor (paper §3.2.2) is an ImageNet
    ResNet-18 whose four stages (strides 4, 8, 16, 32; 64, 128, 256 and 512
    channels) feed an FPN. This class is :class:`mmseg.models.ResNet`
    unchanged, whose parameter names are those of torchvision's and
    mmpretrain's ResNets (``conv1``, ``bn1``, ``layer1.0.conv1``, ...), so
    ``init_cfg=dict(type='Pretrained', checkpoint=PATH)`` loads torchvision's
    ``resnet18-f37072fd.pth`` as it is (its ``fc.*`` classifier is ignored)
    and mmpretrain's ``resnet18_8xb32_in1k`` with ``prefix='backbone.'``.

    :meth:`init_weights` (run when training starts, not when a trained model
    is tested) first calls :func:`check_pretrained_checkpoint`, so a missing
    file or one that would leave the network randomly initialised stops the
    run with the download links and the ``--cfg-options`` to set.

    Args:
        **kwargs: Arguments of :class:`mmseg.models.ResNet`.
    """

    def init_weights(self) -> None:
        """Check the pretrained checkpoint, then initialise as MMSeg does."""
        check_pretrained_checkpoint(self, self.init_cfg)
        super().init_weights()
