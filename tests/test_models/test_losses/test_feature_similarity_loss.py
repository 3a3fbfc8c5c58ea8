import math

import pytest
import torch

from mmdynaseg.models.losses import FeatureSimilarityLoss


def test_value_is_cross_entropy_with_own_argmax():
    # pixel 1: logits (2, 0) -> argmax 0; pixel 2: (0, 1) -> argmax 1
    response = torch.tensor([[2.0, 0.0], [0.0, 1.0]]).T.reshape(1, 2, 1, 2)
    expected = (math.log(1 + math.exp(-2)) + math.log(1 + math.exp(-1))) / 2
    assert FeatureSimilarityLoss()(response).item() == pytest.approx(expected)


def test_per_image_reduction_and_weight():
    response = torch.zeros(3, 4, 2, 2)
    response[1, 0] = 10.0  # confident image: small loss
    loss = FeatureSimilarityLoss(loss_weight=2.0)(response, reduction='none')
    assert loss.shape == (3, )
    assert loss[0].item() == pytest.approx(2 * math.log(4))
    assert loss[1].item() < 1e-3
    with pytest.raises(ValueError, match='reduction'):
        FeatureSimilarityLoss(reduction='sum')(response)


def test_gradient_flows_to_response_not_target():
    response = torch.randn(2, 5, 4, 4, requires_grad=True)
    FeatureSimilarityLoss()(response).backward()
    assert response.grad.abs().sum() > 0


def test_given_log_probs_are_used_with_the_response_argmax():
    """A shared log_softmax (DynaSegHead.dynamic_loss): the targets are the
    response's argmax (0, 1), the values those of ``log_probs``."""
    response = torch.tensor([[2.0, 0.0], [0.0, 1.0]]).T.reshape(1, 2, 1, 2)
    uniform = torch.full_like(response, math.log(0.5))
    assert FeatureSimilarityLoss()(
        response, log_probs=uniform).item() == pytest.approx(math.log(2))
    shared = torch.log_softmax(response, dim=1)
    assert FeatureSimilarityLoss()(response, log_probs=shared).item() == \
        FeatureSimilarityLoss()(response).item()
