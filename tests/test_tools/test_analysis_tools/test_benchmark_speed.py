"""tools/analysis_tools/benchmark_speed.py."""
import argparse

import pytest

from mmdynaseg.utils import supports_autocast


def test_speed_reports_every_option(load_tool, tiny_images):
    tool = load_tool('benchmark_speed')
    args = argparse.Namespace(
        images=tiny_images(num=1, size=(24, 32)),
        per_image_size=[16, 24],
        iters=1,
        repeats=1,
        dataset_size=32,
        batches=[1, 2],
        sections=list(tool.SECTIONS),
        per_image_options=list(tool.PER_IMAGE_OPTIONS))
    result = tool.bench_speed(args)
    per_image = result['per_image']
    assert per_image['size'] == [16, 24]
    assert per_image['max_iters'] == 1000
    assert per_image['fast_bf16'] is supports_autocast('cpu', 'bfloat16')
    rows = per_image['results']
    assert set(rows) == {
        'plain', 'naive_loop', 'channels_last', 'bf16_autocast', 'compile',
        'optimise_scale_0_5', 'keep_freed_memory', 'default',
        'default+optimise_scale_0_5'
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
    refine = result['refine']
    assert refine['max_iters'] == 30 and refine['size'] == [16, 24]
    assert set(refine['results']) == {'without_keep_freed_memory', 'default'}
    for row in refine['results'].values():
        assert row['per_image_seconds'] == pytest.approx(
            row['per_iteration_ms'] * 30 / 1000, abs=0.1)
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


def test_speed_times_only_the_sections_chosen(load_tool, tiny_images):
    """--sections refine per_image with --per-image-options default: the
    plain row (the speed-ups' reference) is timed too, nothing else."""
    args = argparse.Namespace(
        images=tiny_images(num=1, size=(24, 32)),
        per_image_size=[16, 24],
        iters=1,
        repeats=1,
        sections=['per_image', 'refine'],
        per_image_options=['default'])
    result = load_tool('benchmark_speed').bench_speed(args)
    assert set(result['per_image']['results']) == {
        'plain', 'naive_loop', 'default'
    }
    assert 'refine' in result
    assert 'dataset_images_per_second' not in result
    assert 'train_iteration_seconds' not in result
