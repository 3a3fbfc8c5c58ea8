"""What a per-image optimisation records besides training the network: its
seconds, results at intermediate step counts and resumable snapshots."""
import hashlib
import json
import time
from contextlib import contextmanager
from typing import Callable, Dict, Iterator, List, Optional, Sequence

import torch
from mmengine.structures import PixelData
from mmseg.registry import TASK_UTILS
from mmseg.structures import SegDataSample
from torch import Tensor, nn

from ..utils import SnapshotStore

# the metainfo of a recorded result
RECORDED_KEYS = ('q_prime', 'iterations', 'seconds', 'arithmetic')
# the arithmetic of a run whose snapshot predates recording it (the word
# the quality benchmark uses for fields older results lack)
UNRECORDED = 'unrecorded'


class ImageRun:
    """One image's optimisation as :class:`PerImageTracker` follows it.

    Its seconds (wall time since it started, less the pauses for recording
    results and saving snapshots, plus the seconds of the run a snapshot
    resumes), its recorded results (``{T: SegDataSample}``), the step it
    resumed from (None: step 0) and the arithmetic of the runs before this
    one (``[first step, arithmetic]`` each, from the snapshot).

    Args:
        tracker (PerImageTracker): What to record and where to snapshot.
        model (nn.Module): The :class:`PerImageDynaSeg` being optimised.
        sample (SegDataSample): The image's data sample (its metainfo
            goes into the recorded results).
        arithmetic (str): How this run's steps compute
            (``PerImageDynaSeg.arithmetic``).
        to_input_size (Callable): Maps a response to the input size, for
            ``postprocess_result``.
        snapshot (tuple, optional): ``(key, signature)`` of the image's
            snapshots, None without snapshots.
        started (float): ``time.perf_counter()`` when its work began.
    """

    def __init__(self, tracker: 'PerImageTracker', model: nn.Module,
                 sample: SegDataSample, arithmetic: str,
                 to_input_size: Callable[[Tensor], Tensor],
                 snapshot: Optional[tuple], started: float) -> None:
        self.tracker = tracker
        self.model = model
        self.sample = sample
        self.this_arithmetic = arithmetic
        self.to_input_size = to_input_size
        self.snapshot = snapshot
        self.started = started
        self.paused = 0.0
        self.recorded: Dict[int, SegDataSample] = {}
        self.resumed_from: Optional[int] = None
        self.earlier_runs: List[list] = []

    def runs(self) -> List[list]:
        """``[first step, arithmetic]`` of every run so far, this one's
        last, a run in the same arithmetic as the one before it merged
        into it."""
        runs = []
        this_run = [self.resumed_from or 0, self.this_arithmetic]
        for first, used in self.earlier_runs + [this_run]:
            if not runs or runs[-1][1] != used:
                runs.append([first, used])
        return runs

    def arithmetic(self) -> str:
        """How the image's steps ran: this run's arithmetic, or where a
        snapshot from other arithmetic was resumed, each with the step it
        began at, e.g. ``'float32, eager (from step 0); bfloat16
        autocast, compiled, channels-last (from step 800)'``."""
        runs = self.runs()
        if len(runs) == 1:
            return self.this_arithmetic
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

    def wants(self, steps: int) -> bool:
        """Whether the result after ``steps`` steps is to be recorded."""
        return steps in self.tracker.record_iters

    def record(self, steps: int, response: Tensor, q_prime: int) -> None:
        """Record the labels a run with ``max_iters=steps`` gives: those of
        ``response`` (detached), with its ``q'``."""
        seconds = self.seconds()
        with self.pause():
            result = SegDataSample(metainfo=self.sample.metainfo)
            self.model.postprocess_result(
                self.to_input_size(response), [result])
            self.recorded[steps] = SegDataSample(
                pred_sem_seg=result.pred_sem_seg,
                metainfo=dict(
                    q_prime=q_prime,
                    iterations=steps,
                    seconds=seconds,
                    arithmetic=self.arithmetic()))

    def resume(self, optimizer: torch.optim.Optimizer,
               devices: List[torch.device]) -> int:
        """Load the image's snapshot, if there is one of these settings,
        into the model, ``optimizer`` and the RNG; return the step to go
        on from (0 without one)."""
        if self.snapshot is None:
            return 0
        saved = self.tracker.snapshots.load(*self.snapshot)
        if saved is None:
            return 0
        self.model.load_state_dict(saved['model'])
        optimizer.load_state_dict(saved['optimizer'])
        torch.set_rng_state(saved['rng'])
        for device, rng in zip(devices, saved['cuda_rng']):
            torch.cuda.set_rng_state(rng, device)
        self.started = time.perf_counter() - saved['seconds']
        self.paused = 0.0
        self.recorded = {
            steps: SegDataSample(
                pred_sem_seg=PixelData(data=result['labels']),
                metainfo={  # snapshots before the arithmetic have none
                    key: result.get(key, UNRECORDED)
                    if key == 'arithmetic' else result[key]
                    for key in RECORDED_KEYS
                })
            for steps, result in saved['recorded'].items()
        }
        self.resumed_from = saved['steps']
        self.earlier_runs = saved.get('arithmetic', [[0, UNRECORDED]])
        return saved['steps']

    def stepped(self, steps: int, optimizer: torch.optim.Optimizer,
                devices: List[torch.device]) -> None:
        """After optimiser step number ``steps``: save a snapshot every
        ``snapshot_interval`` steps (not after the last)."""
        if self.snapshot is None or steps % self.tracker.snapshot_interval \
                or steps >= self.model.max_iters:
            return
        with self.pause():
            self.tracker.snapshots.save(
                *self.snapshot,
                dict(
                    seconds=self.seconds(),
                    arithmetic=self.runs(),
                    recorded={
                        steps: dict(
                            labels=sample.pred_sem_seg.data,
                            **{key: sample.metainfo[key]
                               for key in RECORDED_KEYS})
                        for steps, sample in self.recorded.items()
                    },
                    steps=steps,
                    model=self.model.state_dict(),
                    optimizer=optimizer.state_dict(),
                    rng=torch.get_rng_state(),
                    cuda_rng=[
                        torch.cuda.get_rng_state(device)
                        for device in devices
                    ]))

    def finish(self, q_prime: int, iterations: int) -> None:
        """Remove the image's snapshot and give its sample the metainfo
        ``q_prime``, ``iterations``, ``seconds``, ``arithmetic`` (and
        ``resumed_from``) and, with ``record_iters``, the recorded
        results."""
        if self.snapshot is not None:
            self.tracker.snapshots.remove(self.snapshot[0])
        self.sample.set_metainfo(
            dict(
                q_prime=q_prime,
                iterations=iterations,
                seconds=self.seconds(),
                arithmetic=self.arithmetic()))
        if self.resumed_from is not None:
            self.sample.set_metainfo(dict(resumed_from=self.resumed_from))
        if self.tracker.record_iters:
            self.sample.recorded = self.recorded


