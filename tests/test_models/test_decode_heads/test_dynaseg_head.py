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


def test_dynamic_loss_is_layout_and_dtype_independent():
    """A channels-last or bf16 response gives the losses of its float32,
    contiguous copy (the loss runs on that copy), with gradients."""
    _, head = build(alpha=2.0)
    response = torch.randn(2, 6, 7, 9)
    reference = head.dynamic_loss(response)
    channels_last = response.contiguous(
        memory_format=torch.channels_last).requires_grad_()
    losses = head.dynamic_loss(channels_last)
    for key, value in reference.items():
        assert torch.equal(losses[key], value), key
    losses['loss_con'].backward()
    assert channels_last.grad.abs().sum() > 0
    bf16 = response.bfloat16()
    torch.testing.assert_close(
        head.dynamic_loss(bf16)['loss_sim'],
        head.dynamic_loss(bf16.float())['loss_sim'], rtol=0, atol=0)


def test_dynamic_loss_with_k_star_floor():
    """mu = max(q', k*) / alpha per image: k* = 5 lifts q' = 1 to 5."""
    _, head = build(alpha=2.0)
    response = torch.zeros(2, 6, 4, 4)
    response[:, 0] = 1  # every pixel votes cluster 0: q' = 1
    losses = head.dynamic_loss(response, torch.tensor([5, 1]))
    assert losses['q_prime'].item() == 1
    assert losses['mu'].item() == pytest.approx((5 / 2 + 1 / 2) / 2)
    assert losses['k_star'].item() == 3


@pytest.mark.parametrize('q', [0, 1])
def test_fewer_than_two_clusters_are_refused(q):
    """q = 1 trained a constant map silently, q = 0 failed in a conv."""
    with pytest.raises(ValueError, match=f'num_classes .*>= 2.*got {q}'):
        build(q=q)
