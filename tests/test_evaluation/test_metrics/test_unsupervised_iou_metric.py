import numpy as np
import pytest
import torch

from mmdynaseg.evaluation import UnsupervisedIoUMetric
from mmdynaseg.evaluation.functional import (match_clusters,
                                             scores_from_confusion)
from mmdynaseg.evaluation.metrics import unsupervised_iou_metric


def sample(pred, gt):
    return dict(
        pred_sem_seg=dict(data=torch.tensor([pred])),
        gt_sem_seg=dict(data=torch.tensor([gt])),
        img_path='img.png',
        seg_map_path='label.png')


def capture_logs(monkeypatch):
    logs = []
    monkeypatch.setattr(unsupervised_iou_metric, 'print_log',
                        lambda msg, **kwargs: logs.append(msg))
    return logs


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


def test_unknown_protocol_names_the_valid_ones():
    with pytest.raises(ValueError, match="'dataset', 'per_image'"):
        UnsupervisedIoUMetric(protocol='image')


def test_per_image_matching_and_averaging(monkeypatch):
    logs = capture_logs(monkeypatch)
    samples = [
        # clusters x classes = [[2, 0], [1, 2]] (a, b): 0 -> a, 1 -> b;
        # IoU a = 2/3, b = 2/3; Acc a = 2/3, b = 1; aAcc = 4/5
        sample([[0, 0, 1, 1, 1]], [[0, 0, 0, 1, 1]]),
        # only class c (the 255 pixel is ignored): 0 -> c, all right
        sample([[0, 0, 1]], [[2, 2, 255]]),
        # no labelled pixel: skipped
        sample([[0, 1]], [[255, 255]]),
    ]
    metric, m = evaluate(
        samples, classes=('a', 'b', 'c', 'd'), protocol='per_image')
    assert m['mIoU'] == pytest.approx(100 * (2 / 3 + 1) / 2)
    assert m['mAcc'] == pytest.approx(100 * ((2 / 3 + 1) / 2 + 1) / 2)
    assert m['aAcc'] == pytest.approx(100 * (4 / 5 + 1) / 2)
    assert m['IoU.a'] == pytest.approx(100 * 2 / 3)
    assert m['IoU.b'] == pytest.approx(100 * 2 / 3)
    assert m['IoU.c'] == pytest.approx(100.0)
    assert np.isnan(m['IoU.d'])  # d never occurs, and a warning says so
    assert metric.matched_clusters is None
    text = '\n'.join(logs)
    assert '1 of 3 images have no labelled pixel' in text
    assert 'IoU.d undefined (nan)' in text
    assert 'protocol: per-image Hungarian over the classes present' in text


def test_per_image_leaves_absent_classes_out_of_the_matching():
    # Only a is present. Matching a and b would give cluster 1 to the
    # absent b (IoU 0) and mIoU (1/2 + 0) / 2; per image only a counts.
    _, m = evaluate([sample([[0, 1]], [[0, 0]])], protocol='per_image')
    assert m['mIoU'] == pytest.approx(50.0)
    assert m['aAcc'] == pytest.approx(50.0)
    assert np.isnan(m['IoU.b'])
    _, dataset = evaluate([sample([[0, 1]], [[0, 0]])])
    assert dataset['mIoU'] == pytest.approx(25.0)


def test_per_image_all_scores_absent_classes_like_the_reference():
    """Image 1: only a, clusters 0 and 1 of one pixel each. All classes
    are matched: a gets one cluster (IoU 1/2), the absent b the other, which
    has a pixel (IoU 0): mIoU 1/4 (present classes only: 1/2). Image 2: a
    and b both right: 1. The absent c has no cluster left (K = 2): its IoU
    is undefined and left out."""
    samples = [sample([[0, 1]], [[0, 0]]), sample([[0, 0, 1]], [[0, 0, 1]])]
    classes = ('a', 'b', 'c')
    _, m = evaluate(samples, classes=classes, protocol='per_image_all')
    assert m['mIoU'] == pytest.approx(100 * (1 / 4 + 1) / 2)
    assert m['mAcc'] == pytest.approx(100 * (1 / 2 + 1) / 2)
    assert m['aAcc'] == pytest.approx(100 * (1 / 2 + 1) / 2)
    assert m['IoU.b'] == pytest.approx(100 * (0 + 1) / 2)
    assert np.isnan(m['IoU.c'])
    _, present = evaluate(samples, classes=classes, protocol='per_image')
    assert present['mIoU'] == pytest.approx(100 * (1 / 2 + 1) / 2)
    assert present['IoU.b'] == pytest.approx(100.0)


