"""MMSegmentation's inferencer for mmdynaseg's configs."""
from typing import Optional, Union

from mmengine.config import Config
from mmengine.dataset import Compose
from mmseg.apis import MMSegInferencer
from torch import nn

from ..utils import load_config
from .inference import init_model

# the configs' image loaders, replaced by mmseg's InferencerLoader (which
# reads paths and arrays alike)
IMAGE_LOADERS = ('LoadImageFromFile', 'LoadImageOrSkip')


class DynaSegInferencer(MMSegInferencer):
    """:class:`mmseg.apis.MMSegInferencer` for mmdynaseg's configs.

    ``MMSegInferencer`` itself refuses them: their test pipelines read
    images with :class:`LoadImageOrSkip` and load ground truth
    MMSeg does not know (``LoadBSDS500Annotations``). This one builds the
    model with :func:`init_model`: a per-image config needs no weights, a
    checkpoint is loaded with the checked loader, and the cluster names
    and colours (:func:`cluster_meta`) become ``dataset_meta``, so the
    visualisations show one colour per cluster. Images are read with
    mmseg's ``InferencerLoader``; the annotation loaders are dropped.

    Example:
        >>> from mmdynaseg.apis import DynaSegInferencer
        >>> config = 'configs/dynaseg_fsf_cnn_bsds500.py'
        >>> inferencer = DynaSegInferencer(config)
        >>> inferencer('photo.jpg', out_dir='out/')  # out/vis, out/pred

    Args:
        model (str | Config): Config file (local, or one of the installed
            package's ``configs/``) or object.
        weights (str, optional): Checkpoint; required unless the config
            optimises per image.
        device (str, optional): Torch device; MMEngine's choice if None.
    """

    def __init__(self,
                 model: Union[str, Config],
                 weights: Optional[str] = None,
                 device: Optional[str] = None) -> None:
        if isinstance(model, str):
            model = load_config(model)
        super().__init__(model=model, weights=weights, device=device)
        self.visualizer.set_dataset_meta(
            classes=self.model.dataset_meta['classes'],
            palette=self.model.dataset_meta['palette'])

    def _init_model(self, cfg: Config, weights: Optional[str],
                    device: str = 'cpu') -> nn.Module:
        """The model as :func:`init_model` builds it."""
        return init_model(cfg, weights, device)

    def _init_pipeline(self, cfg: Config) -> Compose:
        """The test pipeline reading paths or arrays, without ground
        truth."""
        pipeline = []
        for transform in cfg.test_dataloader.dataset.pipeline:
            if transform['type'].endswith('Annotations'):
                continue
            if transform['type'] in IMAGE_LOADERS:
                transform = dict(
                    {k: v
                     for k, v in transform.items() if k != 'on_error'},
                    type='InferencerLoader')
            pipeline.append(transform)
        return Compose(pipeline)
