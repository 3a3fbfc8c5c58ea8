"""Shared by the step-for-step tests against the published loops: run
both loops on 2 threads, record our passes, compare step by step."""
from typing import Callable, List, Tuple

import numpy as np
import pytest
import torch
from mmseg.structures import SegDataSample
from torch import nn

# per forward pass: (total loss, q', labels)
Steps = List[Tuple[float, int, np.ndarray]]


@pytest.fixture
def two_threads():
    """Float32 sums depend on how the threads split them: both loops run
    on 2 threads on every machine (on 1, the two losses of the 30-step
    DynaSeg SCF case part by 2e-5 at step 27, labels still equal)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(threads)


def run_recorded(model: nn.Module, im: np.ndarray,
                 sample: SegDataSample) -> Tuple[Steps, SegDataSample]:
    """``model.test_step`` on the HWC ``im``, recording (sum of the
    losses, q', labels) of every pass through the head's loss."""
    head = model.decode_head
    dynamic_loss = head.dynamic_loss
    passes = []

    def recording(seg_logits, *args, **kwargs):
        losses = dynamic_loss(seg_logits, *args, **kwargs)
        total = sum(
            float(value.detach()) for key, value in losses.items()
            if key.startswith('loss'))
        passes.append((total, int(losses['q_prime']),
                       seg_logits.argmax(1)[0].numpy()))
        return losses

    head.dynamic_loss = recording
    inputs = torch.from_numpy(im).permute(2, 0, 1)
    with torch.no_grad():
        (result, ) = model.test_step(
            dict(inputs=[inputs], data_samples=[sample]))
    return passes, result


def assert_same_steps(reference: Steps, mine: Steps) -> None:
    """Equal q', labels and loss (rtol 1e-5) at every step, and as many
    steps."""
    assert len(mine) == len(reference), 'steps'
    for step, ((loss, q, labels), (my_loss, my_q, my_labels)) in enumerate(
            zip(reference, mine)):
        assert my_q == q, f'step {step}'
        np.testing.assert_array_equal(my_labels, labels, f'step {step}')
        assert my_loss == pytest.approx(loss, rel=1e-5), f'step {step}'


@pytest.fixture
def assert_same_loop(two_threads) -> Callable[..., int]:
    """A check that our model, run on ``im`` and ``sample``, passes
    through the reference's steps and ends on its labels; it returns the
    number of steps."""

    def check(model: nn.Module, im: np.ndarray, sample: SegDataSample,
              reference: Steps, final: np.ndarray) -> int:
        passes, result = run_recorded(model, im, sample)
        # the labels of a train-mode pass come from one more pass
        assert len(passes) - result.iterations in (0, 1)
        assert_same_steps(reference, passes[:result.iterations])
        np.testing.assert_array_equal(result.pred_sem_seg.data[0].numpy(),
                                      final)
        return result.iterations

    return check