def test_dataset_protocol_logs_its_name(monkeypatch):
    logs = capture_logs(monkeypatch)
    evaluate([sample([[0, 1]], [[0, 1]])])
    assert 'protocol: dataset-level Hungarian (PiCIE/STEGO)' in logs[0]


THINGS_STUFF = dict(
    classes=('person', 'car', 'sky'), thing_ids=(0, 1), stuff_ids=[2])
# clusters x classes = [[0, 0, 2], [0, 2, 1], [3, 0, 0]]: matching
# 2 -> person (IoU 1), 1 -> car (2/3), 0 -> sky (2/3). Things are the
# classes person and car, whatever their clusters' indices: by cluster
# index (0, 1 = things) mIoU.things would be (2/3 + 2/3) / 2 instead.
MIXED = sample([[2, 2, 2, 0, 0, 1, 1, 1]], [[0, 0, 0, 2, 2, 2, 1, 1]])
# only sky: cluster 0 -> sky, IoU 3/4, no thing pixel
SKY = sample([[0, 0, 0, 1]], [[2, 2, 2, 2]])


def test_things_and_stuff_by_ground_truth_class():
    metric = UnsupervisedIoUMetric()
    metric.dataset_meta = THINGS_STUFF
    metric.process({}, [MIXED])
    m = metric.compute_metrics(metric.results)
    assert metric.matched_clusters.tolist() == [2, 1, 0]
    assert m['mIoU.things'] == pytest.approx(100 * (1 + 2 / 3) / 2)
    assert m['mIoU.stuff'] == pytest.approx(100 * 2 / 3)
    assert m['aAcc.things'] == pytest.approx(100.0)  # 5 of 5 thing pixels
    assert m['aAcc.stuff'] == pytest.approx(100 * 2 / 3)
    assert m['mIoU'] == pytest.approx(100 * 7 / 9)


def test_things_and_stuff_per_image_average_over_images_with_them():
    metric = UnsupervisedIoUMetric(protocol='per_image')
    metric.dataset_meta = THINGS_STUFF
    metric.process({}, [MIXED, SKY])
    m = metric.compute_metrics(metric.results)
    # things: only the first image has thing pixels
    assert m['mIoU.things'] == pytest.approx(100 * 5 / 6)
    assert m['aAcc.things'] == pytest.approx(100.0)
    assert m['mIoU.stuff'] == pytest.approx(100 * (2 / 3 + 3 / 4) / 2)
    assert m['aAcc.stuff'] == pytest.approx(100 * (2 / 3 + 3 / 4) / 2)
    assert m['mIoU'] == pytest.approx(100 * (7 / 9 + 3 / 4) / 2)
    assert m['aAcc'] == pytest.approx(100 * (7 / 8 + 3 / 4) / 2)
    assert m['IoU.sky'] == pytest.approx(100 * (2 / 3 + 3 / 4) / 2)


def test_no_thing_pixel_gives_a_named_nan(monkeypatch):
    logs = capture_logs(monkeypatch)
    metric = UnsupervisedIoUMetric()
    metric.dataset_meta = THINGS_STUFF
    metric.process({}, [SKY])
    m = metric.compute_metrics(metric.results)
    assert np.isnan(m['aAcc.things']) and np.isnan(m['IoU.person'])
    assert 'aAcc.things' in logs[-1] and 'nan' in logs[-1]
    assert m['mIoU.stuff'] == pytest.approx(75.0)


