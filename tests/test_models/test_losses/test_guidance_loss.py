import math
from unittest import mock

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmseg.registry import MODELS

import mmdynaseg.models.losses.guidance_loss as guidance_module
from mmdynaseg.models.losses import GuidanceLoss
from mmdynaseg.models.losses.guidance_loss import (
    match_pseudo_labels, pair_pseudo_labels_by_index)

Q = 6
GOOD = math.log(1 + 5 * math.exp(-10))  # CE of a logit-10 argmax target
BAD = math.log(math.exp(10) + 5)  # CE of a logit-0 target


def approx(value):
    return pytest.approx(value, rel=1e-3)  # float32 logsumexp


def one_hot_response(clusters, scale=10.0):
    """(1, Q, H, W) response with logit ``scale`` at the given clusters."""
    clusters = torch.as_tensor(clusters)
    return F.one_hot(clusters, Q).permute(2, 0, 1)[None].float() * scale


# left half cluster 5, right half cluster 2; guide: left 0, right 1
CLUSTERS = [[5, 5, 2, 2], [5, 5, 2, 2]]
GUIDE = torch.tensor([[[0, 0, 1, 1], [0, 0, 1, 1]]])


def test_overlap_matching_beats_index_order():
    response = one_hot_response(CLUSTERS)
    loss = GuidanceLoss()(response, GUIDE)
    # matched 0 -> 5, 1 -> 2: every target is the pixel's own argmax
    assert loss.item() == approx(GOOD)
    # the published index order pairs sorted pseudo-labels (0, 1) with
    # sorted clusters (2, 5): 0 -> 2, 1 -> 5, the wrong regions
    wrong = GuidanceLoss(matching='index')(response, GUIDE)
    assert wrong.item() == approx(BAD)


def test_index_matching_wraps_around_the_clusters():
    # pseudo-labels 3 < 4 < 9 and clusters 1 < 5: 3 -> 1, 4 -> 5, 9 -> 1
    clusters = torch.tensor([[5, 5, 1, 1, 1, 5]])
    guide = torch.tensor([[3, 4, 9, 9, 255, 4]])
    labels, mapped = pair_pseudo_labels_by_index(guide, clusters, 255)
    assert labels.tolist() == [3, 4, 9] and mapped.tolist() == [1, 5, 1]
    response = one_hot_response(clusters)
    loss = GuidanceLoss(matching='index')(response, guide[None])
    # targets 1 5 1 1 . 5 against argmax 5 5 1 1 . 5: one pixel of five
    assert loss.item() == approx((BAD + 4 * GOOD) / 5)


def test_more_pseudo_labels_than_clusters_take_max_overlap():
    # clusters 0 0 0 1 1 1, guide 0 0 1 1 1 2: overlap rows
    # (2, 0), (1, 2), (0, 1); the assignment 0 -> 0, 1 -> 1 (overlap 4)
    # leaves label 2 out, which goes to its max-overlap cluster 1
    clusters = torch.tensor([[0, 0, 0, 1, 1, 1]])
    guide = torch.tensor([[0, 0, 1, 1, 1, 2]])
    labels, mapped = match_pseudo_labels(guide, clusters, 255)
    assert labels.tolist() == [0, 1, 2] and mapped.tolist() == [0, 1, 1]
    response = torch.randn(
        1, Q, 1, 6, generator=torch.Generator().manual_seed(0))
    response[0, :2, 0] += 20 * F.one_hot(clusters[0], 2).T  # argmax
    expected = F.cross_entropy(response, torch.tensor([[[0, 0, 1, 1, 1, 1]]]))
    loss = GuidanceLoss()(response, guide[None])
    assert loss.item() == pytest.approx(expected.item())


def test_ignore_pixels_are_left_out_of_matching_and_loss():
    response = torch.randn(2, Q, 2, 4,
                           generator=torch.Generator().manual_seed(1))
    guide = torch.full((2, 2, 4), 255)
    guide[0, :, :2] = 7  # image 0: one pseudo-label on the left half
    loss = GuidanceLoss(loss_weight=2.0)(response, guide, reduction='none')
    left = response[0, :, :, :2]
    cluster = torch.bincount(left.argmax(0).flatten()).argmax()
    target = torch.full((1, 2, 2), int(cluster))
    expected = F.cross_entropy(left[None], target)
    assert loss[0].item() == pytest.approx(2 * expected.item())
    assert loss[1].item() == 0  # every pixel ignored: 0, not NaN
    labels, _ = match_pseudo_labels(guide[0], response[0].argmax(0), 255)
    assert labels.tolist() == [7]


