"""tools/analysis_tools/plot_quality_vs_seconds.py."""
import pytest
from PIL import Image


def run(max_iters, images=('a', 'b')):
    """A benchmark_quality result: one network method, one baseline."""
    return dict(
        split='val',
        num_images=len(images),
        images=list(images),
        max_iters=max_iters,
        results=dict(
            dynaseg_fsf=dict(
                Mean=20.0 + max_iters,
                seconds_per_image=float(max_iters),
                mean_iterations=max_iters),
            kmeans_lab=dict(Mean=30.0, seconds_per_image=0.1)))


def test_one_line_per_method_through_its_runs(load_tool, tmp_path):
    tool = load_tool('plot_quality_vs_seconds')
    points = tool.collect([run(20), run(5)], 'Mean')
    assert points == {
        'dynaseg_fsf': [(5.0, 25.0, 5), (20.0, 40.0, 20)],
        'kmeans_lab': [(0.1, 30.0, 0)],  # the same in both runs
    }
    out = tmp_path / 'plot.png'
    tool.plot(points, 'Mean', 'title', str(out))
    assert Image.open(out).size[0] > 100


def test_recorded_rows_and_checkpoints(load_tool):
    """<method>@T<T> rows join their method's line at T; a refining method
    gets a line per checkpoint."""
    tool = load_tool('plot_quality_vs_seconds')
    recorded = run(20)
    recorded['results']['dynaseg_fsf@T1'] = dict(
        Mean=21.0, seconds_per_image=1.0, mean_iterations=1)
    refined = dict(
        run(5)['results']['dynaseg_fsf'], checkpoint='work/iter_300.pth')
    recorded['results']['dynaseg_fsf_refine@T5'] = refined
    points = tool.collect([recorded], 'Mean')
    assert points['dynaseg_fsf'] == [(1.0, 21.0, 1), (20.0, 40.0, 20)]
    assert points['dynaseg_fsf_refine (iter_300)'] == [(5.0, 25.0, 5)]


def test_runs_on_other_images_are_refused(load_tool):
    tool = load_tool('plot_quality_vs_seconds')
    with pytest.raises(ValueError, match='different images'):
        tool.collect([run(5), run(20, images=('a', 'c'))], 'Mean')


def test_differing_options_split_lines_and_baselines_merge(load_tool):
    """A --cfg-options setting that differs between runs names the lines
    of each run; shared ones do not; a baseline timed in two runs is one
    marker at its mean seconds."""
    tool = load_tool('plot_quality_vs_seconds')
    eval_mode, train_mode = run(5), run(5)
    eval_mode['cfg_options'] = {'model.channels_last': False}
    train_mode['cfg_options'] = {
        'model.channels_last': False,
        'model.predict_mode': 'train'
    }
    train_mode['results']['dynaseg_fsf']['Mean'] = 27.0
    train_mode['results']['kmeans_lab']['seconds_per_image'] = 0.3
    assert tool.shared_options([eval_mode, train_mode]) == {
        'model.channels_last': False
    }
    points = tool.collect([eval_mode, train_mode], 'Mean')
    assert points == {
        'dynaseg_fsf': [(5.0, 25.0, 5)],
        'dynaseg_fsf (model.predict_mode=train)': [(5.0, 27.0, 5)],
        'kmeans_lab': [(pytest.approx(0.2), 30.0, 0)],
    }


def test_differing_optimise_scales_split_lines(load_tool):
    """Runs at another --optimise-scale (None: 1, full size) name their
    network lines with it; baselines do not depend on it."""
    tool = load_tool('plot_quality_vs_seconds')
    half, full = run(5), run(5)
    half['optimise_scale'] = 0.5
    full['optimise_scale'] = None
    full['results']['dynaseg_fsf']['Mean'] = 29.0
    points = tool.collect([half, full], 'Mean')
    assert points == {
        'dynaseg_fsf (optimise_scale=0.5)': [(5.0, 25.0, 5)],
        'dynaseg_fsf (optimise_scale=1)': [(5.0, 29.0, 5)],
        'kmeans_lab': [(0.1, 30.0, 0)],
    }
    assert tool.collect([half, dict(half)], 'Mean')['dynaseg_fsf'] == [
        (5.0, 25.0, 5)
    ]


def test_labels_name_each_runs_line(load_tool):
    """--labels: one name per run replaces the method and settings; a run
    with two per-image methods prefixes them with it."""
    tool = load_tool('plot_quality_vs_seconds')
    two = run(20)
    two['results']['dynaguide_kmeans'] = dict(
        Mean=33.0, seconds_per_image=3.0, mean_iterations=20)
    points = tool.collect([run(5), two], 'Mean', ['fresh', 'both'])
    assert points == {
        'fresh': [(5.0, 25.0, 5)],
        'both: dynaseg_fsf': [(20.0, 40.0, 20)],
        'both: dynaguide_kmeans': [(3.0, 33.0, 20)],
        'kmeans_lab': [(0.1, 30.0, 0)],
    }
    with pytest.raises(ValueError, match='2 names for 1 runs'):
        tool.collect([run(5)], 'Mean', ['a', 'b'])
