"""tools/analysis_tools/benchmark_quality.py: same images, resume."""
import argparse
import json

import numpy as np
import pytest

from mmdynaseg.utils import supports_autocast

# the shipped per-image configs' steps where the device has bf16 kernels
FAST = 'bfloat16 autocast, compiled, channels-last'


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
        first_image=0,
        num_images=2,
        max_iters=2,
        optimise_scale=None,
        autocast=None,
        checkpoint=None,
        record_iters=[],
        cfg_options=None,
        device='cpu',
        work_dir=str(work_dir),
        progress=False)
    args.update(kwargs)
    return argparse.Namespace(**args)


def forbid_segmenting(benchmark, monkeypatch) -> None:
    """Make every runner fail: a rerun must read each result back."""

    def segment_again(index):
        raise AssertionError('a finished result was computed again')

    monkeypatch.setattr(benchmark, 'network_runner',
                        lambda name, cfg, args, fingerprint: segment_again)
    monkeypatch.setattr(benchmark, 'baseline_runner',
                        lambda name, dataset: segment_again)


@pytest.fixture
def benchmark(load_tool):
    return load_tool('benchmark_quality')


def test_quality_scores_methods_on_the_same_images_and_resumes(
        benchmark, bsds_root, tmp_path, monkeypatch):
    result = benchmark.bench_quality(quality_args(bsds_root, tmp_path / 'q'))
    fast_bf16 = supports_autocast('cpu', 'bfloat16')
    assert result['images'] == ['0', '1']
    assert set(result['results']) == {
        'kmeans_lab', 'dynaseg_fsf+half_scale', 'dynaguide_slic'
    }
    kmeans = result['results']['kmeans_lab']
    assert 0 < kmeans['All'] <= 100 and 'mean_iterations' not in kmeans
    assert kmeans['Mean'] == pytest.approx(
        (kmeans['All'] + kmeans['Fine'] + kmeans['Coarse']) / 3, abs=0.01)
    # the other scoring: each cluster label one segment
    labels = kmeans['cluster_labels']
    assert set(labels) == {'All', 'Fine', 'Coarse', 'Mean'}
    assert 0 < labels['All'] <= 100
    for name in ('dynaseg_fsf+half_scale', 'dynaguide_slic'):
        row = result['results'][name]
        assert row['mean_iterations'] <= 2
        assert 0 <= row['All'] <= 100 and row['seconds_per_image'] > 0
        # each network result names the device (and processor) it ran on
        assert row['devices'] == [benchmark.device_name('cpu')]
        assert row['devices'][0].startswith('cpu (')
        # and how its steps ran there: the shipped fast path where this
        # CPU has bf16 kernels, else float32 eager
        assert row['arithmetic'] == [FAST if fast_bf16 else 'float32, eager']
    assert 'devices' not in kmeans and 'arithmetic' not in kmeans

    # a rerun reads every result back instead of segmenting again
    forbid_segmenting(benchmark, monkeypatch)
    again = benchmark.bench_quality(quality_args(bsds_root, tmp_path / 'q'))
    assert again['results'] == result['results']
    # results saved before devices were recorded say so
    state_path = tmp_path / 'q/quality_per_image.json'
    state = json.loads(state_path.read_text())
    del state['images']['0']['dynaguide_slic']['device']
    del state['images']['0']['dynaguide_slic']['arithmetic']
    state_path.write_text(json.dumps(state))
    mixed = benchmark.bench_quality(quality_args(bsds_root, tmp_path / 'q'))
    assert mixed['results']['dynaguide_slic']['devices'] == [
        benchmark.device_name('cpu'), 'unrecorded'
    ]
    assert mixed['results']['dynaguide_slic']['arithmetic'] == [
        FAST if fast_bf16 else 'float32, eager', 'unrecorded'
    ]


