import numpy as np
import pytest
import torch

from mmdynaseg.evaluation import SegmentCoveringMetric
from mmdynaseg.evaluation.metrics import segment_covering_metric
from mmdynaseg.evaluation.metrics.failed_images import drop_failed

# Cluster map; its 4-connected components are A = top-left 2x2 block of 0,
# B = top-right 2x2 block of 1, C = the three 2s, D = the lone 0 at (2, 3)
# (it touches A only diagonally). Without components A and D are one
# segment of 5 pixels.
PRED = [[0, 0, 1, 1],
        [0, 0, 1, 1],
        [2, 2, 2, 0]]
ANNOTATORS = np.array([
    # 2 segments: left half, right half (6 pixels each)
    [[1, 1, 2, 2],
     [1, 1, 2, 2],
     [1, 1, 2, 2]],
    # 3 segments: top two rows (8), C, D
    [[1, 1, 1, 1],
     [1, 1, 1, 1],
     [3, 3, 3, 4]],
    # 2 segments (ties with the first): everything but D (11), D
    [[5, 5, 5, 5],
     [5, 5, 5, 5],
     [5, 5, 5, 7]],
])
# best IoU of each segment of each annotator
WITH_COMPONENTS = [[4 / 6, 4 / 6], [4 / 8, 1, 1], [4 / 11, 1]]
WITHOUT_COMPONENTS = [[4 / 7, 4 / 6], [4 / 8, 1, 1 / 5], [4 / 11, 1 / 5]]


def sample(pred, gt=None, annotators=None, img_path='img.jpg'):
    data = dict(
        pred_sem_seg=dict(data=torch.tensor([pred])), img_path=img_path)
    if gt is not None:
        data['gt_sem_seg'] = dict(data=torch.tensor([gt]))
    if annotators is not None:
        data['gt_annotators'] = annotators
    return data


def evaluate(samples, **kwargs):
    metric = SegmentCoveringMetric(**kwargs)
    metric.process({}, samples)
    return metric.compute_metrics(metric.results)


def expected(per_annotator, suffix=''):
    """All / Fine (annotator 1) / Coarse (annotator 0, first of the tie)."""
    all_ = np.mean(np.concatenate(per_annotator))
    fine, coarse = np.mean(per_annotator[1]), np.mean(per_annotator[0])
    values = dict(All=all_, Fine=fine, Coarse=coarse,
                  Mean=(all_ + fine + coarse) / 3)
    return {key + suffix: 100 * value for key, value in values.items()}


def test_three_annotators_both_scorings_in_one_evaluation():
    m = evaluate([sample(PRED, annotators=ANNOTATORS)])
    assert m == pytest.approx(
        dict(expected(WITH_COMPONENTS),
             **expected(WITHOUT_COMPONENTS, '.labels')))


@pytest.mark.parametrize('scoring, per_annotator, suffix', [
    ('components', WITH_COMPONENTS, ''),
    ('labels', WITHOUT_COMPONENTS, '.labels')])
def test_one_scoring(scoring, per_annotator, suffix):
    m = evaluate([sample(PRED, annotators=ANNOTATORS)], scorings=[scoring])
    assert m == pytest.approx(expected(per_annotator, suffix))


@pytest.mark.parametrize('scorings', [(), ('pixels', )])
def test_unknown_scoring_is_refused(scorings):
    with pytest.raises(ValueError, match='scorings'):
        SegmentCoveringMetric(scorings=scorings)


def test_coarse_tie_goes_to_the_first_annotator():
    m = evaluate([sample(PRED, annotators=ANNOTATORS[[0, 2, 1]])])
    assert m['Coarse'] == pytest.approx(100 * 4 / 6)
    m = evaluate([sample(PRED, annotators=ANNOTATORS[[2, 0, 1]])])
    assert m['Coarse'] == pytest.approx(100 * (4 / 11 + 1) / 2)


