import pytest
import torch

from mmdynaseg.models.backbones import DynaSegCNN
from mmdynaseg.models.decode_heads import DynaSegHead
from mmdynaseg.models.losses import (FeatureSimilarityLoss,
                                     SpatialContinuityLoss)


def build(policy='fsf', alpha=15.0, channels=8, q=6):
    torch.manual_seed(0)
    backbone = DynaSegCNN(channels=channels)
    head = DynaSegHead(
        in_channels=channels,
        channels=channels,
        num_classes=q,
        weighting=dict(type='DynamicWeight', policy=policy, alpha=alpha))
    return backbone, head


def test_response_is_batch_normalised_and_full_resolution():
    backbone, head = build()
    response = head(backbone(torch.rand(2, 3, 9, 9)))
    assert response.shape == (2, 6, 9, 9)
    per_channel = response.transpose(0, 1).reshape(6, -1)
    assert per_channel.mean(1).abs().max() < 1e-5


def test_loss_is_mean_of_per_image_dynamic_losses():
    backbone, head = build(alpha=2.0)
    response = head(backbone(torch.rand(3, 3, 8, 8)))
    losses = head.loss_by_feat(response, [])
    q_prime = torch.tensor(
        [len(torch.unique(r.argmax(0))) for r in response]).float()
    sim = FeatureSimilarityLoss()(response, reduction='none')
    con = SpatialContinuityLoss()(response, reduction='none')
    assert losses['q_prime'].item() == pytest.approx(q_prime.mean().item())
    assert losses['mu'].item() == pytest.approx((q_prime / 2).mean().item())
    assert losses['loss_sim'].item() == pytest.approx(sim.mean().item())
    assert losses['loss_con'].item() == pytest.approx(
        (q_prime / 2 * con).mean().item(), rel=1e-5)
    assert losses['con'].item() == pytest.approx(con.mean().item())


def test_q_prime_is_counted_per_image():
    _, head = build(q=4)
    response = torch.zeros(2, 4, 2, 2)
    response[0, 0] = 1.0  # image 0: one cluster
    response[1, 0, 0] = 1.0  # image 1: clusters 0 and 3
    response[1, 3, 1] = 1.0
    losses = head.loss_by_feat(response, [])
    assert losses['q_prime'].item() == pytest.approx(1.5)


def test_continuity_gradient_reaches_backbone():
    backbone, head = build()
    losses = head.loss_by_feat(head(backbone(torch.rand(2, 3, 8, 8))), [])
    losses['loss_con'].backward()  # the continuity term alone
    first_conv = backbone.convs[0].conv.weight.grad
    assert first_conv is not None and first_conv.abs().sum() > 0
    assert head.conv_seg.weight.grad.abs().sum() > 0