def test_results_of_a_changed_method_config_are_refused(
        benchmark, bsds_root, tmp_path, monkeypatch):
    """Every result records its method's config fingerprint; a rerun after
    the config changed refuses to mix the two (results saved before the
    fingerprint was recorded are kept and say so)."""
    args = quality_args(bsds_root, tmp_path / 'q', methods=['kmeans_lab'])
    first = benchmark.bench_quality(args)
    fingerprint = benchmark.method_fingerprint('kmeans_lab')
    assert first['results']['kmeans_lab']['configs'] == [fingerprint]
    state_path = tmp_path / 'q/quality_per_image.json'
    state = json.loads(state_path.read_text())
    assert {rows['kmeans_lab']['config']
            for rows in state['images'].values()} == {fingerprint}
    del state['images']['0']['kmeans_lab']['config']
    state_path.write_text(json.dumps(state))
    older = benchmark.bench_quality(args)['results']['kmeans_lab']
    assert older['configs'] == [fingerprint, 'unrecorded']
    monkeypatch.setitem(benchmark.BASELINES, 'kmeans_lab',
                        dict(type='KMeansColorGuide', k=5))
    assert benchmark.method_fingerprint('kmeans_lab') != fingerprint
    with pytest.raises(SystemExit, match=r"\['kmeans_lab'\] from configs "
                       'that have changed since'):
        benchmark.bench_quality(args)


def test_a_guided_method_is_compared_with_its_guide_alone(
        benchmark, bsds_root, tmp_path, monkeypatch):
    """dynaguide_slic run beside slic (its guide) gets versus_guide; with
    hand-set best IoUs (every mode the same), components: DynaGuide
    (0.6, 0.6 | 0.3) pools to 50.00, SLIC (0.5, 0.5 | 0.4) to 46.67, +3.33,
    higher on image 0 only; cluster labels: (0.1 | 0.1) 10.00 against
    (0.2 | 0.05) 12.50, -2.50, higher on image 1 only. Rows without their
    guide in the run get none."""
    args = quality_args(bsds_root, tmp_path / 'q',
                        methods=['slic', 'dynaguide_slic', 'kmeans_lab'])
    benchmark.bench_quality(args)
    state_path = tmp_path / 'q/quality_per_image.json'
    state = json.loads(state_path.read_text())
    ious = {
        'dynaguide_slic': ([[0.6, 0.6], [0.3]], [[0.1], [0.1]]),
        'slic': ([[0.5, 0.5], [0.4]], [[0.2], [0.05]]),
    }
    for name, (components, labels) in ious.items():
        for stem, image, image_labels in zip('01', components, labels):
            for mode in ('all', 'fine', 'coarse'):
                state['images'][stem][name][mode] = image
                state['images'][stem][name]['labels_' + mode] = image_labels
    state_path.write_text(json.dumps(state))
    forbid_segmenting(benchmark, monkeypatch)
    results = benchmark.bench_quality(args)['results']
    assert results['dynaguide_slic']['Mean'] == 50.0
    assert results['slic']['Mean'] == 46.67
    assert results['dynaguide_slic']['versus_guide'] == dict(
        guide='slic',
        mean_difference=3.33,
        mean_difference_cluster_labels=-2.5,
        images_higher=1,
        images_higher_cluster_labels=1)
    assert 'versus_guide' not in results['slic']
    assert 'versus_guide' not in results['kmeans_lab']
    # the guide of a method is found in its config, as the baseline's

    def guide_of(name, methods):
        return benchmark.guide_baseline(
            benchmark.quality_config(name, args), methods)

    assert guide_of('dynaguide_kmeans5', [
        'kmeans_lab', 'kmeans5_opencv_lab', 'felzenszwalb'
    ]) == 'kmeans5_opencv_lab'
    assert guide_of('dynaguide_kmeans', ['kmeans_lab']) == 'kmeans_lab'
    assert guide_of('dynaseg_fsf', ['kmeans_lab']) is None


