"""Draw a figure of BSDS500 images beside their segmentations.

One row per image: the image, then one column per folder of label maps
(``NAME=DIR``, e.g. the ``labels/`` of a ``tools/segment.py`` run), then
the first human segmentation of BSDS500's ground truth. Each segmentation
is drawn over the image in one colour per segment, boundaries in white.
The PNG is written with a 256-colour palette, which keeps it small.

Example (the README's figure; the two runs are resumable):
    for C in dynaseg_fsf_cnn_bsds500 dynaguide_kmeans5_cnn_bsds500; do
      python tools/segment.py \\
          data/bsds500/images/val/{101085,101087,102061}.jpg \\
          --config configs/$C.py --out work_dirs/teaser/$C --max-size 240
    done
    python tools/analysis_tools/teaser_figure.py 101085 101087 102061 \\
        --data-root data/bsds500 --out docs/teaser.png \\
        --columns DynaSeg=work_dirs/teaser/dynaseg_fsf_cnn_bsds500/labels \\
        DynaGuide=work_dirs/teaser/dynaguide_kmeans5_cnn_bsds500/labels
"""
import argparse
import os.path as osp
from typing import Dict, List

import mmcv
import numpy as np
from PIL import Image, ImageDraw

from mmdynaseg.datasets.transforms.bsds500_annotations import \
    read_bsds500_segmentations
from mmdynaseg.engine.hooks import overlay_boundaries
from mmdynaseg.utils import read_label_map, resize_nearest

TITLE_HEIGHT = 16
# weight of the segment colours over the image
OPACITY = 0.6


def drawn(image: np.ndarray, segments: np.ndarray) -> np.ndarray:
    """``segments`` (any size) over ``image`` (RGB uint8): colours and
    white boundaries, as ``tools/segment.py``'s overlays draw them."""
    return overlay_boundaries(image,
                              resize_nearest(segments, image.shape[:2]),
                              OPACITY)


def figure(stems: List[str], data_root: str, split: str,
           columns: Dict[str, str], width: int) -> Image.Image:
    """The figure: a title row, then one row per image stem."""
    rows = []
    for stem in stems:
        image = mmcv.imread(
            osp.join(data_root, 'images', split, f'{stem}.jpg'),
            channel_order='rgb')
        scale = width / image.shape[1]
        image = mmcv.imrescale(image, scale, interpolation='area')
        truth = read_bsds500_segmentations(
            osp.join(data_root, 'groundTruth', split, f'{stem}.mat'))[0]
        cells = [image] + [
            drawn(image, read_label_map(osp.join(folder, f'{stem}.png')))
            for folder in columns.values()
        ] + [drawn(image, truth)]
        height = max(cell.shape[0] for cell in cells)
        rows.append(
            np.hstack([
                np.pad(cell, ((0, height - cell.shape[0]), (0, 2), (0, 0)),
                       constant_values=255) for cell in cells
            ]))
    grid = np.vstack([
        np.pad(row, ((0, 2), (0, max(r.shape[1] for r in rows) -
                              row.shape[1]), (0, 0)),
               constant_values=255) for row in rows
    ])
    canvas = Image.new('RGB', (grid.shape[1], grid.shape[0] + TITLE_HEIGHT),
                       'white')
    canvas.paste(Image.fromarray(grid), (0, TITLE_HEIGHT))
    draw = ImageDraw.Draw(canvas)
    for index, title in enumerate(['image', *columns, 'ground truth']):
        draw.text((index * (width + 2) + 4, 2), title, fill='black')
    return canvas


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('stems', nargs='+', help='BSDS500 image ids')
    parser.add_argument('--data-root', default='data/bsds500')
    parser.add_argument('--split', default='val')
    parser.add_argument(
        '--columns',
        nargs='+',
        required=True,
        help='NAME=DIR: a column of the label maps <DIR>/<stem>.png')
    parser.add_argument('--width', type=int, default=240,
                        help='width of each image in pixels')
    parser.add_argument('--out', required=True, help='the PNG to write')
    args = parser.parse_args()
    columns = {}
    for column in args.columns:
        name, sep, folder = column.partition('=')
        if not sep or not name or not osp.isdir(folder):
            raise SystemExit(
                f'--columns {column!r}: give NAME=DIR with an existing '
                'folder of label maps (e.g. the labels/ of a '
                'tools/segment.py run).')
        columns[name] = folder
    picture = figure(args.stems, args.data_root, args.split, columns,
                     args.width)
    picture.quantize(256).save(args.out, optimize=True)
    print(f'written to {args.out} ({osp.getsize(args.out) // 1024} KB)')


if __name__ == '__main__':
    main()
