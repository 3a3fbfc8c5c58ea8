"""Guide predicted by a trained MMSegmentation model."""
import copy
import os.path as osp
from typing import Optional, Union

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.registry import DefaultScope
from mmengine.runner import load_checkpoint
from mmseg.registry import MODELS, TASK_UTILS, TRANSFORMS

from .base_guide import IGNORE_INDEX, BaseGuide


@TASK_UTILS.register_module()
class MMSegModelGuide(BaseGuide):
    """Guide labels from the prediction of an MMSegmentation model.

    The labels are the model's ``pred_sem_seg`` (the argmax of its class
    scores, resized back to the image by the segmentor) for the image, run
    through the config's ``test_pipeline`` with two changes: its first
    transform (the image loader) becomes ``LoadImageFromNDArray``, fed with
    the image, and annotation loaders (``Load*Annotation*``) are dropped.
    The guide is given RGB images, while mmcv loaders give BGR and mmseg
    configs are written for that (``data_preprocessor.bgr_to_rgb=True``),
    so the image is fed to the pipeline as BGR: the model sees what it sees
    in ``tools/test.py``.

    The model (in eval mode) and the pipeline are built on the first
    :meth:`compute` and kept, so building the dataset pipeline, and data
    workers that only read the cache, do not pay for them. The model is
    built with ``mmseg.registry.MODELS`` (no ``init_weights``, so no
    pretrained weights are fetched) and loaded with
    ``mmengine.runner.load_checkpoint`` (strict; ``weights_only=True``
    with MMEngine's types allow-listed: :mod:`mmdynaseg.utils.checkpoint`).

    Class ids of 255 or more (models with over 255 classes) would collide
    with the ignore value 255, so those are shifted up by one (255 -> 256,
    ...), which keeps every class a distinct label (uint16, see
    :class:`BaseGuide`).

    With ``device='cuda'``, compute the guide in the main process
    (``num_workers=0``) or fill ``cache_dir`` beforehand: CUDA does not
    work in forked data workers.

    Args:
        config (str | dict | Config): Path of an MMSegmentation config, or
            the full config itself; it needs ``model`` and
            ``test_pipeline``.
        checkpoint (str): Local path of the model's weights (no
            downloads).
        device (str): Device the model runs on. Defaults to ``'cpu'``.
        cache_dir (str, optional): See :class:`BaseGuide`.
        cfg_options (dict, optional): Merged into the config (keys such as
            ``'model.test_cfg.mode'``). Defaults to None.
    """

    def __init__(self,
                 config: Union[str, dict, Config],
                 checkpoint: str,
                 device: str = 'cpu',
                 cache_dir: Optional[str] = None,
                 cfg_options: Optional[dict] = None) -> None:
        super().__init__(cache_dir)
        self.cfg = self._load_config(config, cfg_options)
        if not osp.isfile(osp.expanduser(checkpoint)):
            raise FileNotFoundError(
                f'MMSegModelGuide: checkpoint {checkpoint!r} does not exist. '
                'Point checkpoint= at a local weights file (nothing is '
                'downloaded on this machine).')
        self.checkpoint = checkpoint
        self.device = device
        self.model: Optional[torch.nn.Module] = None
        self.pipeline: Optional[Compose] = None

    @staticmethod
    def _load_config(config: Union[str, dict, Config],
                     cfg_options: Optional[dict]) -> Config:
        """The config as a new :class:`Config`, options merged, checked."""
        if isinstance(config, str):
            if not osp.isfile(osp.expanduser(config)):
                raise FileNotFoundError(
                    f'MMSegModelGuide: config {config!r} does not exist. '
                    'Point config= at a local MMSegmentation config file '
                    '(or pass the config as a dict).')
            cfg = Config.fromfile(osp.expanduser(config))
        else:
            cfg = Config(copy.deepcopy(dict(config)))
        if cfg_options is not None:
            cfg.merge_from_dict(cfg_options)
        for key in ('model', 'test_pipeline'):
            if key not in cfg:
                raise KeyError(
                    f"MMSegModelGuide: the config has no '{key}'; give the "
                    'full config of the model (with model and '
                    'test_pipeline).')
        return cfg

    def _build(self) -> None:
        """Build the model and the test pipeline, load the weights."""
        transforms = [
            t for t in self.cfg.test_pipeline
            if not (t['type'].startswith('Load') and 'Annotation' in t['type'])
        ]
        if not (transforms and transforms[0]['type'].startswith('Load')
                and 'Image' in transforms[0]['type']):
            raise ValueError(
                'MMSegModelGuide: the first transform of test_pipeline must '
                f"load the image, got {transforms[:1]}; it is replaced by "
                'LoadImageFromNDArray.')
        with DefaultScope.overwrite_default_scope(
                self.cfg.get('default_scope', 'mmseg')):
            self.pipeline = Compose(
                [TRANSFORMS.build(dict(type='LoadImageFromNDArray'))] +
                [TRANSFORMS.build(t) for t in transforms[1:]])
            model = MODELS.build(self.cfg.model)
        load_checkpoint(model, self.checkpoint, map_location='cpu',
                        strict=True)
        self.model = model.to(self.device).eval()

    def compute(self, image: np.ndarray, img_path: str) -> np.ndarray:
        """The model's predicted classes of the image, (H, W)."""
        if self.model is None:
            self._build()
        data = self.pipeline(dict(img=np.ascontiguousarray(image[..., ::-1])))
        with torch.no_grad():
            result = self.model.test_step(
                dict(inputs=[data['inputs']],
                     data_samples=[data['data_samples']]))[0]
        labels = result.pred_sem_seg.data[0].cpu().numpy().astype(np.int64)
        return labels + (labels >= IGNORE_INDEX)