def test_a_run_killed_mid_image_resumes_from_its_snapshot(
        benchmark, bsds_root, tmp_path, monkeypatch, capsys):
    """With a snapshot every step, a run whose process died after step 1
    of image 0 (its snapshot left, its result never saved) resumes it
    there and saves the result of an uninterrupted run. Progress: step 0
    (and every 50th) is reported."""
    from mmdynaseg.utils import SnapshotStore
    args = quality_args(
        bsds_root, tmp_path / 'q', methods=['dynaguide_slic'],
        num_images=1, cfg_options={'model.snapshot_interval': 1})
    whole = benchmark.bench_quality(args)['results']['dynaguide_slic']
    state_path = tmp_path / 'q/quality_per_image.json'
    (saved, ) = json.loads(state_path.read_text())['images']['0'].values()
    assert saved['iterations'] == 2 and 'resumed_from' not in saved
    assert "  0 dynaguide_slic: step 0/2, q'=" in capsys.readouterr().err
    folder = tmp_path / 'q/snapshots' / (
        'dynaguide_slic-' + benchmark.method_fingerprint('dynaguide_slic'))
    assert list(folder.iterdir()) == []  # deleted with the image done
    # the killed run: its snapshot after step 1 kept, no result saved
    monkeypatch.setattr(SnapshotStore, 'remove', lambda self, key: None)
    benchmark.bench_quality(
        argparse.Namespace(**dict(vars(args),
                                  work_dir=str(tmp_path / 'killed'))))
    (snapshot, ) = (tmp_path / 'killed/snapshots' / folder.name).iterdir()
    state_path.unlink()
    snapshot.rename(folder / snapshot.name)
    monkeypatch.undo()
    resumed = benchmark.bench_quality(args)['results']['dynaguide_slic']
    (saved, ) = json.loads(state_path.read_text())['images']['0'].values()
    assert saved['resumed_from'] == 1 and saved['iterations'] == 2
    assert capsys.readouterr().err.rstrip().endswith(
        '2 iterations, resumed from step 1')
    for key in ('All', 'Fine', 'Coarse', 'cluster_labels', 'mean_q_prime'):
        assert resumed[key] == whole[key], key
    assert list(folder.iterdir()) == []


def test_progress_reports_where_a_run_stands_and_computes_nothing(
        benchmark, bsds_root, tmp_path, monkeypatch):
    """--progress reads the work dir alone: per method its finished images,
    each unfinished image's last snapshot and the images not begun."""
    from mmdynaseg.utils import SnapshotStore
    work_dir = tmp_path / 'q'
    benchmark.bench_quality(
        quality_args(bsds_root, work_dir, methods=['kmeans_lab'],
                     num_images=1))
    network = 'dynaseg_fsf+half_scale'
    folder = work_dir / 'snapshots' / (
        f'{network}-{benchmark.method_fingerprint(network)}')
    SnapshotStore(str(folder)).save('1-0123456789ab.pth', 'settings',
                                    dict(steps=50, seconds=12.5))

    def compute(*_):
        raise AssertionError('--progress computed a result')

    monkeypatch.setattr(benchmark, 'network_runner', compute)
    monkeypatch.setattr(benchmark, 'baseline_runner', compute)
    progress = benchmark.bench_quality(
        quality_args(bsds_root, work_dir, methods=['kmeans_lab', network],
                     progress=True))
    assert progress['images'] == ['0', '1']
    kmeans = progress['methods']['kmeans_lab']
    assert kmeans['finished'] == '1 of 2' and kmeans['not_begun'] == ['1']
    assert list(kmeans['images']) == ['0'] and kmeans['snapshots'] == {}
    saved = json.loads((work_dir / 'quality_per_image.json').read_text())
    assert kmeans['images']['0'] == dict(
        seconds=saved['images']['0']['kmeans_lab']['seconds'])
    assert progress['methods'][network] == dict(
        finished='0 of 2',
        images={},
        snapshots={'1': dict(steps=50, seconds=12.5)},
        not_begun=['0'])
    with pytest.raises(SystemExit, match='no run in .*none'):
        benchmark.bench_quality(
            quality_args(bsds_root, tmp_path / 'none', progress=True))
    assert not (tmp_path / 'none').exists()


