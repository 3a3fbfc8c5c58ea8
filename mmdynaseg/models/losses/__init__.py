"""Losses of DynaSeg."""
from .dynamic_weight import DynamicWeight
from .feature_similarity_loss import FeatureSimilarityLoss
from .spatial_continuity_loss import SpatialContinuityLoss

__all__ = ['DynamicWeight', 'FeatureSimilarityLoss', 'SpatialContinuityLoss']
