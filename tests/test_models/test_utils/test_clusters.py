import torch

from mmdynaseg.models.utils import count_clusters


def test_counts_distinct_labels_per_image():
    labels = torch.tensor([[[0, 0], [0, 0]], [[1, 4], [4, 2]]])
    assert count_clusters(labels, 5).tolist() == [1, 3]
