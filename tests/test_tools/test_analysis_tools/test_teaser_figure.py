"""tools/analysis_tools/teaser_figure.py: image, label maps, ground truth."""
import sys

import numpy as np
import pytest
from PIL import Image

from mmdynaseg.utils import write_label_png


def test_one_row_per_image_one_column_per_folder(load_tool, tmp_path,
                                                 write_bsds500, monkeypatch):
    halves = np.ones((20, 30), np.uint16)
    halves[:, 15:] = 2
    image = np.zeros((20, 30, 3), np.uint8)
    image[:, 15:] = 200
    root = write_bsds500(tmp_path / 'bsds', 'val', {'a': image, 'b': image},
                         halves)
    labels = tmp_path / 'labels'
    labels.mkdir()
    for stem in ('a', 'b'):
        # a map of another size is resized to the image
        write_label_png(str(labels / f'{stem}.png'),
                        np.kron(halves, np.ones((2, 2), np.uint16)))
    tool = load_tool('teaser_figure')
    out = tmp_path / 'teaser.png'
    monkeypatch.setattr(sys, 'argv', [
        'teaser_figure.py', 'a', 'b', '--data-root', str(root), '--columns',
        f'Ours={labels}', '--width', '30', '--out', str(out)
    ])
    tool.main()
    picture = Image.open(out)
    assert picture.mode == 'P'
    # 3 columns (image, Ours, ground truth) of 30 + 2 px; a title row and
    # 2 rows of 20 + 2 px
    assert picture.size == (3 * 32, tool.TITLE_HEIGHT + 2 * 22)
    rgb = np.asarray(picture.convert('RGB'))
    first = rgb[tool.TITLE_HEIGHT:tool.TITLE_HEIGHT + 20]
    np.testing.assert_array_equal(first[:, :30], image)  # the image itself
    # the segmentation columns draw the same halves: equal pixels
    np.testing.assert_array_equal(first[:, 32:62], first[:, 64:94])
    monkeypatch.setattr(sys, 'argv', [
        'teaser_figure.py', 'a', '--columns', 'Ours', '--out', str(out)
    ])
    with pytest.raises(SystemExit, match='NAME=DIR'):
        tool.main()
