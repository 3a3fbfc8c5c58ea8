"""DynaSeg's per-image mode: optimise a network on every test image alone."""
import hashlib
import json
import logging
import time
from contextlib import contextmanager, nullcontext
from typing import (Callable, Dict, Iterator, List, Optional, Sequence, Tuple,
                    Union)

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.logging import print_log
from mmengine.structures import PixelData
from mmseg.models.segmentors import EncoderDecoder
from mmseg.models.utils import resize
from mmseg.registry import MODELS, OPTIMIZERS
from mmseg.structures import SegDataSample
from mmseg.utils import OptSampleList, SampleList
from torch import Tensor

from ...utils import (FAILED_KEY, SILHOUETTE_KEY, SnapshotStore,
                      estimate_num_segments, keep_freed_memory,
                      supports_autocast, warn_once)
from ..utils import cluster_labels, count_clusters

INITS = ('fresh', 'pretrained', 'checkpoint', 'checkpoint_features')
PREDICT_MODES = ('train', 'eval')
# state-dict prefix of the head: what init='checkpoint_features' starts
# afresh and freeze_features leaves trainable; the rest are the features
HEAD = 'decode_head.'
SILHOUETTE = 'silhouette'
AUTOCAST_DTYPES = dict(bfloat16=torch.bfloat16, float16=torch.float16)
AUTO = 'auto'
# compile=AUTO where the device has fast bf16 kernels: one graph per size
AUTO_COMPILE = dict(dynamic=False)
# image, with the silhouette floor its k*, and its features if frozen
# -> (response, losses)
StepFunction = Callable[[Tensor, Optional[Tensor], Optional[List[Tensor]]],
                        Tuple[Tensor, Dict[str, Tensor]]]
# (steps taken, the response the labels would come from, its q')
Recorder = Callable[[int, Tensor, int], None]
# the metainfo of a recorded result
RECORDED_KEYS = ('q_prime', 'iterations', 'seconds', 'arithmetic')
# the arithmetic of a run whose snapshot predates recording it (the word
# the quality benchmark uses for fields older results lack)
UNRECORDED = 'unrecorded'


class ImageProgress:
    """What one image's optimisation has done besides training the network.

    Its seconds (wall time since it started, less the pauses for recording
    results and saving snapshots, plus the seconds of the run a snapshot
    resumes), its recorded results (``record_iters``: ``{T:
    SegDataSample}``), the step it resumed from (None: step 0) and the
    arithmetic of the runs before this one (``[first step, arithmetic]``
    each, from the snapshot).
    """

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.paused = 0.0
        self.recorded: Dict[int, SegDataSample] = {}
        self.resumed_from: Optional[int] = None
        self.earlier_runs: List[list] = []

    def runs(self, arithmetic: str) -> List[list]:
        """``[first step, arithmetic]`` of every run so far, this one's
        (``arithmetic``) last, a run in the same arithmetic as the one
        before it merged into it."""
        runs = []
        this_run = [self.resumed_from or 0, arithmetic]
        for first, used in self.earlier_runs + [this_run]:
            if not runs or runs[-1][1] != used:
                runs.append([first, used])
        return runs

    def arithmetic(self, arithmetic: str) -> str:
        """How the image's steps ran, this run's in ``arithmetic``: that
        string, or where a snapshot from other arithmetic was resumed,
        each with the step it began at, e.g. ``'float32, eager (from step
        0); bfloat16 autocast, compiled, channels-last (from step 800)'``.
        """
        runs = self.runs(arithmetic)
        if len(runs) == 1:
            return arithmetic
        return '; '.join(f'{used} (from step {first})' for first, used in runs)

    def seconds(self) -> float:
        """Seconds of work on the image so far."""
        return time.perf_counter() - self.started - self.paused

    @contextmanager
    def pause(self) -> Iterator[None]:
        """Leave the block's time out of :meth:`seconds`."""
        begun = time.perf_counter()
        try:
            yield
        finally:
            self.paused += time.perf_counter() - begun

    def state(self, arithmetic: str) -> dict:
        """The progress as a snapshot holds it (tensors, numbers and
        strings), this run's steps in ``arithmetic``."""
        return dict(
            seconds=self.seconds(),
            arithmetic=self.runs(arithmetic),
            recorded={
                steps: dict(
                    labels=sample.pred_sem_seg.data,
                    **{key: sample.metainfo[key]
                       for key in RECORDED_KEYS})
                for steps, sample in self.recorded.items()
            })

    def resume(self, snapshot: dict) -> None:
        """Continue the progress a snapshot (:meth:`state`) saved."""
        self.started = time.perf_counter() - snapshot['seconds']
        self.paused = 0.0
        self.recorded = {
            steps: SegDataSample(
                pred_sem_seg=PixelData(data=result['labels']),
                metainfo={  # snapshots before the arithmetic have none
                    key: result.get(key, UNRECORDED)
                    if key == 'arithmetic' else result[key]
                    for key in RECORDED_KEYS
                })
            for steps, result in snapshot['recorded'].items()
        }
        self.resumed_from = snapshot['steps']
        self.earlier_runs = snapshot.get('arithmetic', [[0, UNRECORDED]])


