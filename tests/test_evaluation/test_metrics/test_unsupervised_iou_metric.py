import numpy as np
import pytest
import torch

from mmdynaseg.evaluation import UnsupervisedIoUMetric
from mmdynaseg.evaluation.functional import (match_clusters,
                                             scores_from_confusion)


def sample(pred, gt):
    return dict(
        pred_sem_seg=dict(data=torch.tensor([pred])),
        gt_sem_seg=dict(data=torch.tensor([gt])),
        img_path='img.png',
        seg_map_path='label.png')


def evaluate(samples, classes=('a', 'b'), **kwargs):
    metric = UnsupervisedIoUMetric(**kwargs)
    metric.dataset_meta = dict(classes=classes)
    metric.process({}, samples)
    return metric, metric.compute_metrics(metric.results)


def test_more_clusters_than_classes_and_ignore_pixels():
    # confusion (cluster x class) = [[2, 0], [0, 2], [0, 1]]; the 255
    # pixel is ignored; cluster 2 is unmatched, its pixel is an error.
    _, m = evaluate([sample([[0, 0, 1], [1, 2, 2]],
                            [[0, 0, 1], [1, 1, 255]])])
    assert m['IoU.a'] == pytest.approx(100.0)
    assert m['IoU.b'] == pytest.approx(100 * 2 / 3)
    assert m['mIoU'] == pytest.approx(100 * (1 + 2 / 3) / 2)
    assert m['aAcc'] == pytest.approx(100 * 4 / 5)
    assert m['mAcc'] == pytest.approx(100 * (1 + 2 / 3) / 2)


def test_matching_is_not_by_index():
    # cluster 1 is class a, cluster 0 is class b
    metric, m = evaluate([sample([[1, 1, 0]], [[0, 0, 1]])])
    assert m['mIoU'] == pytest.approx(100.0)
    assert metric.matched_clusters.tolist() == [1, 0]


def test_fewer_clusters_than_classes():
    _, m = evaluate([sample([[0, 0, 0]], [[0, 0, 1]])])
    assert m['IoU.a'] == pytest.approx(100 * 2 / 3)
    assert m['IoU.b'] == 0.0
    assert m['mIoU'] == pytest.approx(100 / 3)
    assert m['aAcc'] == pytest.approx(100 * 2 / 3)


def test_one_matching_over_the_whole_split():
    # Image 2 alone would match cluster 1 -> a and 0 -> b perfectly. Over
    # the split, confusion = [[4, 1], [2, 0]]: one matching 0 -> a, 1 -> b.
    samples = [
        sample([[0, 0, 0, 0]], [[0, 0, 0, 0]]),
        sample([[0, 1, 1]], [[1, 0, 0]]),
    ]
    metric, m = evaluate(samples)
    assert metric.matched_clusters.tolist() == [0, 1]
    assert m['IoU.a'] == pytest.approx(100 * 4 / (6 + 5 - 4))
    assert m['IoU.b'] == 0.0
    assert m['aAcc'] == pytest.approx(100 * 4 / 7)


def test_results_split_over_ranks_give_the_same_metric():
    samples = [
        sample([[0, 3, 3]], [[0, 1, 1]]),
        sample([[2, 2, 0]], [[1, 1, 0]]),
        sample([[1, 1]], [[0, 255]]),
    ]
    single, expected = evaluate(samples)
    rank0, rank1 = UnsupervisedIoUMetric(), UnsupervisedIoUMetric()
    for metric, part in ((rank0, samples[:1]), (rank1, samples[1:])):
        metric.dataset_meta = dict(classes=('a', 'b'))
        metric.process({}, part)
    # what BaseMetric.evaluate gathers from two ranks
    gathered = rank0.results + rank1.results
    assert rank0.compute_metrics(gathered) == pytest.approx(expected)


def test_label_outside_classes_names_the_file():
    with pytest.raises(ValueError, match='label.png'):
        evaluate([sample([[0, 0]], [[0, 7]])])


def test_size_mismatch_names_the_file():
    bad = sample([[0, 0]], [[0]])
    with pytest.raises(ValueError, match='img.png'):
        evaluate([bad])


def test_functional_matching_rectangular():
    confusion = np.array([[0, 5], [4, 0], [1, 1]])
    assert match_clusters(confusion).tolist() == [1, 0]
    assert match_clusters(confusion.T).tolist() == [1, 0, -1]
    scores, _ = scores_from_confusion(confusion.T)
    assert scores['IoU'][2] == 0.0  # class 2 has pixels, no cluster
