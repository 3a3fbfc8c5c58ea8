"""Channels-last memory format for the model, as a runner hook."""
import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmseg.registry import HOOKS, MODELS


@HOOKS.register_module()
class ChannelsLastHook(Hook):
    """Convert the model to the channels-last memory format before a run.

    oneDNN's (and cuDNN's) convolutions are faster on channels-last (NHWC)
    tensors, in particular in bf16; once the weights are channels-last, a
    convolution's output is too, so the inputs need no conversion. Results
    are the same up to rounding. Enable it with
    ``custom_hooks = [dict(type='ChannelsLastHook')]`` (training, and
    ``tools/test.py``, which runs the config's custom hooks). A per-image
    model sets its layout itself (``model.channels_last``): the hook
    refuses it, so that each run has one switch.
    """

    priority = 'VERY_HIGH'

    def before_run(self, runner) -> None:
        """Convert the parameters and buffers of ``runner.model``.

        Raises:
            ValueError: ``runner.model`` is a :class:`PerImageDynaSeg`.
        """
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        # through the registry: engine imports nothing from models
        if isinstance(model, MODELS.get('PerImageDynaSeg')):
            raise ValueError(
                'ChannelsLastHook is for dataset-level models; a per-image '
                "model sets its layout itself: model.channels_last (True, "
                "False or 'auto'). Remove the hook from custom_hooks.")
        runner.model.to(memory_format=torch.channels_last)
