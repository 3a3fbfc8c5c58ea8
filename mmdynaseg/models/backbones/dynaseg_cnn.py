"""Feature extractor of DynaSeg's CNN variant (paper §3.2.1)."""
import warnings
from typing import Optional, Tuple, Union

from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmseg.registry import MODELS
from torch import Tensor, nn

SKIPS = (None, 'conv', 'block')
INITS = ('kaiming', 'pytorch')


@MODELS.register_module()
class DynaSegCNN(BaseModule):
    """M components of [3x3 conv -> ReLU -> BatchNorm], stride 1, no pooling.

    The output keeps the input resolution, so every pixel gets its own
    p-dimensional feature (Kanezaki 2020; DynaSeg §3.2.1).

    With ``first_skip`` it is the network of DynaGuide (Guermazi, Khan,
    Ksantini 2026): the first layer's output is added to the last
    component's, so its fine detail reaches the response directly.
    ``'conv'`` adds the raw output of the first convolution, before its
    ReLU and BatchNorm, as the published DynaGuide code does
    (``model.py``: ``residual = self.conv1(x)``); ``'block'`` adds the
    first component's output, after them.

    Args:
        in_channels (int): Image channels. Defaults to 3.
        channels (int): Feature channels ``p``. Defaults to 100.
        num_convs (int): Number of components ``M`` (>= 1, >= 2 with
            ``first_skip``). Defaults to 3.
        first_skip (str, optional): ``'conv'`` or ``'block'``: what of the
            first component to add to the last one's output (DynaGuide).
            Defaults to None (no skip, DynaSeg).
        conv_bias (bool | str): Whether the convolutions have a bias;
            ``'auto'`` (mmcv's ``ConvModule``) drops it, since a norm
            follows. The published code (DynaSeg's BSD script, DynaGuide,
            Kanezaki 2020) has one: ``True``. Defaults to ``'auto'``.
        conv_init (str): ``'kaiming'`` (mmcv's ``ConvModule``: Kaiming
            normal, fan-out, zero bias) or ``'pytorch'`` (``nn.Conv2d``'s
            own, as the published code). A conv -> ReLU -> BN block is
            scale-invariant, so the weight norm sets its effective learning
            rate. Defaults to ``'kaiming'``.
        norm_cfg (dict): Normalisation layer; use ``SyncBN`` for distributed
            training. Defaults to ``dict(type='BN')``.
        act_cfg (dict): Activation layer. Defaults to ``dict(type='ReLU')``.
        init_cfg (dict, optional): MMEngine initialisation config.
    """

    def __init__(self,
                 in_channels: int = 3,
                 channels: int = 100,
                 num_convs: int = 3,
                 first_skip: Optional[str] = None,
                 conv_bias: Union[bool, str] = 'auto',
                 conv_init: str = 'kaiming',
                 norm_cfg: dict = dict(type='BN'),
                 act_cfg: dict = dict(type='ReLU'),
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        if num_convs < 1:
            raise ValueError(f'num_convs (M) must be >= 1, got {num_convs}.')
        if first_skip not in SKIPS:
            raise ValueError(f'first_skip must be one of {SKIPS}, got '
                             f'{first_skip!r}.')
        if first_skip and num_convs < 2:
            raise ValueError('first_skip adds the first conv block to the '
                             'last one: it needs num_convs >= 2, got '
                             f'{num_convs}.')
        if conv_init not in INITS:
            raise ValueError(f'conv_init must be one of {INITS}, got '
                             f'{conv_init!r}.')
        self.first_skip = first_skip
        self.conv_init = conv_init
        with warnings.catch_warnings():  # a bias asked for, as published
            warnings.filterwarnings('ignore', 'Unnecessary conv bias')
            self.convs = nn.Sequential(*[
                ConvModule(
                    in_channels if i == 0 else channels,
                    channels,
                    kernel_size=3,
                    padding=1,
                    bias=conv_bias,
                    norm_cfg=norm_cfg,
                    act_cfg=act_cfg,
                    order=('conv', 'act', 'norm'))
                for i in range(num_convs)
            ])
        self._reset_pytorch_init()

    def _reset_pytorch_init(self) -> None:
        """With ``conv_init='pytorch'``, give every convolution
        ``nn.Conv2d``'s own initialisation (``ConvModule`` applies
        Kaiming when built and in ``init_weights``)."""
        if self.conv_init == 'pytorch':
            for block in self.convs:
                block.conv.reset_parameters()

    def init_weights(self) -> None:
        """MMEngine's initialisation, then :meth:`_reset_pytorch_init`."""
        super().init_weights()
        self._reset_pytorch_init()

    def forward(self, x: Tensor) -> Tuple[Tensor]:
        """Return a one-level feature tuple of shape (N, p, H, W)."""
        if self.first_skip == 'conv':
            block = self.convs[0]
            skip = block.conv(x)
            # order (conv, act, norm); the activation may work in place
            first = block.norm(block.activate(skip.clone()))
        else:
            first = skip = self.convs[0](x)
        features = self.convs[1:](first)
        if self.first_skip:
            features = features + skip
        return (features, )
