"""Losses of DynaSeg."""
from .dynamic_weight import DynamicWeight
from .feature_similarity_loss import FeatureSimilarityLoss
from .guidance_loss import GuidanceLoss
from .huber_continuity_loss import HuberContinuityLoss
from .spatial_continuity_loss import SpatialContinuityLoss

__all__ = [
    'DynamicWeight', 'FeatureSimilarityLoss', 'GuidanceLoss',
    'HuberContinuityLoss', 'SpatialContinuityLoss'
]
