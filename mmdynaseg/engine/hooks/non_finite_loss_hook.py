"""Stop training at a non-finite loss, before its weights are saved."""
import math
from typing import Optional

from mmengine.hooks import Hook
from mmseg.registry import HOOKS


@HOOKS.register_module()
class NonFiniteLossHook(Hook):
    """Raise as soon as a training iteration's loss is NaN or infinite.

    MMEngine's ``CheckInvalidLossHook`` does the check but says only "loss
    become infinite or NaN!". This hook names the iteration, the loss
    terms and the usual causes. It runs before ``CheckpointHook`` (higher
    priority), so the weights of that iteration are never saved. Every
    mmdynaseg config has it (``default_hooks.non_finite_loss``).
    """

    priority = 'ABOVE_NORMAL'

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs: Optional[dict] = None) -> None:
        """Check ``outputs['loss']`` (the parsed training losses)."""
        if not outputs or 'loss' not in outputs:
            return
        if math.isfinite(float(outputs['loss'].detach())):
            return
        terms = ', '.join(f'{key}={float(value.detach()):.4g}'
                          for key, value in outputs.items())
        raise RuntimeError(
            f'training stopped at iteration {runner.iter + 1}: the loss is '
            f'not finite ({terms}); the weights of this iteration are not '
            'saved. Check the weighting (alpha / mu must be finite and > 0), '
            'the learning rate and, with --amp, try float32; then resume '
            'from the last checkpoint (--resume) or start again.')