def test_remap_interval_caches_the_mapping_per_key():
    response = one_hot_response(CLUSTERS)
    swapped = one_hot_response([[2, 2, 5, 5], [2, 2, 5, 5]])
    loss = GuidanceLoss(remap_interval=3)
    with mock.patch.object(guidance_module, 'max_overlap_matching',
                           wraps=guidance_module.max_overlap_matching) as lsa:
        assert loss(response, GUIDE, keys=['a']).item() == approx(GOOD)
        # calls 2 and 3 reuse 0 -> 5, 1 -> 2 although the clusters swapped
        for _ in range(2):
            stale = loss(swapped, GUIDE, keys=['a']).item()
            assert stale == approx(BAD)
        assert lsa.call_count == 1
        # call 4 rematches
        assert loss(swapped, GUIDE, keys=['a']).item() == approx(GOOD)
        assert lsa.call_count == 2
        # another key and calls without keys match on their own
        assert loss(swapped, GUIDE, keys=['b']).item() == approx(GOOD)
        loss(swapped, GUIDE)
        assert lsa.call_count == 4
        # a cached mapping serves a guide showing only some of its labels
        left = torch.tensor([[[0, 0], [0, 0]]])
        assert loss(swapped[..., :2], left, ['a']).item() == approx(GOOD)
        assert lsa.call_count == 4
        # a pseudo-label the cached mapping lacks forces a rematch
        loss(swapped, torch.tensor([[[0, 0, 3, 3], [0, 0, 3, 3]]]), ['a'])
        assert lsa.call_count == 5


def test_default_interval_rematches_every_call():
    loss = GuidanceLoss()
    with mock.patch.object(guidance_module, 'max_overlap_matching',
                           wraps=guidance_module.max_overlap_matching) as lsa:
        for _ in range(3):
            loss(one_hot_response(CLUSTERS), GUIDE, keys=['a'])
    assert lsa.call_count == 3


def test_gradient_flows_to_the_response_only():
    response = one_hot_response(CLUSTERS, scale=1.0).requires_grad_(True)
    GuidanceLoss()(response, GUIDE).backward()
    assert response.grad.abs().sum() > 0


def test_registered_and_checks_arguments():
    loss = MODELS.build(dict(type='GuidanceLoss', remap_interval=5))
    assert loss.remap_interval == 5 and loss.loss_name == 'loss_guide'
    with pytest.raises(ValueError, match='remap_interval'):
        GuidanceLoss(remap_interval=0)
    with pytest.raises(ValueError, match='matching'):
        GuidanceLoss(matching='sorted')
    with pytest.raises(ValueError, match='reduction'):
        GuidanceLoss(reduction='sum')
    with pytest.raises(ValueError, match='does not match'):
        GuidanceLoss()(torch.zeros(1, Q, 2, 4), torch.zeros(1, 2, 3))
    assert np.isclose(
        GuidanceLoss(reduction='none')(one_hot_response(CLUSTERS),
                                       GUIDE).shape[0], 1)


def test_matched_target_and_shared_log_probs_give_the_same_loss():
    """batch_targets maps guide 0 -> cluster 5, 1 -> 2 (the overlap);
    the loss from those targets and a shared log_softmax is the same."""
    loss = GuidanceLoss()
    response = one_hot_response(CLUSTERS)
    target = loss.batch_targets(response, GUIDE)
    assert target.tolist() == [CLUSTERS]
    assert loss(response, target=target).item() == approx(GOOD)
    assert loss(
        response,
        target=target,
        log_probs=torch.log_softmax(response, dim=1)).item() == \
        loss(response, GUIDE).item()
    with pytest.raises(ValueError, match='exactly one'):
        loss(response, GUIDE, target=target)
    with pytest.raises(ValueError, match='exactly one'):
        loss(response)
