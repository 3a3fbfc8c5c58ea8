"""Progress of per-image optimisation: image i/N, step, q' and an ETA."""
import os.path as osp
import time
from typing import Callable, Optional

from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmseg.registry import HOOKS


def format_seconds(seconds: float) -> str:
    """``'1h02m'``, ``'3m05s'`` or ``'42s'``."""
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f'{hours}h{minutes:02d}m'
    return f'{minutes}m{seconds:02d}s' if minutes else f'{seconds}s'


class StepProgress:
    """Lines like ``[2/10] img.jpg: step 150/1000, q'=7, ETA image 3m05s,
    all 41m10s`` for a model's ``on_step``.

    The image's ETA is its mean time per step so far times the steps left
    (an upper bound: the image may stop early at its threshold); the run's
    adds the images left at the mean time of the finished images (or this
    image's estimate while none is finished).

    Args:
        num_images (int): Images in the run.
        write (Callable[[str], None]): Where a line goes.
        interval (int): Write every this many steps (and the first).
            Defaults to 50.
    """

    def __init__(self,
                 num_images: int,
                 write: Callable[[str], None],
                 interval: int = 50) -> None:
        if interval < 1:
            raise ValueError(f'interval must be >= 1, got {interval}.')
        self.num_images = num_images
        self.write = write
        self.interval = interval
        self.finished_seconds = 0.0
        self.finished = 0
        self.position = 0
        self.name = ''
        self.started: Optional[float] = None

    def start_image(self, name: str) -> None:
        """The next image, ``name``, begins."""
        self.position += 1
        self.name = name
        self.started = time.perf_counter()

    def end_image(self) -> None:
        """The current image is done."""
        if self.started is not None:
            self.finished_seconds += time.perf_counter() - self.started
            self.finished += 1
            self.started = None

    def line(self, step: int, total: int, q_prime: int) -> str:
        """The progress line after forward pass ``step`` of ``total``."""
        now = time.perf_counter()
        elapsed = now - (now if self.started is None else self.started)
        image_left = elapsed / (step + 1) * max(total - step, 0)
        per_image = self.finished_seconds / self.finished if self.finished \
            else elapsed + image_left
        run_left = image_left + per_image * (self.num_images - self.position)
        return (f"[{self.position}/{self.num_images}] {self.name}: step "
                f"{step}/{total}, q'={q_prime}, ETA image "
                f'{format_seconds(image_left)}, all '
                f'{format_seconds(run_left)}')

    def __call__(self, step: int, total: int, q_prime: int) -> None:
        """``on_step``: write the line every ``interval`` steps."""
        if step % self.interval == 0:
            self.write(self.line(step, total, q_prime))


@HOOKS.register_module()
class PerImageProgressHook(Hook):
    """Log the per-image optimisation of ``tools/test.py`` as it goes.

    A per-image model (``PerImageDynaSeg``) spends minutes to hours on one
    image, and MMEngine logs every few images; this hook sets the model's
    ``on_step`` to log :class:`StepProgress` lines (image i/N, step, q'
    and an ETA) every ``interval`` steps. ``tools/test.py`` adds it to
    per-image configs. Other models are left alone.

    Args:
        interval (int): Log every this many steps. Defaults to 50.
    """

    def __init__(self, interval: int = 50) -> None:
        self.interval = interval
        self.progress: Optional[StepProgress] = None

    def before_test(self, runner) -> None:
        """Attach the progress to the model."""
        model = runner.model
        model = getattr(model, 'module', model)
        if not hasattr(model, 'on_step'):
            return
        self.progress = StepProgress(
            len(runner.test_dataloader.dataset),
            lambda line: print_log(line, logger='current'), self.interval)
        model.on_step = self.progress

    def before_test_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: Optional[dict] = None) -> None:
        """The image of this iteration begins."""
        if self.progress is None:
            return
        samples = (data_batch or {}).get('data_samples') or []
        path = samples[0].metainfo.get('img_path') if samples else None
        self.progress.start_image(
            osp.basename(path) if path else f'image {batch_idx}')

    def after_test_iter(self, runner, batch_idx: int, data_batch=None,
                        outputs=None) -> None:
        """The image of this iteration is done."""
        if self.progress is not None:
            self.progress.end_image()