def test_an_image_that_fails_is_reported_and_left_out(
        benchmark, bsds_root, tmp_path):
    """An unreadable image does not end the run: each method's error is
    listed under 'skipped', every method is scored on the other image, and
    a rerun tries it again."""
    image = bsds_root / 'images/val/0.jpg'
    good = image.read_bytes()
    image.write_bytes(b'not an image')
    args = quality_args(bsds_root, tmp_path / 'q',
                        methods=['kmeans_lab', 'dynaseg_fsf+half_scale'])
    result = benchmark.bench_quality(args)
    assert result['images'] == ['1'] and result['num_images'] == 1
    assert set(result['skipped']) == {'0'}
    for name in ('kmeans_lab', 'dynaseg_fsf+half_scale'):
        assert '0.jpg' in result['skipped']['0'][name]
    state = json.loads((tmp_path / 'q/quality_per_image.json').read_text())
    assert list(state['images']) == ['1']
    image.write_bytes(good)
    again = benchmark.bench_quality(args)
    assert again['images'] == ['0', '1'] and again['skipped'] == {}


def test_first_image_skips_the_images_before_it(benchmark, bsds_root,
                                                tmp_path):
    args = quality_args(
        bsds_root, tmp_path / 'q', methods=['kmeans_lab'], first_image=1,
        num_images=5)
    assert benchmark.bench_quality(args)['images'] == ['1']
    state = json.loads((tmp_path / 'q/quality_per_image.json').read_text())
    assert list(state['images']) == ['1']
    args.first_image = 2  # past the last of the 2 images
    with pytest.raises(SystemExit, match='from image 2 on'):
        benchmark.bench_quality(args)
    args.first_image = -1
    with pytest.raises(SystemExit, match='must be >= 0, got -1'):
        benchmark.bench_quality(args)


def test_quality_refuses_other_settings_in_the_same_work_dir(
        benchmark, bsds_root, tmp_path, monkeypatch):
    first = benchmark.bench_quality(
        quality_args(bsds_root, tmp_path / 'q', methods=['slic']))
    # the same data root written relatively is the same setting
    monkeypatch.chdir(bsds_root.parent)
    again = benchmark.bench_quality(
        quality_args(bsds_root.name, tmp_path / 'q', methods=['slic']))
    assert again['results'] == first['results']
    with pytest.raises(SystemExit, match='other settings'):
        benchmark.bench_quality(
            quality_args(bsds_root, tmp_path / 'q', methods=['slic'],
                         max_iters=3))


def test_runs_with_other_methods_share_a_work_dir(benchmark, bsds_root,
                                                  tmp_path, monkeypatch):
    """A run that saves while another one in the same work dir has saved
    since it started keeps the other's results (one process per core)."""
    work_dir = tmp_path / 'q'
    baseline_runner = benchmark.baseline_runner
    other = {}

    def runner(name, dataset):
        run = baseline_runner(name, dataset)
        if name != 'kmeans_lab':
            return run

        def run_while_slic_finishes(index):
            if index == 0:  # the other process, started after this one
                other.update(
                    benchmark.bench_quality(
                        quality_args(bsds_root, work_dir,
                                     methods=['slic'])))
            return run(index)

        return run_while_slic_finishes

    monkeypatch.setattr(benchmark, 'baseline_runner', runner)
    kmeans = benchmark.bench_quality(
        quality_args(bsds_root, work_dir, methods=['kmeans_lab']))
    state = json.loads((work_dir / 'quality_per_image.json').read_text())
    assert {stem: set(rows) for stem, rows in state['images'].items()} == {
        '0': {'slic', 'kmeans_lab'},
        '1': {'slic', 'kmeans_lab'}
    }
    forbid_segmenting(benchmark, monkeypatch)
    both = benchmark.bench_quality(
        quality_args(bsds_root, work_dir, methods=['slic', 'kmeans_lab']))
    assert both['results'] == dict(other['results'], **kmeans['results'])


