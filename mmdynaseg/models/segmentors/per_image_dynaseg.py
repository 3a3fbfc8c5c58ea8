"""DynaSeg's per-image mode: optimise a network on every test image alone."""
import logging
import time
from contextlib import nullcontext
from typing import (Any, Callable, Dict, List, Optional, Sequence, Tuple,
                    Union)

import torch
from mmengine.logging import print_log
from mmseg.models.segmentors import EncoderDecoder
from mmseg.models.utils import resize
from mmseg.registry import MODELS, OPTIMIZERS, TASK_UTILS
from mmseg.structures import SegDataSample
from mmseg.utils import OptSampleList, SampleList
from torch import Tensor

from ...utils import (FAILED_KEY, SILHOUETTE_KEY, estimate_num_segments,
                      keep_freed_memory)
from ..utils import (PerImageInput, StepArithmetic, cluster_labels,
                     count_clusters)

INITS = ('fresh', 'pretrained', 'checkpoint', 'checkpoint_features')
PREDICT_MODES = ('train', 'eval')
# state-dict prefix of the head: what init='checkpoint_features' starts
# afresh and freeze_features leaves trainable; the rest are the features
HEAD = 'decode_head.'
SILHOUETTE = 'silhouette'


@MODELS.register_module()
class PerImageDynaSeg(EncoderDecoder):
    """DynaSeg optimised on every image alone (BSDS500 / PASCAL VOC mode).

    As in DynaSeg (after Kanezaki 2020), ``predict`` trains a network on
    each test image only: from the start weights (``init``), up to
    ``max_iters`` steps of ``optimizer`` on the head's loss

    .. math:: L = L_{sim} + \\mu(q') L_{con}, \\quad
        \\mu = q'/\\alpha \\ (\\text{FSF, Eq. 8}) \\text{ or }
        \\alpha/q' \\ (\\text{SCF, Eq. 9})

    stopping once a forward pass has ``q' <= stop_threshold`` ("Thr 3", or
    the silhouette estimate ``k*``: "Silh.S", Table IV); the labels are the
    argmax of the last response. Every image starts from the same weights,
    seeded, and the model is restored after the batch. Each sample gets the
    metainfo ``q_prime``, ``iterations`` and ``seconds``. The options are
    described in docs/implementation.md. :meth:`loss` raises: per-image
    models are not trained.

    Args:
        max_iters (int): Most optimiser steps per image ``T``. Defaults to
            1000.
        optimizer (dict): Optimizer config without ``params``. Defaults to
            SGD, lr 0.1, momentum 0.9.
        stop_threshold (int | str, optional): Stop at ``q' <=`` this int,
            ``'silhouette'`` for ``k*``, None for never. Defaults to 3.
        step_at_stop (bool): Take the step of the pass that meets the
            threshold, label one more pass (the BSD script). Defaults to
            False.
        predict_mode (str): ``'train'`` (DynaSeg) or ``'eval'`` (DynaGuide):
            the mode of the labelling pass. Defaults to ``'train'``.
        init (str): ``'fresh'`` (seeded), ``'pretrained'`` (``init_cfg``),
            ``'checkpoint'`` or ``'checkpoint_features'`` (fresh head).
            Defaults to ``'fresh'``.
        freeze_features (bool): Train only the decode head. Defaults to
            False.
        seed (int): Seed of the initialisation and of every image's
            optimisation. Defaults to 0.
        silhouette_cfg (dict, optional): Arguments of
            :func:`estimate_num_segments` for ``k*``.
        optimise_scale (float): Optimise on the image resized by this
            factor in ``(0, 1]``. Defaults to 1.
        channels_last (bool | str): :class:`StepArithmetic` option.
            Defaults to False.
        autocast (str, optional): :class:`StepArithmetic` option. Defaults
            to None (float32).
        compile (bool | dict | str): :class:`StepArithmetic` option.
            Defaults to False.
        record_iters (Sequence[int]): Step counts whose results to record
            too (:class:`PerImageTracker`). Defaults to ().
        snapshot_dir (str, optional): Where :class:`PerImageTracker` keeps
            resumable snapshots. Defaults to None.
        snapshot_interval (int): Steps between snapshots. Defaults to 50.
        keep_freed_memory (bool): On CPU, keep freed memory for the next
            steps (:func:`mmdynaseg.utils.keep_freed_memory`). Defaults to
            True.
        **kwargs: Arguments of ``EncoderDecoder``.
    """

    def __init__(self,
                 max_iters: int = 1000,
                 optimizer: dict = dict(type='SGD', lr=0.1, momentum=0.9),
                 stop_threshold: Union[int, str, None] = 3,
                 step_at_stop: bool = False,
                 predict_mode: str = 'train',
                 init: str = 'fresh',
                 freeze_features: bool = False,
                 seed: int = 0,
                 silhouette_cfg: Optional[dict] = None,
                 optimise_scale: float = 1.0,
                 channels_last: Union[bool, str] = False,
                 autocast: Optional[str] = None,
                 compile: Union[bool, dict, str] = False,
                 record_iters: Sequence[int] = (),
                 snapshot_dir: Optional[str] = None,
                 snapshot_interval: int = 50,
                 keep_freed_memory: bool = True,
                 **kwargs) -> None:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            super().__init__(**kwargs)
            if init == 'pretrained':
                self.init_weights()
        self.network_cfg = kwargs
        if max_iters < 1:
            raise ValueError(f'max_iters must be >= 1, got {max_iters}.')
        if not (stop_threshold is None or stop_threshold == SILHOUETTE or
                (isinstance(stop_threshold, int)
                 and not isinstance(stop_threshold, bool))):
            raise ValueError(
                "stop_threshold must be an int (e.g. 3), 'silhouette' or "
                f'None, got {stop_threshold!r}.')
        if predict_mode not in PREDICT_MODES:
            raise ValueError(f'predict_mode must be one of {PREDICT_MODES}, '
                             f'got {predict_mode!r}.')
        if init not in INITS:
            raise ValueError(f'init must be one of {INITS}, got {init!r}.')
        if not 0 < optimise_scale <= 1:
            raise ValueError(
                f'optimise_scale must be in (0, 1], got {optimise_scale}.')
        self.max_iters = max_iters
        self.optimizer_cfg = dict(optimizer)
        self.stop_threshold = stop_threshold
        self.step_at_stop = step_at_stop
        self.predict_mode = predict_mode
        self.init = init
        self.freeze_features = freeze_features
        if freeze_features:  # (per-image models never train otherwise)
            for name, param in self.named_parameters():
                if not name.startswith(HEAD):
                    param.requires_grad_(False)
        self.seed = seed
        self.silhouette_cfg = dict(silhouette_cfg or {})
        self.optimise_scale = optimise_scale
        self.speed = StepArithmetic(autocast, channels_last, compile)
        self.tracker = TASK_UTILS.build(
            dict(
                type='PerImageTracker',
                record_iters=record_iters,
                max_iters=max_iters,
                snapshot_dir=snapshot_dir,
                snapshot_interval=snapshot_interval))
        self.keep_freed_memory = keep_freed_memory
        self.on_step: Optional[Callable[[int, int, int], None]] = None
        self._fresh_state = None if init == 'checkpoint' \
            else self._state_copy()

    def _state_copy(self) -> Dict[str, Tensor]:
        """Copy of the network's state (weights and BN statistics)."""
        return {
            key: value.detach().clone()
            for key, value in self.state_dict().items()
        }

    def loss(self, inputs: Tensor, data_samples: SampleList) -> dict:
        """Not supported: per-image models are optimised inside predict."""
        raise NotImplementedError(
            'PerImageDynaSeg optimises a network on each image during '
            'prediction; it is not trained with tools/train.py. Run the '
            'config with tools/test.py CONFIG (scores the test split) or '
            'tools/segment.py --config CONFIG IMAGES (your images); to train '
            'one network on a dataset, use a config with '
            "model.type='EncoderDecoder' (e.g. "
            'configs/dynaseg_fsf_cnn_bsds500_trained.py).')

    def predict(self,
                inputs: Tensor,
                data_samples: OptSampleList = None) -> SampleList:
        """Optimise on every image and return its labels (class docstring).

        Args:
            inputs (Tensor): Preprocessed images, (N, C, H, W).
            data_samples (list[SegDataSample], optional): Their metainfo
                (``ori_shape``, ``padding_size``, ...); made from the input
                size when None.

        Returns:
            list[SegDataSample]: The samples with ``pred_sem_seg``,
            ``seg_logits`` and the metainfo ``q_prime``, ``iterations``,
            ``seconds`` and ``arithmetic``. An image whose loss became
            non-finite gets a one-cluster map and ``FAILED_KEY`` (the
            reason), which the metrics leave out.
        """
        if data_samples is None:
            shapes = dict.fromkeys(('ori_shape', 'img_shape', 'pad_shape'),
                                   tuple(inputs.shape[2:]))
            data_samples = [SegDataSample(metainfo=shapes) for _ in inputs]
        if self.speed.uses_channels_last(inputs.device):
            self.to(memory_format=torch.channels_last)
        original, was_training = self._state_copy(), self.training
        start = dict(self._fresh_state or original)
        if self.init == 'checkpoint_features':  # loaded features, fresh head
            start.update((key, value) for key, value in original.items()
                         if not key.startswith(HEAD))
        memory = keep_freed_memory() if self.keep_freed_memory and \
            inputs.device.type == 'cpu' else nullcontext()
        try:
            with memory:
                for image, sample in zip(inputs, data_samples):
                    self.load_state_dict(start)
                    try:
                        logits = self._segment(image[None], sample)
                    except FloatingPointError as error:  # this image only
                        print_log(f'skipping: {error}', logger='current',
                                  level=logging.WARNING)
                        sample.set_metainfo({FAILED_KEY: str(error)})
                        self.postprocess_result(
                            image.new_zeros(1, self.num_classes,
                                            *image.shape[1:]), [sample])
                        continue
                    self.postprocess_result(logits, [sample])
                    self.tracker.record_final(sample)
        finally:
            self.load_state_dict(original)
            self.zero_grad(set_to_none=True)
            self.train(was_training)
        return data_samples

    def _segment(self, image: Tensor, sample: SegDataSample) -> Tensor:
        """Optimise the network on one image.

        Args:
            image (Tensor): (1, C, H, W) preprocessed image, maybe padded.
            sample (SegDataSample): Its data sample; gets the metainfo of
                the result.

        Returns:
            Tensor: The final response (1, q, H, W), at the input's size
            and padding, for ``postprocess_result``.
        """
        started = time.perf_counter()
        view = PerImageInput(image, sample, self.optimise_scale,
                             self.align_corners)
        image = view.image
        if self.speed.uses_channels_last(image.device):
            image = image.contiguous(memory_format=torch.channels_last)
        k_star = None
        if self.stop_threshold == SILHOUETTE or getattr(
                self.decode_head, 'silhouette_floor', False):
            k_star = estimate_num_segments(
                view.rgb(self.data_preprocessor), **self.silhouette_cfg)
            sample.set_metainfo({SILHOUETTE_KEY: k_star})
        threshold = k_star if self.stop_threshold == SILHOUETTE \
            else self.stop_threshold
        loss_sample = self._loss_sample(image, sample, k_star)
        run = self.tracker.start(self, image, sample, loss_sample, threshold,
                                 view.restore, started)
        return view.restore(
            self._optimise(image, loss_sample, threshold, run))

    @staticmethod
    def _loss_sample(image: Tensor, sample: SegDataSample,
                     k_star: Optional[int]) -> SegDataSample:
        """What the head's loss reads: the optimised size, ``k*``, the
        path and DynaGuide's ``gt_guide`` if the pipeline attached one."""
        size = tuple(image.shape[2:])
        metainfo = dict(
            img_shape=size, pad_shape=size, img_path=sample.get('img_path'))
        if k_star is not None:
            metainfo[SILHOUETTE_KEY] = k_star
        loss_sample = SegDataSample(metainfo=metainfo)
        if 'gt_guide' in sample:
            loss_sample.gt_guide = sample.gt_guide
        return loss_sample

    def arithmetic(self, device: torch.device) -> str:
        """How the steps run on ``device``
        (:meth:`StepArithmetic.describe`)."""
        return self.speed.describe(device)

    def _frozen_features(self, image: Tensor) -> Optional[List[Tensor]]:
        """The image's features if they are frozen (else None): one
        train-mode pass, the same as every step's would be."""
        if not self.freeze_features:
            return None
        with torch.no_grad(), self.speed.context(
                image.device, self.speed.dtype(image.device)):
            return self.extract_feat(image)

    def response(self,
                 image: Tensor,
                 dtype: Optional[torch.dtype] = None,
                 features: Optional[List[Tensor]] = None) -> Tensor:
        """The response at the image size, float32 and contiguous.

        Args:
            image (Tensor): (1, C, H, W) preprocessed image.
            dtype (torch.dtype, optional): Autocast dtype of the forward
                pass (:meth:`StepArithmetic.context`); None: float32.
            features (list[Tensor], optional): The image's frozen
                features; given them, only the head runs.

        Returns:
            Tensor: (1, q, H, W) float32 response.
        """
        with self.speed.context(image.device, dtype):
            if features is None:
                features = self.extract_feat(image)
            response = self.decode_head(features)
        if response.shape[2:] != image.shape[2:]:  # pyramid features
            response = resize(response.float(), size=tuple(image.shape[2:]),
                              mode='bilinear',
                              align_corners=self.align_corners)
        return response.float().contiguous()

    def _optimise(self, image: Tensor, loss_sample: SegDataSample,
                  threshold: Optional[int], run: Any) -> Tensor:
        """Run the per-image steps and give the sample its result.

        ``run`` (:class:`mmdynaseg.engine.ImageRun`) resumes and saves
        snapshots, records intermediate results and sets the metainfo.

        Returns:
            Tensor: The detached response the labels come from.
        """
        head = self.decode_head
        k_star = None
        if head.silhouette_floor:
            k_star = torch.tensor([loss_sample.metainfo[SILHOUETTE_KEY]],
                                  device=image.device)

        def guide_target(response: Tensor) -> Optional[Tensor]:
            return None if head.loss_guide is None else head.guide_target(
                response, [loss_sample])

        step = self.speed.step_function(self.response,
                                        head.dynamic_loss, guide_target,
                                        image.device)
        optimizer = OPTIMIZERS.build(
            dict(
                self.optimizer_cfg,
                params=[p for p in self.parameters() if p.requires_grad]))
        devices = [image.device] if image.is_cuda else []
        eval_labels = self.predict_mode == 'eval'
        self.train()
        stopping = False
        with torch.enable_grad(), torch.random.fork_rng(devices=devices):
            torch.manual_seed(self.seed)
            features = self._frozen_features(image)
            first = run.resume(optimizer, devices)
            for steps in range(first, self.max_iters + 1):
                if eval_labels and steps == self.max_iters:
                    break
                if eval_labels and run.wants(steps):
                    run.record(steps, *self._eval_response(image, features))
                    self.train()
                response, losses = step(image, k_star, features)
                q_prime = int(losses['q_prime'].item())
                if self.on_step is not None:
                    self.on_step(steps, self.max_iters, q_prime)
                met = threshold is not None and q_prime <= threshold
                if steps == self.max_iters or stopping or (
                        met and not self.step_at_stop):
                    break
                stopping = met
                if not eval_labels and run.wants(steps):
                    run.record(steps, response.detach(), q_prime)
                loss, _ = self.parse_losses(losses)
                if not torch.isfinite(loss):
                    raise FloatingPointError(
                        f"'{loss_sample.metainfo.get('img_path') or 'image'}"
                        f"': the loss is {loss.item()} at step {steps}, so "
                        'its labels would mean nothing; lower the learning '
                        'rate (model.optimizer.lr) or check the image.')
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                if not stopping:
                    run.stepped(steps + 1, optimizer, devices)
        if eval_labels:
            response, q_prime = self._eval_response(image, features)
            if self.on_step is not None:
                self.on_step(steps, self.max_iters, q_prime)
        run.finish(q_prime, steps)
        return response.detach()

    def _eval_response(
            self, image: Tensor,
            features: Optional[List[Tensor]]) -> Tuple[Tensor, int]:
        """The eval-mode response of the network as it is (of its head on
        ``features`` if given) and its ``q'`` (leaves the network in eval
        mode)."""
        self.eval()
        with torch.no_grad():
            response = self.response(image,
                                      self.speed.dtype(image.device),
                                      features)
        return response, int(
            count_clusters(cluster_labels(response), response.shape[1]))
