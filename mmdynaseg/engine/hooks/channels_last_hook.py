"""Channels-last memory format for the model, as a runner hook."""
import torch
from mmengine.hooks import Hook
from mmseg.registry import HOOKS


@HOOKS.register_module()
class ChannelsLastHook(Hook):
    """Convert the model to the channels-last memory format before a run.

    oneDNN's (and cuDNN's) convolutions are faster on channels-last (NHWC)
    tensors, in particular in bf16; once the weights are channels-last, a
    convolution's output is too, so the inputs need no conversion. Results
    are the same up to rounding. Enable it with
    ``custom_hooks = [dict(type='ChannelsLastHook')]`` (training, and
    ``tools/test.py``, which runs the config's custom hooks).
    """

    priority = 'VERY_HIGH'

    def before_run(self, runner) -> None:
        """Convert the parameters and buffers of ``runner.model``."""
        runner.model.to(memory_format=torch.channels_last)