@pytest.mark.parametrize('method', ['dynaseg_fsf', 'dynaguide_kmeans'])
def test_amortised_methods_start_from_the_checkpoint(benchmark, bsds_root,
                                                     tmp_path, repo_root,
                                                     method):
    """<method>_refine gets --checkpoint (of <method>'s dataset-level
    config), <method> keeps its fresh start; the checkpoint is part of the
    settings a rerun must repeat."""
    import torch
    from mmengine.registry import init_default_scope
    from mmseg.registry import MODELS

    from mmdynaseg.utils import load_config
    init_default_scope('mmseg')
    cfg = load_config(
        str(repo_root / f'configs/{method}_cnn_bsds500_trained.py'))
    checkpoint = tmp_path / 'trained.pth'
    torch.save(
        dict(state_dict=MODELS.build(cfg.model).state_dict()), checkpoint)
    args = quality_args(
        bsds_root,
        tmp_path / 'q',
        methods=[method, f'{method}_refine'],
        checkpoint=str(checkpoint))
    seen = {}
    original = benchmark.init_model

    def spy(cfg, checkpoint=None, device='cpu'):
        seen[cfg.model.get('init', 'fresh')] = checkpoint
        assert device == args.device  # --device reaches every method
        return original(cfg, checkpoint, device)

    benchmark.init_model = spy
    try:
        result = benchmark.bench_quality(args)
    finally:
        benchmark.init_model = original
    assert seen == {'fresh': None, 'checkpoint_features': str(checkpoint)}
    refined = result['results'][f'{method}_refine']
    assert refined['mean_iterations'] <= 2
    # the rows of refining methods name their start (the plot's lines)
    assert refined['checkpoint'] == str(checkpoint)
    assert 'checkpoint' not in result['results'][method]
    other = tmp_path / 'other.pth'
    other.write_bytes(checkpoint.read_bytes())
    with pytest.raises(SystemExit, match='other settings'):
        benchmark.bench_quality(
            argparse.Namespace(**dict(vars(args), checkpoint=str(other))))
    with pytest.raises(ValueError, match='refines a trained network'):
        benchmark.bench_quality(
            argparse.Namespace(**dict(vars(args), checkpoint=None)))


def test_recorded_steps_score_like_runs_of_that_many_steps(
        benchmark, bsds_root, tmp_path):
    """--record-iters 1 with --max-iters 2 adds the row <method>@T1, equal
    to a run with --max-iters 1; baselines get no such row."""
    methods = ['kmeans_lab', 'dynaseg_fsf+half_scale']
    recorded = benchmark.bench_quality(
        quality_args(bsds_root, tmp_path / 'r', methods=methods,
                     record_iters=[1]))
    assert list(recorded['results']) == [
        'kmeans_lab', 'dynaseg_fsf+half_scale@T1', 'dynaseg_fsf+half_scale'
    ]
    assert recorded['record_iters'] == [1]
    assert recorded['cfg_options'] == {}
    one_step = benchmark.bench_quality(
        quality_args(bsds_root, tmp_path / 'one', methods=methods,
                     max_iters=1))
    at_one = dict(recorded['results']['dynaseg_fsf+half_scale@T1'])
    alone = dict(one_step['results']['dynaseg_fsf+half_scale'])
    for row in (at_one, alone):  # wall time differs, the rest may not
        row.pop('seconds_per_image')
    assert at_one == alone and at_one['mean_iterations'] == 1
    assert (tmp_path / 'r/labels/dynaseg_fsf+half_scale@T1/0.png').is_file()
    with pytest.raises(SystemExit, match='other settings'):
        benchmark.bench_quality(
            quality_args(bsds_root, tmp_path / 'r', methods=methods))


