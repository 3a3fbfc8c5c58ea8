"""tools/analysis_tools/compare_label_maps.py: agreement after matching."""
import json

import numpy as np
import pytest
from PIL import Image


@pytest.fixture(scope='module')
def tool(load_tool):
    return load_tool('compare_label_maps')


def test_matched_agreement_by_hand(tool):
    """b renames a's labels (0 -> 5, 1 -> 3) and moves 2 of 8 pixels: 0.75
    after matching; one label for everything agrees on the larger half."""
    a = np.array([[0, 0, 0, 0], [1, 1, 1, 1]])
    b = np.array([[5, 5, 5, 3], [3, 3, 3, 5]])
    assert tool.matched_agreement(a, b) == pytest.approx(0.75)
    assert tool.matched_agreement(a, np.zeros_like(a)) == pytest.approx(0.5)
    assert tool.matched_agreement(a, a + 7) == 1.0


def test_folders_of_ids_and_colours(tool, tmp_path):
    """The same partition written as ids and as RGB colours (at half
    size) agrees fully; stems without a twin are listed."""
    a_dir, b_dir = tmp_path / 'a', tmp_path / 'b'
    a_dir.mkdir()
    b_dir.mkdir()
    labels = np.zeros((8, 8), np.uint8)
    labels[:, 4:] = 1
    Image.fromarray(labels).save(a_dir / 'x.png')
    colours = np.array([(200, 10, 10), (10, 10, 200)], np.uint8)
    Image.fromarray(colours[labels[::2, ::2]]).save(b_dir / 'x.png')
    Image.fromarray(labels).save(a_dir / 'only.png')
    out = tmp_path / 'agreement.json'
    tool.main([str(a_dir), str(b_dir), '--out', str(out)])
    result = json.loads(out.read_text())
    assert result['images']['x'] == dict(
        agreement=1.0, ari=1.0, labels_a=2, labels_b=2)
    assert result['only_in_a'] == ['only'] and result['only_in_b'] == []
    with pytest.raises(SystemExit, match='no <stem>.png is in both'):
        tool.main([str(a_dir), str(tmp_path)])
