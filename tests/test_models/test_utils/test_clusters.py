import pytest
import torch

from mmdynaseg.models.utils import cluster_labels, count_clusters


def test_counts_distinct_labels_per_image():
    labels = torch.tensor([[[0, 0], [0, 0]], [[1, 4], [4, 2]]])
    assert count_clusters(labels, 5).tolist() == [1, 3]


def test_cluster_labels_take_the_first_channel_of_a_tied_maximum():
    # one image, 3 channels, 1 x 3 pixels: a clear maximum in channel 2,
    # a tie of channels 0 and 1, a tie of all three
    response = torch.tensor([[[[0.0, 5.0, 1.0]], [[1.0, 5.0, 1.0]],
                              [[3.0, 2.0, 1.0]]]])
    labels = cluster_labels(response.requires_grad_())
    assert labels.tolist() == [[[2, 0, 0]]]
    assert labels.dtype == torch.int64 and not labels.requires_grad


@pytest.mark.parametrize('memory_format',
                         [torch.contiguous_format, torch.channels_last])
def test_cluster_labels_are_the_argmax(memory_format):
    response = torch.randn(2, 7, 5, 6, generator=torch.Generator().manual_seed(
        0)).round().contiguous(memory_format=memory_format)  # many ties
    assert torch.equal(cluster_labels(response), response.argmax(dim=1))