@pytest.mark.parametrize('meta, match', [
    (dict(thing_ids=[0]), 'stuff_ids'),
    (dict(thing_ids=[0], stuff_ids=[3]), 'stuff_ids'),
    (dict(thing_ids=[0, 1], stuff_ids=[1]), 'both'),
])
def test_bad_thing_stuff_ids(meta, match):
    metric = UnsupervisedIoUMetric()
    metric.dataset_meta = dict(classes=('a', 'b', 'c'), **meta)
    with pytest.raises(ValueError, match=match):
        metric.process({}, [sample([[0]], [[0]])])


@pytest.mark.parametrize('protocol', ['dataset', 'per_image', 'per_image_all'])
def test_things_stuff_split_over_ranks(protocol):
    samples = [MIXED, SKY, sample([[1, 0]], [[1, 255]])]
    metric = UnsupervisedIoUMetric(protocol=protocol)
    metric.dataset_meta = THINGS_STUFF
    metric.process({}, samples)
    expected = metric.compute_metrics(metric.results)
    ranks = [UnsupervisedIoUMetric(protocol=protocol) for _ in range(2)]
    for rank, part in zip(ranks, (samples[:2], samples[2:])):
        rank.dataset_meta = THINGS_STUFF
        rank.process({}, part)
    gathered = ranks[0].results + ranks[1].results
    assert ranks[1].compute_metrics(gathered) == pytest.approx(expected)


@pytest.mark.parametrize('protocol', ['dataset', 'per_image'])
def test_a_failed_image_is_left_out(protocol):
    """A failed image's one-cluster map would be matched and scored as a
    prediction; it is left out instead, so the score is the other's."""
    good = sample([[1, 1, 0]], [[0, 0, 1]])
    failed = dict(sample([[0, 0, 0]], [[0, 1, 1]]), failed='loss is nan')
    _, alone = evaluate([good], protocol=protocol)
    _, both = evaluate([good, failed], protocol=protocol)
    assert both == alone and alone['mIoU'] == pytest.approx(100.0)


@pytest.mark.parametrize('protocol', ['dataset', 'per_image_all'])
def test_things_stuff_by_cluster_index_as_the_reference(protocol):
    """things_stuff='cluster_index': the blocks of cluster indices 0-1 and
    2 (2 thing and 1 stuff classes) are scored as the reference evaluator
    does, here classes 1 and 0 in the things block (hand-computed in
    test_cluster_block_scores.py); by class, class 1 is stuff."""
    # (cluster, class) pixel counts: [[1, 5, 0], [4, 0, 2], [0, 1, 3]]
    pairs = ([(0, 0)] + [(0, 1)] * 5 + [(1, 0)] * 4 + [(1, 2)] * 2 +
             [(2, 1)] + [(2, 2)] * 3)
    pred, gt = (list(column) for column in zip(*pairs))
    metric = UnsupervisedIoUMetric(protocol=protocol,
                                   things_stuff='cluster_index')
    metric.dataset_meta = dict(classes=('a', 'b', 'c'), thing_ids=[0, 2],
                               stuff_ids=[1])
    metric.process({}, [sample([pred], [gt])])
    m = metric.compute_metrics(metric.results)
    assert m['mIoU.things'] == pytest.approx(100 * (5 / 6 + 4 / 5) / 2)
    assert m['aAcc.things'] == pytest.approx(90.0)
    assert m['mIoU.stuff'] == pytest.approx(100.0)
    by_class = evaluate([sample([pred], [gt])], classes=('a', 'b', 'c'),
                        protocol=protocol)[1]
    assert by_class['mIoU'] == m['mIoU']


def test_things_stuff_by_cluster_index_needs_the_groups():
    with pytest.raises(ValueError, match='things_stuff'):
        UnsupervisedIoUMetric(things_stuff='index')
    metric = UnsupervisedIoUMetric(things_stuff='cluster_index')
    metric.dataset_meta = dict(classes=('a', 'b'))
    with pytest.raises(ValueError, match='needs dataset_meta thing_ids'):
        metric.process({}, [sample([[0, 1]], [[0, 1]])])
        metric.compute_metrics(metric.results)