def optimises_per_image(model_cfg: dict) -> bool:
    """Whether a model config optimises a network on each image alone.

    Such a model (:class:`PerImageDynaSeg` or a subclass) needs no trained
    checkpoint: ``tools/test.py`` and ``tools/segment.py`` run it without
    one. Needs ``mmdynaseg`` imported (it registers the class).

    Args:
        model_cfg (dict): The config's ``model``.

    Returns:
        bool: True for a :class:`PerImageDynaSeg` config.
    """
    model_type = model_cfg.get('type')
    if isinstance(model_type, str):
        model_type = MODELS.get(model_type)
    return isinstance(model_type, type) and issubclass(
        model_type, PerImageDynaSeg)


@MODELS.register_module()
class PerImageDynaSeg(EncoderDecoder):
    """DynaSeg optimised on every image alone (BSDS500 / PASCAL VOC mode).

    As in DynaSeg (after Kanezaki 2020), ``predict`` trains a network on
    each test image only: from the start weights (``init``), up to
    ``max_iters`` steps of ``optimizer`` on the head's loss

    .. math:: L = L_{sim} + \\mu(q') L_{con}, \\quad
        \\mu = q'/\\alpha \\ (\\text{FSF, Eq. 8}) \\text{ or }
        \\alpha/q' \\ (\\text{SCF, Eq. 9})

    (:meth:`DynaSegHead.dynamic_loss`), stopping as soon as a forward pass
    has ``q' <= stop_threshold`` ("Thr 3", or the image's silhouette
    estimate ``k*``: "Silh.S", paper Table IV); the labels are the argmax of
    the last response, resized to the image. Every image starts from the
    same weights with a new optimizer, seeded by ``seed``, and the model is
    restored after the batch, so results do not depend on the batch order.
    Each sample gets the metainfo ``q_prime``, ``iterations`` and
    ``seconds`` (and ``silhouette_k`` when ``k*`` was needed). Options
    record the result at intermediate step counts, snapshot a long
    optimisation to resume it, and speed the steps up; docs/implementation.md
    describes them. Per-image models are not trained: :meth:`loss` raises.

    Args:
        max_iters (int): Most optimiser steps per image ``T``. Defaults to
            1000.
        optimizer (dict): Optimizer config (``mmseg.registry.OPTIMIZERS``),
            without ``params``. Defaults to SGD, lr 0.1, momentum 0.9.
        stop_threshold (int | str, optional): Stop when ``q' <=`` this int,
            ``'silhouette'`` for ``q' <= k*``, None to run all
            ``max_iters`` steps. Defaults to 3.
        step_at_stop (bool): When a forward pass meets ``stop_threshold``,
            still take its optimiser step and give the labels of one more
            forward pass, as the published BSD script does (it breaks
            after the step). Defaults to False (stop at that pass, its
            labels).
        predict_mode (str): ``'train'`` or ``'eval'``: the mode of the
            forward pass the labels come from (step 3). Defaults to
            ``'train'``.
        init (str): ``'fresh'``, ``'pretrained'``, ``'checkpoint'`` or
            ``'checkpoint_features'`` (see above). Defaults to ``'fresh'``.
        freeze_features (bool): Train only the decode head in the
            per-image steps (step 2); everything else (backbone, neck)
            keeps its start weights and takes no gradient. The features
            are then the same at every step, so they are computed once
            per image, in train mode (BatchNorm normalises with the
            image's statistics, as every step's pass would), and a step
            runs the head only; eval-mode labels apply the head, in eval
            mode, to the same features. Meant for
            ``init='checkpoint_features'``: a fresh head fitted on trained
            features (``docs/amortised.md``). Defaults to False (the whole
            network trains, as in the papers).
        seed (int): Seed of the fresh initialisation and of every image's
            optimisation (dropout, if any). Defaults to 0.
        silhouette_cfg (dict, optional): Keyword arguments of
            :func:`estimate_num_segments` (``k_min``, ``k_max``,
            ``num_samples``, ``xy_weight``, ``seed``) for ``k*``.
        optimise_scale (float): Speed option: optimise on the image resized
            (bilinear) by this factor in ``(0, 1]``; the final response is
            upsampled (bilinear) for the labels. Defaults to 1 (full size,
            as in the papers).
        channels_last (bool | str): Speed option: run the network in the
            channels-last memory format, which can speed up convolutions
            (measure it on your hardware); same results up to rounding.
            ``'auto'``: only on a device with fast bfloat16 kernels
            (:func:`mmdynaseg.utils.supports_autocast`); docs/speed.md
            compares both. Defaults to False.
        autocast (str, optional): Speed option: run the network's forward
            passes under ``torch.autocast`` with this dtype (``'bfloat16'``,
            fast on CPUs with bf16 support, or ``'float16'`` on GPU); the
            response is cast back to float32 for the losses, ``q'`` and the
            labels. Labels can differ where channels tie after rounding:
            measure the quality
            (``tools/analysis_tools/benchmark_quality.py``). The autocast
            weight cache is off, so every step sees the updated
            weights whatever autocast context the caller is in. On a device
            without fast support (:func:`mmdynaseg.utils.supports_autocast`)
            it falls back to float32 with one warning. Defaults to None
            (float32, as in the papers).
        record_iters (Sequence[int]): Step counts ``T`` in
            ``[0, max_iters]`` whose results to record too (see above).
            Defaults to () (none).
        compile (bool | dict): Speed option: ``torch.compile`` the step's
            forward pass and its dynamic loss
            (:meth:`DynaSegHead.dynamic_loss`), with these keyword
            arguments when a dict. Compiled once per model and input size:
            the first step of a new size pays it. With ``dict(dynamic=
            False)`` every size gets its own (fastest) graph until torch's
            recompile limit (8), after which new sizes run eagerly; with
            ``True`` automatic dynamic shapes cover every further size
            after the second. Where compilation fails (e.g. no C++
            compiler) it runs eagerly, with one warning. ``'auto'``:
            ``dict(dynamic=False)`` on a device with fast bfloat16 kernels,
            eager elsewhere (as ``channels_last='auto'``). Defaults to
            False.
        snapshot_dir (str, optional): Where to keep snapshots of each
            image's optimisation, to resume it (see above). Defaults to
            None (none kept).
        snapshot_interval (int): Steps between snapshots. Defaults to 50.
        keep_freed_memory (bool): Speed option: on CPU, keep the memory
            the steps free in the process for the next steps
            (:func:`mmdynaseg.utils.keep_freed_memory`, glibc only) while
            a batch is optimised, instead of faulting in fresh pages for
            every large tensor; the same results (docs/speed.md).
            Defaults to True.
        **kwargs: Arguments of ``EncoderDecoder`` (``backbone``,
            ``decode_head``, ``data_preprocessor``, ...).
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
        if any(not 0 <= steps <= max_iters for steps in record_iters):
            raise ValueError(f'record_iters must lie in [0, max_iters='
                             f'{max_iters}], got {list(record_iters)}.')
        if snapshot_interval < 1:
            raise ValueError('snapshot_interval must be >= 1, got '
                             f'{snapshot_interval}.')
        if channels_last not in (True, False, AUTO):
            raise ValueError("channels_last must be a bool or 'auto', got "
                             f'{channels_last!r}.')
        if isinstance(compile, str) and compile != AUTO:
            raise ValueError("compile must be a bool, a dict or 'auto', got "
                             f'{compile!r}.')
        if autocast is not None and autocast not in AUTOCAST_DTYPES:
            raise ValueError(f'autocast must be None or one of '
                             f'{tuple(AUTOCAST_DTYPES)}, got {autocast!r}.')
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
        self.channels_last = channels_last
        self.autocast = autocast
        self.record_iters = frozenset(int(steps) for steps in record_iters)
        self.snapshots = SnapshotStore(snapshot_dir) if snapshot_dir \
            else None
        self.snapshot_interval = snapshot_interval
        self.keep_freed_memory = keep_freed_memory
        self.compile_cfg = dict(compile) if isinstance(compile, dict) \
            else (compile if compile == AUTO else ({} if compile else None))
        self._compiled: Optional[Tuple[Callable, Callable]] = None
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
            ``seconds`` and ``arithmetic`` (:meth:`arithmetic`; with
            each run's first step where a resumed snapshot's run used
            other arithmetic). An image whose loss became non-finite gets
            a one-cluster map and ``FAILED_KEY``, the reason; the metrics
            leave it out and report it.
        """
        if data_samples is None:
            size = tuple(inputs.shape[2:])
            data_samples = [
                SegDataSample(
                    metainfo=dict(
                        ori_shape=size, img_shape=size, pad_shape=size))
                for _ in range(inputs.shape[0])
            ]
        if self._channels_last(inputs.device):
            self.to(memory_format=torch.channels_last)
        original, was_training = self._state_copy(), self.training
        start = dict(self._fresh_state or original)
        if self.init == 'checkpoint_features':  # loaded features, fresh head
            start.update({
                key: value
                for key, value in original.items()
                if not key.startswith(HEAD)
            })
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
                    self._record_final(sample)
        finally:
            self.load_state_dict(original)
            self.zero_grad(set_to_none=True)
            self.train(was_training)
        return data_samples

    def _segment(self, image: Tensor, sample: SegDataSample) -> Tensor:
        """Optimise the network on one image; return its final response.

        Args:
            image (Tensor): (1, C, H, W) preprocessed image, maybe padded.
            sample (SegDataSample): Its data sample; gets the metainfo of
                the result (class docstring).

        Returns:
            Tensor: Response (1, q, H, W) of the last iteration, upsampled
            to the input and padded like it (zeros), ready for
            ``postprocess_result``.
        """
        progress = ImageProgress()
        left, right, top, bottom = sample.metainfo.get('padding_size',
                                                       [0] * 4)
        height, width = image.shape[2:]
        image = image[..., top:height - bottom, left:width - right]
        size = tuple(image.shape[2:])
        scaled = [int(side * self.optimise_scale) for side in size]
        if scaled[0] * scaled[1] < 2:
            raise ValueError(
                f"'{sample.get('img_path', 'the image')}' is {size[1]} x "
                f'{size[0]} px, {scaled[1]} x {scaled[0]} at optimise_scale='
                f'{self.optimise_scale}: per-image optimisation needs at '
                'least 2 pixels (BatchNorm statistics of one pixel are '
                'undefined); use a larger image or a larger optimise_scale.')
        if self.optimise_scale != 1:
            image = resize(
                image,
                scale_factor=self.optimise_scale,
                mode='bilinear',
                align_corners=False)
        if self._channels_last(image.device):
            image = image.contiguous(memory_format=torch.channels_last)
        k_star = self._silhouette_k(image)
        if k_star is not None:
            sample.set_metainfo({SILHOUETTE_KEY: k_star})
        threshold = k_star if self.stop_threshold == SILHOUETTE \
            else self.stop_threshold

        def to_input_size(logits: Tensor) -> Tensor:
            if tuple(logits.shape[2:]) != size:
                logits = resize(
                    logits,
                    size=size,
                    mode='bilinear',
                    align_corners=self.align_corners)
            return F.pad(logits, (left, right, top, bottom))

        def record(steps: int, response: Tensor, q_prime: int) -> None:
            seconds = progress.seconds()
            with progress.pause():
                result = SegDataSample(metainfo=sample.metainfo)
                self.postprocess_result(to_input_size(response), [result])
                progress.recorded[steps] = SegDataSample(
                    pred_sem_seg=result.pred_sem_seg,
                    metainfo=dict(
                        q_prime=q_prime,
                        iterations=steps,
                        seconds=seconds,
                        arithmetic=progress.arithmetic(
                            self.arithmetic(image.device))))

        logits, q_prime, iterations = self._optimise(
            image, self._loss_sample(image, sample, k_star), threshold,
            progress, record if self.record_iters else None)
        sample.set_metainfo(
            dict(
                q_prime=q_prime,
                iterations=iterations,
                seconds=progress.seconds(),
                arithmetic=progress.arithmetic(self.arithmetic(
                    image.device))))
        if progress.resumed_from is not None:
            sample.set_metainfo(dict(resumed_from=progress.resumed_from))
        if self.record_iters:
            sample.recorded = progress.recorded
        return to_input_size(logits)

    def _record_final(self, sample: SegDataSample) -> None:
        """Record the final result for every ``T`` of ``record_iters`` not
        reached before the run ended (the last step, or a stop before
        ``T``): a run with ``max_iters=T`` ends the same way."""
        if not self.record_iters:
            return
        final = {key: sample.metainfo[key] for key in RECORDED_KEYS}
        for steps in self.record_iters - set(sample.recorded):
            sample.recorded[steps] = SegDataSample(
                pred_sem_seg=sample.pred_sem_seg, metainfo=final)

    def _silhouette_k(self, image: Tensor) -> Optional[int]:
        """``k*`` of the image if the threshold or the head's floor needs it.

        Estimated (:func:`estimate_num_segments`) on the image the network
        sees, mapped back to uint8 RGB by undoing the data preprocessor's
        normalisation and channel order.
        """
        if self.stop_threshold != SILHOUETTE and not getattr(
                self.decode_head, 'silhouette_floor', False):
            return None
        preprocessor = self.data_preprocessor
        pixels = image[0].detach().float()
        if hasattr(preprocessor, 'std'):
            pixels = pixels * preprocessor.std + preprocessor.mean
        if not getattr(preprocessor, 'channel_conversion', False):
            pixels = pixels.flip(0)  # mmcv loads BGR
        rgb = pixels.permute(1, 2, 0).round().clamp(0, 255).byte()
        return estimate_num_segments(
            np.ascontiguousarray(rgb.cpu().numpy()), **self.silhouette_cfg)

    @staticmethod
    def _loss_sample(image: Tensor, sample: SegDataSample,
                     k_star: Optional[int]) -> SegDataSample:
        """What the head's loss reads of the image: the size it is
        optimised at, ``k*``, its path and, when the pipeline attached one
        (``LoadGuidance``), the DynaGuide guide ``gt_guide`` (the head
        resizes it, nearest, to the response)."""
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
        """How the steps run on ``device``, the speed options resolved
        (``'auto'``, and a failed compilation's fallback to eager), e.g.
        ``'bfloat16 autocast, compiled, channels-last'`` or ``'float32,
        eager'``: what a result of a config with ``'auto'`` options
        cannot say by itself."""
        return ', '.join(
            [f'{self.autocast} autocast'
             if self._autocast_dtype(device) else 'float32'] +
            ['compiled' if self._compile_kwargs(device) is not None
             else 'eager'] +
            ['channels-last'] * self._channels_last(device))

    def _channels_last(self, device: torch.device) -> bool:
        """Whether the network runs channels-last on ``device``."""
        if self.channels_last == AUTO:
            return supports_autocast(device.type, 'bfloat16')
        return self.channels_last

    def _compile_kwargs(self, device: torch.device) -> Optional[dict]:
        """``torch.compile``'s arguments on ``device`` (None: eager)."""
        if self.compile_cfg == AUTO:
            return dict(AUTO_COMPILE) if supports_autocast(
                device.type, 'bfloat16') else None
        return self.compile_cfg

    def _autocast_dtype(self, device: torch.device) -> Optional[torch.dtype]:
        """The autocast dtype to use on ``device`` (None: float32)."""
        if self.autocast is None:
            return None
        if not supports_autocast(device.type, self.autocast):
            warn_once(
                f'PerImageDynaSeg(autocast={self.autocast!r}): this '
                f'{device.type} has no fast {self.autocast} support; running '
                'in float32 instead (set model.autocast=None to silence).')
            return None
        return AUTOCAST_DTYPES[self.autocast]

    @staticmethod
    def _autocast_context(image: Tensor, dtype: Optional[torch.dtype]):
        """Autocast to ``dtype`` (None: off) on the image's device, weight
        cache off (see :meth:`_response`)."""
        return torch.autocast(
            image.device.type,
            dtype=dtype,
            enabled=dtype is not None,
            cache_enabled=False)

    def _frozen_features(self, image: Tensor) -> Optional[List[Tensor]]:
        """The image's features if they are frozen (else None): one
        train-mode pass, the same as every step's would be."""
        if not self.freeze_features:
            return None
        with torch.no_grad(), self._autocast_context(
                image, self._autocast_dtype(image.device)):
            return self.extract_feat(image)

    def _response(self,
                  image: Tensor,
                  dtype: Optional[torch.dtype] = None,
                  features: Optional[List[Tensor]] = None) -> Tensor:
        """The response at the image size, float32 and contiguous.

        The forward pass runs under autocast with ``dtype`` (None: float32)
        and the weight cache off: an enclosing autocast context (MMEngine's
        test loop) would otherwise keep serving the first step's casts of
        the weights to every later step. Given ``features`` (frozen, of
        this image), only the head runs.
        """
        with self._autocast_context(image, dtype):
            if features is None:
                features = self.extract_feat(image)
            response = self.decode_head(features)
        if response.shape[2:] != image.shape[2:]:  # pyramid features
            response = resize(
                response.float(),
                size=tuple(image.shape[2:]),
                mode='bilinear',
                align_corners=self.align_corners)
        return response.float().contiguous()

    def _step_function(
            self, device: torch.device,
            guide_target: Callable[[Tensor], Optional[Tensor]]
    ) -> StepFunction:
        """The response and :meth:`DynaSegHead.dynamic_loss` of an image.

        ``guide_target`` gives the guide's matched targets of a response
        (None without a guide), computed eagerly between the two. With
        ``compile`` set, :meth:`_response` and the dynamic loss are
        compiled as two graphs (once per model): the loss kernels then
        read the contiguous float32 response; fused into the network's
        graph they take its channels-last loop order, several times
        slower for the spatial differences.
        """
        dtype = self._autocast_dtype(device)
        loss_fn = self.decode_head.dynamic_loss
        compile_kwargs = self._compile_kwargs(device)
        if compile_kwargs is not None and self._compiled is None:
            self._compiled = (torch.compile(self._response, **compile_kwargs),
                              torch.compile(loss_fn, **compile_kwargs))

        def run_eagerly(error: Exception) -> None:
            nonlocal compile_kwargs
            warn_once('PerImageDynaSeg(compile=True): torch.compile '
                      f'failed ({type(error).__name__}: '
                      f'{str(error).splitlines()[0][:200]}); running '
                      'eagerly instead (set model.compile=False to '
                      'silence).')
            self.compile_cfg = compile_kwargs = None

        def run(image: Tensor, k_star: Optional[Tensor],
                features: Optional[List[Tensor]]):
            if compile_kwargs is not None:
                compiled_response, compiled_loss = self._compiled
                try:
                    response = compiled_response(image, dtype, features)
                except Exception as error:  # no compiler, unsupported op
                    run_eagerly(error)
                else:
                    target = guide_target(response)  # its errors are its own
                    try:
                        return response, compiled_loss(
                            response, k_star, target)
                    except Exception as error:
                        run_eagerly(error)
            response = self._response(image, dtype, features)
            return response, loss_fn(response, k_star, guide_target(response))

        return run

    def _optimise(self,
                  image: Tensor,
                  loss_sample: SegDataSample,
                  threshold: Optional[int],
                  progress: ImageProgress,
                  record: Optional[Recorder] = None
                  ) -> Tuple[Tensor, int, int]:
        """Run the per-image iterations (steps 2-3 of the class docstring).

        With ``snapshot_dir`` they resume from the image's snapshot and save
        one every ``snapshot_interval`` steps (class docstring), with
        ``progress``. ``record`` gets, for each step count of
        ``record_iters`` that is not the run's last, the response the
        labels of a run with that ``max_iters`` come from (the train-mode
        forward pass of that step, or the eval-mode pass before it) and
        its ``q'``.

        Returns:
            tuple: The detached response the labels come from, its ``q'``
            and the number of optimiser steps taken.
        """
        head = self.decode_head
        k_star = None
        if head.silhouette_floor:
            k_star = torch.tensor([loss_sample.metainfo[SILHOUETTE_KEY]],
                                  device=image.device)

        def guide_target(response: Tensor) -> Optional[Tensor]:
            return None if head.loss_guide is None else head.guide_target(
                response, [loss_sample])

        step = self._step_function(image.device, guide_target)
        optimizer = OPTIMIZERS.build(
            dict(
                self.optimizer_cfg,
                params=[p for p in self.parameters() if p.requires_grad]))
        devices = [image.device] if image.is_cuda else []
        eval_labels = self.predict_mode == 'eval'
        snapshot_key = signature = None
        if self.snapshots is not None:
            snapshot_key = self.snapshots.key(
                image.cpu().numpy(), loss_sample.metainfo.get('img_path'))
            signature = self._snapshot_signature(threshold, loss_sample)

        def snapshot(steps: int) -> None:  # after `steps` optimiser steps
            with progress.pause():
                self.snapshots.save(
                    snapshot_key, signature,
                    dict(
                        progress.state(self.arithmetic(image.device)),
                        steps=steps,
                        model=self.state_dict(),
                        optimizer=optimizer.state_dict(),
                        rng=torch.get_rng_state(),
                        cuda_rng=[
                            torch.cuda.get_rng_state(device)
                            for device in devices
                        ]))

        self.train()
        first, stopping = 0, False
        with torch.enable_grad(), torch.random.fork_rng(devices=devices):
            torch.manual_seed(self.seed)
            features = self._frozen_features(image)
            saved = None if snapshot_key is None else self.snapshots.load(
                snapshot_key, signature)
            if saved is not None:
                self.load_state_dict(saved['model'])
                optimizer.load_state_dict(saved['optimizer'])
                torch.set_rng_state(saved['rng'])
                for device, rng in zip(devices, saved['cuda_rng']):
                    torch.cuda.set_rng_state(rng, device)
                progress.resume(saved)
                first = saved['steps']
            for steps in range(first, self.max_iters + 1):
                if eval_labels and steps == self.max_iters:
                    break
                if eval_labels and record and steps in self.record_iters:
                    record(steps, *self._eval_response(image, features))
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
                if not eval_labels and record and steps in self.record_iters:
                    record(steps, response.detach(), q_prime)
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
                if snapshot_key is not None and not stopping and (
                        steps + 1) % self.snapshot_interval == 0 and \
                        steps + 1 < self.max_iters:
                    snapshot(steps + 1)
        if snapshot_key is not None:
            self.snapshots.remove(snapshot_key)
        if eval_labels:
            response, q_prime = self._eval_response(image, features)
            if self.on_step is not None:
                self.on_step(steps, self.max_iters, q_prime)
        return response.detach(), q_prime, steps

    def _snapshot_signature(self, threshold: Optional[int],
                            loss_sample: SegDataSample) -> str:
        """The settings a snapshot is resumed under (the image aside), as
        JSON: ``threshold`` is the image's stopping ``q'`` (int or None);
        the network's config (extractor, head, losses, weighting) and a
        digest of the image's guide (DynaGuide) from ``loss_sample``."""
        guide = loss_sample.get('gt_guide')
        return json.dumps(
            dict(
                network=self.network_cfg,
                guide=None if guide is None else hashlib.sha1(
                    guide.data.cpu().numpy().tobytes()).hexdigest(),
                max_iters=self.max_iters,
                seed=self.seed,
                stop_threshold=threshold,
                step_at_stop=self.step_at_stop,
                predict_mode=self.predict_mode,
                init=self.init,
                freeze_features=self.freeze_features,
                optimizer=self.optimizer_cfg,
                optimise_scale=self.optimise_scale,
                autocast=self.autocast,
                record_iters=sorted(self.record_iters)),
            sort_keys=True,
            default=repr)

    def _eval_response(
            self, image: Tensor,
            features: Optional[List[Tensor]]) -> Tuple[Tensor, int]:
        """The eval-mode response of the network as it is (of its head on
        ``features`` if given) and its ``q'`` (leaves the network in eval
        mode)."""
        self.eval()
        with torch.no_grad():
            response = self._response(image,
                                      self._autocast_dtype(image.device),
                                      features)
        return response, int(
            count_clusters(cluster_labels(response), response.shape[1]))
