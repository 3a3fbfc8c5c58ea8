"""How a per-image step computes: autocast, channels-last, torch.compile."""
from typing import Callable, Dict, List, Optional, Tuple, Union

import torch
from torch import Tensor

from ...utils import supports_autocast, warn_once

AUTOCAST_DTYPES = dict(bfloat16=torch.bfloat16, float16=torch.float16)
AUTO = 'auto'
# compile=AUTO where the device has fast bf16 kernels: one graph per size
AUTO_COMPILE = dict(dynamic=False)
# image, with the silhouette floor its k*, and its features if frozen
# -> (response, losses)
StepFunction = Callable[[Tensor, Optional[Tensor], Optional[List[Tensor]]],
                        Tuple[Tensor, Dict[str, Tensor]]]


class StepArithmetic:
    """The speed options of :class:`PerImageDynaSeg`, resolved per device.

    ``'auto'`` turns channels-last and ``torch.compile`` on only where the
    device has fast bfloat16 kernels (:func:`supports_autocast`); autocast
    to a dtype the device cannot run fast falls back to float32 with one
    warning, and a failed compilation to eager (:meth:`run_eagerly`).

    Args:
        autocast (str, optional): ``'bfloat16'``, ``'float16'`` or None
            (float32).
        channels_last (bool | str): True, False or ``'auto'``.
        compile (bool | dict | str): False, True, ``torch.compile``'s
            keyword arguments, or ``'auto'``.
    """

    def __init__(self,
                 autocast: Optional[str] = None,
                 channels_last: Union[bool, str] = False,
                 compile: Union[bool, dict, str] = False) -> None:
        if channels_last not in (True, False, AUTO):
            raise ValueError("channels_last must be a bool or 'auto', got "
                             f'{channels_last!r}.')
        if isinstance(compile, str) and compile != AUTO:
            raise ValueError("compile must be a bool, a dict or 'auto', got "
                             f'{compile!r}.')
        if autocast is not None and autocast not in AUTOCAST_DTYPES:
            raise ValueError(f'autocast must be None or one of '
                             f'{tuple(AUTOCAST_DTYPES)}, got {autocast!r}.')
        self.autocast = autocast
        self.channels_last = channels_last
        self.compile_cfg = dict(compile) if isinstance(compile, dict) \
            else (compile if compile == AUTO else ({} if compile else None))
        self._compiled: Optional[Tuple[Callable, Callable]] = None

    def uses_channels_last(self, device: torch.device) -> bool:
        """Whether the network runs channels-last on ``device``."""
        if self.channels_last == AUTO:
            return supports_autocast(device.type, 'bfloat16')
        return self.channels_last

    def compile_kwargs(self, device: torch.device) -> Optional[dict]:
        """``torch.compile``'s arguments on ``device`` (None: eager)."""
        if self.compile_cfg == AUTO:
            return dict(AUTO_COMPILE) if supports_autocast(
                device.type, 'bfloat16') else None
        return self.compile_cfg

    def dtype(self, device: torch.device) -> Optional[torch.dtype]:
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

    def run_eagerly(self, error: Exception) -> None:
        """After ``torch.compile`` failed: warn once, run eagerly from now."""
        warn_once('PerImageDynaSeg(compile=True): torch.compile failed '
                  f'({type(error).__name__}: '
                  f'{str(error).splitlines()[0][:200]}); running eagerly '
                  'instead (set model.compile=False to silence).')
        self.compile_cfg = None

    def describe(self, device: torch.device) -> str:
        """How the steps run on ``device``, the options resolved, e.g.
        ``'bfloat16 autocast, compiled, channels-last'`` or ``'float32,
        eager'``: what a result of a config with ``'auto'`` options cannot
        say by itself."""
        return ', '.join(
            [f'{self.autocast} autocast' if self.dtype(device) else 'float32'
             ] + ['compiled' if self.compile_kwargs(device) is not None
                  else 'eager'] +
            ['channels-last'] * self.uses_channels_last(device))

    def step_function(self, response_fn: Callable, loss_fn: Callable,
                      guide_target: Callable[[Tensor], Optional[Tensor]],
                      device: torch.device) -> StepFunction:
        """The response and the dynamic loss of an image, compiled or not.

        With ``compile`` set, ``response_fn`` (the network) and ``loss_fn``
        (:meth:`DynaSegHead.dynamic_loss`) are compiled as two graphs, once:
        the loss kernels then read the contiguous float32 response (fused
        into the network's graph they would take its channels-last loop
        order, several times slower for the spatial differences).
        ``guide_target`` gives the guide's matched targets of a response,
        computed eagerly between the two.

        Args:
            response_fn (Callable): ``(image, dtype, features) -> response``.
            loss_fn (Callable): ``(response, k_star, target) -> losses``.
            guide_target (Callable): ``response -> targets`` (or None).
            device (torch.device): Where the steps run.

        Returns:
            StepFunction: ``(image, k_star, features) -> (response,
            losses)``.
        """
        dtype = self.dtype(device)
        compile_kwargs = self.compile_kwargs(device)
        if compile_kwargs is not None and self._compiled is None:
            self._compiled = (torch.compile(response_fn, **compile_kwargs),
                              torch.compile(loss_fn, **compile_kwargs))

        def run(image: Tensor, k_star: Optional[Tensor],
                features: Optional[List[Tensor]]):
            nonlocal compile_kwargs
            if compile_kwargs is not None:
                compiled_response, compiled_loss = self._compiled
                try:
                    response = compiled_response(image, dtype, features)
                except Exception as error:  # no compiler, unsupported op
                    self.run_eagerly(error)
                    compile_kwargs = None
                else:
                    target = guide_target(response)  # its errors are its own
                    try:
                        return response, compiled_loss(
                            response, k_star, target)
                    except Exception as error:
                        self.run_eagerly(error)
                        compile_kwargs = None
            response = response_fn(image, dtype, features)
            return response, loss_fn(response, k_star, guide_target(response))

        return run

    @staticmethod
    def context(device: torch.device, dtype: Optional[torch.dtype]):
        """Autocast to ``dtype`` (None: off) on ``device``, the weight cache
        off: an enclosing autocast context (MMEngine's test loop) would
        otherwise keep serving the first step's casts of the weights to
        every later step."""
        return torch.autocast(
            device.type,
            dtype=dtype,
            enabled=dtype is not None,
            cache_enabled=False)
