import pytest
import torch
from mmseg.structures import SegDataSample

from mmdynaseg.models.decode_heads import DynaSegHead


def head(floor=True, policy='fsf', alpha=15.0, q=6):
    return DynaSegHead(
        in_channels=4,
        channels=4,
        num_classes=q,
        silhouette_floor=floor,
        weighting=dict(type='DynamicWeight', policy=policy, alpha=alpha))


def response_with_labels(*label_counts, q=6):
    """One 2 x 4 response per image whose argmax uses ``count`` labels."""
    response = torch.zeros(len(label_counts), q, 2, 4)
    for image, count in enumerate(label_counts):
        for label in range(count):
            response[image, label, label // 4, label % 4] = 1.0
        response[image, 0][response[image].sum(0) == 0] = 1.0
    return response


def samples(*ks):
    return [SegDataSample(metainfo=dict(silhouette_k=k)) for k in ks]


def test_hand_made_response_has_the_intended_labels():
    response = response_with_labels(2, 3)
    assert [len(torch.unique(r.argmax(0))) for r in response] == [2, 3]


def test_k_star_above_q_prime_sets_mu():
    losses = head().loss_by_feat(response_with_labels(2), samples(5))
    assert losses['q_prime'].item() == 2  # the labels, logged unfloored
    assert losses['k_star'].item() == 5
    assert losses['mu'].item() == pytest.approx(5 / 15)


def test_floor_is_per_image_and_keeps_a_larger_q_prime():
    losses = head().loss_by_feat(response_with_labels(2, 4), samples(5, 3))
    # image 0: max(2, 5) = 5; image 1: max(4, 3) = 4
    assert losses['mu'].item() == pytest.approx((5 / 15 + 4 / 15) / 2)
    assert losses['k_star'].item() == pytest.approx(4)


def test_scf_uses_the_floored_q_prime():
    losses = head(policy='scf', alpha=50.0).loss_by_feat(
        response_with_labels(2), samples(5))
    assert losses['mu'].item() == pytest.approx(50 / 5)


def test_floor_off_ignores_k_star():
    losses = head(floor=False).loss_by_feat(
        response_with_labels(2), samples(5))
    assert losses['mu'].item() == pytest.approx(2 / 15)
    assert 'k_star' not in losses


def test_floor_without_k_star_says_to_add_the_hook():
    with pytest.raises(ValueError, match="type='SilhouetteHook'"):
        head().loss_by_feat(response_with_labels(2), [SegDataSample()])
    with pytest.raises(ValueError, match='silhouette_floor=False'):
        head().loss_by_feat(response_with_labels(2), [])