def test_segments_are_pooled_over_images_not_averaged_per_image():
    # second image: gt_sem_seg as the one annotator, two segments of
    # best IoU 1/2 each
    m = evaluate([
        sample(PRED, annotators=torch.from_numpy(ANNOTATORS)),
        sample([[0, 0]], gt=[[0, 1]]),
    ])
    scores = np.concatenate(WITH_COMPONENTS)
    assert m['All'] == pytest.approx(100 * (scores.sum() + 1) / 9)
    assert m['Fine'] == pytest.approx(100 * (2.5 + 1) / 5)
    assert m['Coarse'] == pytest.approx(100 * (4 / 3 + 1) / 4)


def test_ignored_pixels_leave_gt_and_prediction():
    # component {1, 2, 3} loses the ignored pixel 2: segment 0 = {0, 1} has
    # best IoU 1/2 with either component, segment 1 = {3} 1/(1 + 2 - 1)
    m = evaluate([sample([[0, 1, 1, 1]], gt=[[0, 0, 255, 1]])],
                 scorings=['components'])
    assert m == pytest.approx(dict(All=50.0, Fine=50.0, Coarse=50.0,
                                   Mean=50.0))
    # ignore_index=None: 255 is a segment like any other
    m = evaluate([sample([[0, 1, 1, 1]], gt=[[0, 0, 255, 1]])],
                 ignore_index=None)
    assert m['All'] == pytest.approx(100 * (1 / 2 + 1 / 3 + 1 / 3) / 3)


def test_image_without_segments_is_skipped_and_logged(monkeypatch):
    logs = []
    monkeypatch.setattr(segment_covering_metric, 'print_log',
                        lambda msg, **kwargs: logs.append(msg))
    m = evaluate([sample([[0, 1]], gt=[[255, 255]]),
                  sample([[0, 1]], gt=[[3, 4]])])
    assert m['All'] == pytest.approx(100.0)
    assert '1 images (1 without a ground-truth segment skipped)' in logs[0]
    assert 'protocol: segment covering' in logs[0]
    nan = evaluate([sample([[0, 1]], gt=[[255, 255]])])
    assert all(np.isnan(value) for value in nan.values())
    assert 'nan' in logs[-1]


def test_results_split_over_ranks_give_the_same_metric():
    samples = [
        sample(PRED, annotators=ANNOTATORS),
        sample([[0, 0]], gt=[[0, 1]]),
        sample([[1, 0, 0]], gt=[[5, 5, 255]]),
    ]
    single = evaluate(samples)
    ranks = [SegmentCoveringMetric() for _ in range(2)]
    ranks[0].process({}, samples[:2])
    ranks[1].process({}, samples[2:])
    gathered = ranks[0].results + ranks[1].results
    assert ranks[0].compute_metrics(gathered) == pytest.approx(single)


def test_size_mismatch_names_the_image():
    with pytest.raises(ValueError, match='bad.jpg'):
        evaluate([sample(PRED, annotators=ANNOTATORS[:, :2],
                         img_path='bad.jpg')])


def test_failed_images_are_left_out_and_reported(caplog):
    """A failed image (FAILED_KEY) is not scored: the score is that of the
    others alone, the log names it, and all images failing is an error."""
    good = sample(PRED, annotators=ANNOTATORS)
    failed = dict(sample(np.zeros((3, 4), int).tolist(),
                         annotators=ANNOTATORS, img_path='bad.jpg'),
                  failed='the loss is nan at step 3')
    assert evaluate([good, failed]) == evaluate([good])
    with pytest.raises(RuntimeError, match='all 1 images failed.*step 3'):
        evaluate([failed])


def test_drop_failed_logs_the_failed_paths(monkeypatch):
    logged = []
    monkeypatch.setattr(
        'mmdynaseg.evaluation.metrics.failed_images.print_log',
        lambda message, **kwargs: logged.append(message))
    results = [{'failed': 'nan', 'img_path': 'a.jpg'}, {'all': 1}, {'all': 2}]
    assert drop_failed(results) == [{'all': 1}, {'all': 2}]
    assert logged == ['1 of 3 images failed and are not scored (the scores '
                      'cover the other 2): a.jpg']
