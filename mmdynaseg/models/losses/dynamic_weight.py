"""Dynamic weighting of the DynaSeg continuity term (Eq. 8-9)."""
import math
from typing import Optional

import torch
from mmseg.registry import MODELS
from torch import Tensor

POLICIES = ('fixed', 'fsf', 'scf')
DEFAULT_ALPHA = dict(fsf=15.0, scf=50.0)


@MODELS.register_module()
class DynamicWeight(torch.nn.Module):
    """Weight ``mu`` of the spatial-continuity loss in ``L_sim + mu * L_con``.

    Policies:

    - ``'fixed'``: a constant ``mu`` (Kanezaki 2020's fixed trade-off).
    - ``'fsf'`` (feature-similarity focused, Eq. 8): ``mu = q' / alpha``;
      as the number of clusters ``q'`` falls, continuity matters less.
    - ``'scf'`` (spatial-continuity focused, Eq. 9): ``mu = alpha / q'``;
      as ``q'`` falls, continuity matters more.

    ``q'`` is counted per image (the number of distinct labels in that image's
    current argmax), so ``mu`` is one value per image.

    Args:
        policy (str): One of ``'fixed'``, ``'fsf'``, ``'scf'``.
            Defaults to ``'fsf'``.
        alpha (float, optional): ``alpha`` of Eq. 8/9, > 0. Defaults to 15
            for ``'fsf'`` and 50 for ``'scf'`` (paper §4.1).
        mu (float, optional): The constant of the ``'fixed'`` policy, >= 0.
            Defaults to 1.0.
    """

    def __init__(self,
                 policy: str = 'fsf',
                 alpha: Optional[float] = None,
                 mu: Optional[float] = None) -> None:
        super().__init__()
        if policy not in POLICIES:
            raise ValueError(
                f'Unknown dynamic weighting policy {policy!r}. Use one of '
                f"{POLICIES}, e.g. weighting=dict(type='DynamicWeight', "
                "policy='fsf', alpha=15).")
        if policy == 'fixed':
            if alpha is not None:
                raise ValueError("policy='fixed' takes mu, not alpha: "
                                 "use dict(policy='fixed', mu=...).")
            mu = 1.0 if mu is None else float(mu)
            if not (math.isfinite(mu) and mu >= 0):
                raise ValueError(f'mu must be finite and >= 0, got {mu}.')
        else:
            if mu is not None:
                raise ValueError(
                    f'policy={policy!r} computes mu from alpha and q\'; '
                    "drop mu or use policy='fixed'.")
            alpha = DEFAULT_ALPHA[policy] if alpha is None else float(alpha)
            if not (math.isfinite(alpha) and alpha > 0):
                raise ValueError(
                    f'alpha must be finite and > 0 for policy={policy!r}, '
                    f'got {alpha}; the paper uses '
                    f'{DEFAULT_ALPHA[policy]:g}.')
        self.policy = policy
        self.alpha = alpha
        self.mu = mu

    def forward(self, num_clusters: Tensor) -> Tensor:
        """Return ``mu`` for each image.

        Args:
            num_clusters (Tensor): ``q'`` per image, shape (N,), values >= 1.

        Returns:
            Tensor: ``mu`` per image, shape (N,), float, no gradient.
        """
        q = num_clusters.to(torch.float32)
        if self.policy == 'fsf':
            return q / self.alpha
        if self.policy == 'scf':
            return self.alpha / q.clamp(min=1)
        return torch.full_like(q, self.mu)

    def extra_repr(self) -> str:
        """Policy and its parameter, for ``print(model)``."""
        value = f'mu={self.mu}' if self.policy == 'fixed' \
            else f'alpha={self.alpha}'
        return f'policy={self.policy!r}, {value}'
