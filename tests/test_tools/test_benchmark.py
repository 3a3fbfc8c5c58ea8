import argparse
import importlib.util
import os.path as osp

import mmcv
import numpy as np
import pytest
from sklearn.metrics import silhouette_score

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def load_benchmark():
    """tools/benchmark.py as a module (tools/ is not a package)."""
    spec = importlib.util.spec_from_file_location(
        'benchmark', osp.join(ROOT, 'tools', 'benchmark.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


benchmark = load_benchmark()


def tiny_images(tmp_path, num=2, size=(12, 16)):
    """Glob of ``num`` seeded random PNGs with few distinct colours."""
    rng = np.random.default_rng(0)
    palette = rng.integers(0, 256, size=(6, 3), dtype=np.uint8)
    for i in range(num):
        image = palette[rng.integers(0, len(palette), size=size)]
        mmcv.imwrite(image, str(tmp_path / f'{i}.png'))
    return str(tmp_path / '*.png')


def test_pixel_silhouettes_equal_sklearn_on_all_pixels():
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 4, size=(60, 3)).astype(float)
    points, inverse, counts = np.unique(
        pixels, axis=0, return_inverse=True, return_counts=True)
    inverse = inverse.ravel()
    labelings = [rng.integers(0, k, size=len(points)) for k in (2, 3, 5)]
    scores = benchmark.pixel_silhouettes(points, counts, labelings)
    for labels, score in zip(labelings, scores):
        assert score == pytest.approx(
            silhouette_score(pixels, labels[inverse]), abs=1e-9)


def test_silhouette_reports_both_estimates(tmp_path):
    args = argparse.Namespace(
        images=tiny_images(tmp_path), num_images=2, num_exhaustive=2)
    result = benchmark.bench_silhouette(args)
    assert result['num_images'] == 2
    assert result['median_ms'] > 0 and result['p90_ms'] >= result['median_ms']
    exhaustive = result['exhaustive']
    assert exhaustive['num_images'] == 2
    assert exhaustive['median_ms'] > 0
    assert 0 <= exhaustive['exact_match_fraction'] <= \
        exhaustive['within_1_fraction'] <= 1
    for pair in exhaustive['pairs']:
        assert 3 <= pair['k_subsampled'] <= 26
        assert 3 <= pair['k_exhaustive'] <= 6  # at most 6 distinct colours


def test_silhouette_without_images_says_what_to_pass(tmp_path):
    args = argparse.Namespace(
        images=str(tmp_path / '*.jpg'), num_images=1, num_exhaustive=1)
    with pytest.raises(FileNotFoundError, match='--images'):
        benchmark.bench_silhouette(args)


def test_speed_reports_every_option(tmp_path):
    args = argparse.Namespace(
        images=tiny_images(tmp_path, num=1, size=(24, 32)),
        per_image_size=[16, 24],
        iters=1,
        repeats=1,
        dataset_size=32,
        batches=[1, 2])
    result = benchmark.bench_speed(args)
    per_image = result['per_image']
    assert per_image['size'] == [16, 24]
    assert per_image['max_iters'] == 1000
    rows = per_image['results']
    assert set(rows) == {
        'plain', 'naive_loop', 'channels_last', 'bf16_autocast', 'compile',
        'optimise_scale_0_5', 'default', 'default+optimise_scale_0_5'
    }
    for name, row in rows.items():
        assert row['per_image_seconds'] == pytest.approx(
            row['per_iteration_ms'], abs=0.1)  # x 1000 steps / 1000 ms
        assert row['speedup_vs_plain'] == pytest.approx(
            rows['plain']['per_iteration_ms'] / row['per_iteration_ms'],
            abs=0.01)
        if name != 'naive_loop':
            assert row['first_step_seconds'] > 0
    assert rows['plain']['speedup_vs_plain'] == 1
    assert 'portrait_per_iteration_ms' in rows['default']
    for name in ('dynaseg_fsf_cnn_coco', 'dynaseg_fsf_r18_coco'):
        speeds = result['dataset_images_per_second'][name]
        assert set(speeds) == {
            f'{variant}_batch_{batch}'
            for variant in ('plain', 'bf16+channels_last')
            for batch in (1, 2)
        }
        assert all(value > 0 for value in speeds.values())
    training = result['train_iteration_seconds']
    for variant in ('plain', 'amp', 'amp+channels_last',
                    'amp+channels_last+compile'):
        assert training[variant] > 0
    assert result['peak_rss_mib'] > 0
    assert result['machine']['cpu_count'] >= 1


@pytest.fixture
def bsds_root(tmp_path, write_bsds500):
    """Two 20 x 28 BSDS500 val images of two colour halves, each with one
    annotator drawing the halves."""
    halves = np.ones((20, 28), np.uint16)
    halves[:, 14:] = 2
    images = {}
    for index, colour in enumerate((30, 90)):
        image = np.full((20, 28, 3), colour, np.uint8)
        image[:, 14:] = (40, 200, 220)  # BGR (220, 200, 40) as RGB
        images[str(index)] = image
    return write_bsds500(tmp_path / 'bsds', 'val', images, halves)


def quality_args(bsds_root, work_dir, **kwargs):
    args = dict(
        methods=['kmeans_lab', 'dynaseg_fsf+half_scale', 'dynaguide_slic'],
        data_root=str(bsds_root),
        split='val',
        num_images=2,
        max_iters=2,
        optimise_scale=None,
        autocast=None,
        work_dir=str(work_dir))
    args.update(kwargs)
    return argparse.Namespace(**args)


def test_quality_scores_methods_on_the_same_images_and_resumes(
        bsds_root, tmp_path, monkeypatch):
    result = benchmark.bench_quality(quality_args(bsds_root, tmp_path / 'q'))
    assert result['images'] == ['0', '1']
    assert set(result['results']) == {
        'kmeans_lab', 'dynaseg_fsf+half_scale', 'dynaguide_slic'
    }
    kmeans = result['results']['kmeans_lab']
    assert 0 < kmeans['All'] <= 100 and 'mean_iterations' not in kmeans
    assert kmeans['Mean'] == pytest.approx(
        (kmeans['All'] + kmeans['Fine'] + kmeans['Coarse']) / 3, abs=0.01)
    for name in ('dynaseg_fsf+half_scale', 'dynaguide_slic'):
        row = result['results'][name]
        assert row['mean_iterations'] <= 2
        assert 0 <= row['All'] <= 100 and row['seconds_per_image'] > 0

    # a rerun reads every result back instead of segmenting again
    def segment_again(index):
        raise AssertionError('a finished result was computed again')

    monkeypatch.setattr(benchmark, 'network_runner',
                        lambda name, args: segment_again)
    monkeypatch.setattr(benchmark, 'baseline_runner',
                        lambda name, dataset: segment_again)
    again = benchmark.bench_quality(quality_args(bsds_root, tmp_path / 'q'))
    assert again['results'] == result['results']


def test_quality_refuses_other_settings_in_the_same_work_dir(
        bsds_root, tmp_path):
    benchmark.bench_quality(
        quality_args(bsds_root, tmp_path / 'q', methods=['slic']))
    with pytest.raises(SystemExit, match='other settings'):
        benchmark.bench_quality(
            quality_args(bsds_root, tmp_path / 'q', methods=['slic'],
                         max_iters=3))
