import pytest
import torch
import torch.nn.functional as F
from mmseg.structures import SegDataSample

from mmdynaseg.models.decode_heads import DynaSegHead
from mmdynaseg.models.losses import (FeatureSimilarityLoss,
                                     SpatialContinuityLoss)


def pyramid_head(p=4, q=3, levels=3, alpha=2.0):
    torch.manual_seed(0)
    return DynaSegHead(
        in_channels=[p] * levels,
        in_index=list(range(levels)),
        input_transform='multiple_select',
        channels=p,
        num_classes=q,
        weighting=dict(type='DynamicWeight', policy='fsf', alpha=alpha))


def pyramid(batch=2, p=4, size=8, levels=3):
    """Levels at strides 1, 2, 4, ... of a ``size`` x ``size`` map."""
    return [
        torch.rand(batch, p, size >> level, size >> level)
        for level in range(levels)
    ]


def samples(batch, shape):
    return [
        SegDataSample(metainfo=dict(img_shape=shape, pad_shape=shape))
        for _ in range(batch)
    ]


def test_levels_are_upsampled_to_the_finest_and_summed():
    head = pyramid_head()
    levels = [torch.full((1, 4, 8 >> i, 8 >> i), float(i + 1))
              for i in range(3)]
    fused = head._fuse_pyramid(levels)
    assert fused.shape == (1, 4, 8, 8)
    assert torch.allclose(fused, torch.full_like(fused, 1 + 2 + 3))
    levels = pyramid()
    expected = levels[0] + sum(
        F.interpolate(level, size=(8, 8), mode='bilinear')
        for level in levels[1:])
    assert torch.allclose(head._fuse_pyramid(levels), expected, atol=1e-6)


def test_response_is_classifier_and_bn_at_the_finest_level():
    head = pyramid_head()
    levels = pyramid()
    response = head(levels)
    assert response.shape == (2, 3, 8, 8)
    expected = head.response_norm(head.conv_seg(head._fuse_pyramid(levels)))
    assert torch.allclose(response, expected)


def test_losses_are_computed_on_the_response_upsampled_to_the_input():
    head = pyramid_head()
    response = head(pyramid())
    losses = head.loss_by_feat(response, samples(2, (32, 32)))
    full = F.interpolate(response, size=(32, 32), mode='bilinear')
    q_prime = torch.tensor(
        [len(torch.unique(r.argmax(0))) for r in full]).float()
    sim = FeatureSimilarityLoss()(full, reduction='none')
    con = SpatialContinuityLoss()(full, reduction='none')
    assert losses['q_prime'].item() == pytest.approx(q_prime.mean().item())
    assert losses['loss_sim'].item() == pytest.approx(sim.mean().item())
    assert losses['loss_con'].item() == pytest.approx(
        (q_prime / 2 * con).mean().item(), rel=1e-5)


def test_full_resolution_response_is_not_resampled():
    head = pyramid_head()
    response = torch.randn(2, 3, 8, 8)
    with_sizes = head.loss_by_feat(response, samples(2, (8, 8)))
    without = head.loss_by_feat(response, [])
    for key, value in without.items():
        assert torch.equal(with_sizes[key], value), key


def test_prediction_is_upsampled_to_the_input():
    head = pyramid_head()
    logits = head.predict(
        pyramid(), [dict(img_shape=(32, 32), pad_shape=(32, 32))] * 2, {})
    assert logits.shape == (2, 3, 32, 32)


def test_pyramid_levels_must_have_p_channels():
    with pytest.raises(ValueError, match='channels=4'):
        DynaSegHead(
            in_channels=[4, 8],
            in_index=[0, 1],
            input_transform='multiple_select',
            channels=4,
            num_classes=3)
