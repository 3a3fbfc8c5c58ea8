import pytest
import torch
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from mmdynaseg.models.decode_heads import DynaSegHead
from mmdynaseg.models.losses import GuidanceLoss

Q = 6


def head(loss_guide=dict(type='GuidanceLoss', loss_weight=2.0)):
    return DynaSegHead(
        in_channels=4, channels=4, num_classes=Q, loss_guide=loss_guide)


def sample(guide, img_shape=(2, 4), pad_shape=(2, 4), path='a.png'):
    data_sample = SegDataSample(
        metainfo=dict(img_shape=img_shape, pad_shape=pad_shape,
                      img_path=path))
    data_sample.gt_guide = PixelData(data=torch.tensor(guide)[None])
    return data_sample


def response():
    return torch.randn(2, Q, 2, 4, generator=torch.Generator().manual_seed(0))


def test_guide_term_is_lambda_times_the_guidance_loss():
    guides = [[[0, 0, 1, 1], [0, 0, 1, 1]], [[3, 4, 4, 4], [3, 3, 4, 255]]]
    logits = response()
    losses = head().loss_by_feat(logits, [sample(g) for g in guides])
    expected = GuidanceLoss()(logits, torch.tensor(guides))
    assert losses['loss_guide'].item() == pytest.approx(2 * expected.item())
    # the DynaSeg terms are unchanged by the guide
    plain = head(None).loss_by_feat(logits, [])
    assert 'loss_guide' not in plain
    for key in ('loss_sim', 'loss_con', 'con', 'mu', 'q_prime'):
        assert losses[key].item() == pytest.approx(plain[key].item())


def test_unpadded_guide_is_padded_with_ignore():
    # the image is 2 x 3, padded to 2 x 4 like the input batch
    logits = response()[:1]
    losses = head().loss_by_feat(
        logits, [sample([[0, 1, 1], [0, 0, 1]], img_shape=(2, 3))])
    padded = torch.tensor([[[0, 1, 1, 255], [0, 0, 1, 255]]])
    expected = GuidanceLoss(loss_weight=2.0)(logits, padded)
    assert losses['loss_guide'].item() == pytest.approx(expected.item())


def test_guide_of_another_size_is_resized_nearest():
    logits = response()[:1]
    losses = head().loss_by_feat(logits, [sample([[0, 1]], img_shape=None)])
    resized = torch.tensor([[[0, 0, 1, 1], [0, 0, 1, 1]]])
    expected = GuidanceLoss(loss_weight=2.0)(logits, resized)
    assert losses['loss_guide'].item() == pytest.approx(expected.item())


def test_sample_without_guide_says_how_to_add_it():
    with pytest.raises(ValueError, match="type='LoadGuidance'") as error:
        head().loss_by_feat(response()[:1], [SegDataSample()])
    assert 'PackGuidedSegInputs' in str(error.value)
    with pytest.raises(ValueError, match='loss_guide=None'):
        head().loss_by_feat(response()[:1], [])


def test_guide_gradient_reaches_the_head():
    model = head()
    features = torch.randn(1, 4, 2, 4)
    logits = model([features])
    losses = model.loss_by_feat(logits, [sample([[0, 0, 1, 1]] * 2)])
    losses['loss_guide'].backward()
    assert model.conv_seg.weight.grad.abs().sum() > 0
