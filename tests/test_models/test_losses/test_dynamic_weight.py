import pytest
import torch

from mmdynaseg.models.losses import DynamicWeight


def test_fsf_is_q_over_alpha():
    mu = DynamicWeight('fsf', alpha=15)(torch.tensor([30, 15, 3]))
    assert mu.tolist() == pytest.approx([2.0, 1.0, 0.2])


def test_scf_is_alpha_over_q():
    mu = DynamicWeight('scf', alpha=50)(torch.tensor([25, 50, 100]))
    assert mu.tolist() == pytest.approx([2.0, 1.0, 0.5])


def test_paper_default_alphas():
    assert DynamicWeight('fsf').alpha == 15
    assert DynamicWeight('scf').alpha == 50


def test_fixed():
    mu = DynamicWeight('fixed', mu=5)(torch.tensor([1, 7]))
    assert mu.tolist() == [5.0, 5.0]


@pytest.mark.parametrize('kwargs, match', [
    (dict(policy='fast'), "Unknown dynamic weighting policy 'fast'"),
    (dict(policy='fsf', alpha=0), 'alpha must be finite and > 0'),
    (dict(policy='scf', alpha=-1), 'alpha must be finite and > 0'),
    (dict(policy='fsf', alpha=float('nan')), 'alpha must be finite'),
    (dict(policy='scf', alpha=float('inf')), 'alpha must be finite'),
    (dict(policy='fixed', mu=-1), 'mu must be finite and >= 0'),
    (dict(policy='fixed', mu=float('nan')), 'mu must be finite'),
    (dict(policy='fixed', alpha=3), 'takes mu, not alpha'),
    (dict(policy='fsf', mu=3), 'drop mu'),
])
def test_bad_arguments_explain_the_fix(kwargs, match):
    with pytest.raises(ValueError, match=match):
        DynamicWeight(**kwargs)
