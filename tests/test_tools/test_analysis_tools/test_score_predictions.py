"""tools/analysis_tools/score_predictions.py: label maps of any encoding
scored against BSDS500 ground truth, both scorings."""
import json

import numpy as np
import pytest
from PIL import Image


@pytest.fixture(scope='module')
def tool(load_tool):
    return load_tool('score_predictions')


@pytest.fixture
def root(tmp_path, write_bsds500):
    """One 24 x 24 val image; its annotator draws the left and right
    halves (288 pixels each)."""
    halves = np.ones((24, 24), np.uint16)
    halves[:, 12:] = 2
    return write_bsds500(tmp_path / 'bsds', 'val',
                         {'img': np.zeros((24, 24, 3), np.uint8)}, halves)


def split_cluster() -> np.ndarray:
    """Cluster 0: the left half and columns 20-23 (288 + 96 px); cluster
    1: columns 12-19 (192 px)."""
    labels = np.zeros((24, 24), np.uint8)
    labels[:, 12:20] = 1
    return labels


def scores(tool, folder, root, maps):
    folder.mkdir()
    for name, image in maps.items():
        image.save(folder / name)
    return tool.score_predictions(str(folder), str(root), 'val')


def test_hand_computed_scores_of_every_encoding(tool, tmp_path, root):
    """Labels: left GT 288/384 = .75, right 192/288 = .667 -> 70.83.
    Components: the left half alone -> 1.0, right .667 -> 83.33."""
    labels = split_cluster()
    colours = np.array([(10, 200, 30), (250, 0, 0)], np.uint8)[labels]
    palettised = Image.fromarray(labels, mode='P')
    palettised.putpalette([10, 200, 30, 250, 0, 0] + [0] * 762)
    encodings = {
        'grey': Image.fromarray(labels),
        'grey16': Image.fromarray(labels.astype(np.uint16) * 300),
        'palettised': palettised,
        'rgb': Image.fromarray(colours),
        'half size': Image.fromarray(labels[::2, ::2]),
    }
    for name, image in encodings.items():
        result = scores(tool, tmp_path / name.replace(' ', '_'), root,
                        {'img.png': image})
        metrics = result['metrics']
        assert result['images'] == ['img'], name
        for mode in ('All', 'Fine', 'Coarse', 'Mean'):
            assert metrics[mode] == pytest.approx(250 / 3), name
            assert metrics[f'{mode}.labels'] == pytest.approx(
                (75 + 200 / 3) / 2), name


def test_one_label_and_skipped_maps(tool, tmp_path, root):
    """One label covers each half with IoU 288 / 576; a map without ground
    truth and an unreadable one are skipped, not fatal."""
    folder = tmp_path / 'maps'
    result = scores(tool, folder, root, {
        'img.png': Image.fromarray(np.zeros((24, 24), np.uint8)),
        'other.png': Image.fromarray(np.zeros((24, 24), np.uint8)),
    })
    (folder / 'broken.png').write_bytes(b'not a png')
    result = tool.score_predictions(str(folder), str(root), 'val')
    assert result['metrics']['Mean'] == pytest.approx(50)
    assert result['metrics']['Mean.labels'] == pytest.approx(50)
    assert sorted(result['skipped']) == [
        str(folder / 'broken.png'), str(folder / 'other.png')
    ]


def test_command_line_writes_json_and_explains_bad_folders(
        tool, tmp_path, root, capsys):
    from mmengine.logging import MMLogger

    # a logger made now writes to this test's stdout, until main moves it
    MMLogger.get_instance('score_predictions_test')
    folder = tmp_path / 'maps'
    folder.mkdir()
    Image.fromarray(split_cluster()).save(folder / 'img.png')
    out = tmp_path / 'scores.json'
    tool.main([str(folder), '--data-root', str(root), '--out', str(out)])
    printed = capsys.readouterr()
    saved = json.loads(out.read_text())
    assert json.loads(printed.out) == saved  # stdout: the JSON alone
    assert 'All' in printed.err  # the metric's table
    assert saved['split'] == 'val' and saved['images'] == ['img']
    assert saved['metrics']['All'] == pytest.approx(250 / 3)
    with pytest.raises(SystemExit, match='no .png label map'):
        tool.main([str(tmp_path), '--data-root', str(root)])
    with pytest.raises(SystemExit, match='groundTruth/test'):
        tool.main([str(folder), '--data-root', str(root), '--split', 'test'])


def test_per_image_scores_and_bootstrap_interval(tool, tmp_path,
                                                 write_bsds500):
    """Image a: the halves exactly (100); image b: one label (each half
    IoU 1/2, 50). Pooled 75; a resample of the two images scores 100
    (a, a), 75 or 50 (b, b), a quarter of the resamples each extreme."""
    halves = np.ones((24, 24), np.uint16)
    halves[:, 12:] = 2
    root = write_bsds500(tmp_path / 'bsds', 'val', {
        stem: np.zeros((24, 24, 3), np.uint8)
        for stem in 'ab'
    }, halves)
    folder = tmp_path / 'maps'
    result = scores(tool, folder, root, {
        'a.png': Image.fromarray((halves - 1).astype(np.uint8)),
        'b.png': Image.fromarray(np.zeros((24, 24), np.uint8)),
    })
    assert result['metrics']['Mean'] == pytest.approx(75)
    assert result['per_image']['a']['Mean'] == pytest.approx(100)
    assert result['per_image']['b']['Mean.labels'] == pytest.approx(50)
    assert 'interval95' not in result
    result = tool.score_predictions(str(folder), str(root), 'val',
                                    bootstrap=200, seed=1)
    assert result['interval95']['Mean'] == [50, 100]
    assert result['interval95']['All.labels'] == [50, 100]
    assert result['bootstrap'] == dict(resamples=200, seed=1)
    (folder / 'b.png').unlink()
    with pytest.raises(SystemExit, match='needs 2 or more scored maps'):
        tool.main([str(folder), '--data-root', str(root), '--bootstrap', '9'])