@TASK_UTILS.register_module()
class PerImageTracker:
    """Records and snapshots of :class:`PerImageDynaSeg`'s optimisations.

    Args:
        record_iters (Sequence[int]): Step counts ``T`` whose results to
            record too: what a run with ``max_iters=T`` returns.
        max_iters (int, optional): The model's ``max_iters``, the largest
            ``T`` to record. Defaults to None (no limit).
        snapshot_dir (str, optional): Where to keep a snapshot of each
            image's optimisation, to resume it; None: none kept.
        snapshot_interval (int): Steps between snapshots.
    """

    def __init__(self,
                 record_iters: Sequence[int] = (),
                 max_iters: Optional[int] = None,
                 snapshot_dir: Optional[str] = None,
                 snapshot_interval: int = 50) -> None:
        if any(steps < 0 or (max_iters is not None and steps > max_iters)
               for steps in record_iters):
            raise ValueError(f'record_iters must lie in [0, max_iters='
                             f'{max_iters}], got {list(record_iters)}.')
        if snapshot_interval < 1:
            raise ValueError('snapshot_interval must be >= 1, got '
                             f'{snapshot_interval}.')
        self.record_iters = frozenset(int(steps) for steps in record_iters)
        self.snapshots = SnapshotStore(snapshot_dir) if snapshot_dir \
            else None
        self.snapshot_interval = snapshot_interval

    def start(self, model: nn.Module, image: Tensor, sample: SegDataSample,
              loss_sample: SegDataSample, threshold: Optional[int],
              to_input_size: Callable[[Tensor], Tensor],
              started: float) -> ImageRun:
        """Follow one image's optimisation from now.

        Args:
            model (nn.Module): The :class:`PerImageDynaSeg`.
            image (Tensor): The image as optimised, (1, C, H, W).
            sample (SegDataSample): Its data sample.
            loss_sample (SegDataSample): What the loss reads (its path and
                guide name the snapshot).
            threshold (int, optional): The image's stopping ``q'``.
            to_input_size (Callable): Response -> input size.
            started (float): ``time.perf_counter()`` when the image's work
                began (its ``k*`` estimate included).

        Returns:
            ImageRun: The run to report the steps to.
        """
        snapshot = None
        if self.snapshots is not None:
            snapshot = (self.snapshots.key(
                image.cpu().numpy(), loss_sample.metainfo.get('img_path')),
                        self.signature(model, threshold, loss_sample))
        return ImageRun(self, model, sample, model.arithmetic(image.device),
                        to_input_size, snapshot, started)

    def record_final(self, sample: SegDataSample) -> None:
        """Record the final result for every ``T`` of ``record_iters`` not
        reached before the run ended (the last step, or a stop before
        ``T``): a run with ``max_iters=T`` ends the same way."""
        if not self.record_iters:
            return
        final = {key: sample.metainfo[key] for key in RECORDED_KEYS}
        for steps in self.record_iters - set(sample.recorded):
            sample.recorded[steps] = SegDataSample(
                pred_sem_seg=sample.pred_sem_seg, metainfo=final)

    def signature(self, model: nn.Module, threshold: Optional[int],
                  loss_sample: SegDataSample) -> str:
        """The settings a snapshot is resumed under (the image aside), as
        JSON: the network's config (extractor, head, losses, weighting),
        the loop's settings with the image's stopping ``threshold``, and a
        digest of the image's guide (DynaGuide) from ``loss_sample``."""
        guide = loss_sample.get('gt_guide')
        return json.dumps(
            dict(
                network=model.network_cfg,
                guide=None if guide is None else hashlib.sha1(
                    guide.data.cpu().numpy().tobytes()).hexdigest(),
                max_iters=model.max_iters,
                seed=model.seed,
                stop_threshold=threshold,
                step_at_stop=model.step_at_stop,
                predict_mode=model.predict_mode,
                init=model.init,
                freeze_features=model.freeze_features,
                optimizer=model.optimizer_cfg,
                optimise_scale=model.optimise_scale,
                autocast=model.speed.autocast,
                record_iters=sorted(self.record_iters)),
            sort_keys=True,
            default=repr)