def test_cfg_options_reach_every_method_that_does_not_set_them(benchmark):
    args = argparse.Namespace(
        data_root='data/bsds500', split='val', max_iters=None,
        optimise_scale=None, autocast=None, record_iters=[],
        cfg_options={'model.channels_last': False, 'model.seed': 3})
    fresh = benchmark.quality_config('dynaseg_fsf', args).model
    assert fresh.channels_last is False and fresh.seed == 3
    # a method's own option wins
    own = benchmark.quality_config('dynaseg_fsf+channels_last', args).model
    assert own.channels_last is True and own.seed == 3


def test_amortised_dynaguide_methods_keep_their_meaning(benchmark):
    """The method names of the committed studies: _refine trains the
    features too, _head (the refine config's default) freezes them,
    _whole trains the whole loaded network."""
    args = quality_args('data/bsds500', 'unused')
    models = {
        name: benchmark.quality_config(f'dynaguide_kmeans_{name}', args).model
        for name in ('refine', 'refine_head', 'refine_whole')
    }
    assert [(m.init, m.freeze_features) for m in models.values()] == [
        ('checkpoint_features', False), ('checkpoint_features', True),
        ('checkpoint', False)
    ]


@pytest.mark.parametrize('method', ['felzenszwalb', 'slic'])
def test_superpixel_guided_refinement_replaces_only_the_guide(
        benchmark, method):
    """The refine config's model, its LoadGuidance given the superpixel
    guide whole (no k-means ``k`` left over)."""
    args = quality_args('data/bsds500', 'unused')
    cfg = benchmark.quality_config(
        f'dynaguide_kmeans_refine_head+{method}_guide', args)
    reference = benchmark.quality_config('dynaguide_kmeans_refine_head',
                                         args)
    assert cfg.model == reference.model
    (load, ) = [
        step for step in cfg.test_dataloader.dataset.pipeline
        if step['type'] == 'LoadGuidance'
    ]
    assert load['guide'] == dict(type='SuperpixelGuide', method=method)


def test_methods_from_a_yaml_file_and_a_config_path(benchmark, bsds_root,
                                                     tmp_path, repo_root):
    """--methods-file names more methods (a config and its options, a
    guide); a config path is a method named by its stem; they run like the
    shipped ones."""
    methods = tmp_path / 'methods.yml'
    methods.write_text(
        'per_image:\n'
        '  my_fsf:\n'
        '    config: configs/dynaseg_fsf_cnn_bsds500.py\n'
        '    cfg_options: {model.optimise_scale: 0.5}\n'
        'baselines:\n'
        '  my_kmeans: {type: KMeansColorGuide, k: 3}\n')
    config = str(repo_root / 'configs/dynaseg_scf_cnn_bsds500.py')
    result = benchmark.bench_quality(
        quality_args(bsds_root, tmp_path / 'q',
                     methods=['my_kmeans', 'my_fsf', config],
                     methods_file=str(methods)))
    assert set(result['results']) == {
        'my_kmeans', 'my_fsf', 'dynaseg_scf_cnn_bsds500'
    }
    assert list(result['methods']['dynaseg_scf_cnn_bsds500']) == [config, {}]
    assert list(result['methods']['my_fsf']) == [
        'configs/dynaseg_fsf_cnn_bsds500.py', {'model.optimise_scale': 0.5}
    ]
    assert result['methods']['my_kmeans'] == dict(type='KMeansColorGuide',
                                                  k=3)
    broken = tmp_path / 'broken.yml'
    broken.write_text('per_image:\n  x: {cfg_options: {}}\n')
    with pytest.raises(SystemExit, match='broken.yml.*quality_methods.yml'):
        benchmark.bench_quality(
            quality_args(bsds_root, tmp_path / 'r', methods_file=str(broken)))
