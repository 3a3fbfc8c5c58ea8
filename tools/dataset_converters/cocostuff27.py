"""Convert COCO-Stuff label maps to the 27 coarse classes (curated ids only).

Reads the official ``stuffthingmaps_trainval2017`` PNGs (fine ids 0-181,
255 unlabeled) of the images in the curated IIC / PiCIE split lists and
writes ``<out>/labels27/<split>/<id>.png`` (uint8, classes 0-26, 255 ignore),
the layout of ``COCOStuff27Dataset``. Optionally links or copies the COCO
images to ``<out>/images/<split>/<id>.jpg``.

The run is resumable: outputs that exist are skipped, and each output is
written to a temporary file and moved into place, so an interrupted run
never leaves a half-written file (the temporary files a killed run left,
``.<name>.*.partial.*``, are deleted on the next run). Missing or unreadable
sources are skipped, listed at the end and in a report file of the
converted splits (``<out>/cocostuff27_conversion_report_<splits>.txt``, so
converting another split keeps the first report); the exit code is then 1.

Example:
    python tools/dataset_converters/cocostuff27.py \\
        data/coco/stuffthingmaps_trainval2017 data/cocostuff27 \\
        --images data/coco/images
"""
import argparse
import os
import os.path as osp
import shutil
import sys
from typing import List, Optional, Sequence, Tuple

import numpy as np
from mmengine.utils import track_parallel_progress, track_progress
from PIL import Image

from mmdynaseg.datasets.cocostuff27 import (CURATED_DIR, FINE_TO_COARSE,
                                            IGNORE_INDEX, SPLIT_LIST,
                                            curated_split_list,
                                            fine_to_coarse_lut)
from mmdynaseg.utils import atomic_output, remove_partial_files, write_text

SPLITS = ('train2017', 'val2017')
REPORT = 'cocostuff27_conversion_report_{splits}.txt'
LUT = fine_to_coarse_lut()
# (source, destination, image mode or None for a label map)
Task = Tuple[str, str, Optional[str]]


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split('\n\n', 1)[1])
    parser.add_argument(
        'source',
        help='unzipped stuffthingmaps_trainval2017 folder (holding '
        'train2017/ and val2017/ with <id>.png)')
    parser.add_argument(
        'out', help='output root, e.g. data/cocostuff27 (the dataset root)')
    parser.add_argument(
        '--splits', nargs='+', choices=SPLITS, default=list(SPLITS))
    parser.add_argument(
        '--split-lists',
        help=f'folder with <split>/{SPLIT_LIST} (default: <out>/curated '
        'where it has the list, else the curated lists shipped in the '
        'package)')
    parser.add_argument(
        '--images',
        help='COCO image folder holding train2017/ and val2017/ with '
        '<id>.jpg; if given, the listed images are placed in '
        '<out>/images/<split>/')
    parser.add_argument(
        '--image-mode',
        choices=('symlink', 'copy'),
        default='symlink',
        help='how to place the images (default: symlink)')
    parser.add_argument(
        '--nproc', type=int, default=1, help='worker processes')
    parser.add_argument(
        '--report',
        help='problem report file (default: <out>/'
        f"{REPORT.format(splits='<split>[+<split>]')})")
    return parser.parse_args(argv)


def read_split_list(path: str) -> List[str]:
    """Image ids of a split list, one per line (blank lines ignored)."""
    if not osp.isfile(path):
        raise FileNotFoundError(
            f"split list '{path}' not found; pass --split-lists DIR (with "
            f'<split>/{SPLIT_LIST}), or leave it out to use the curated '
            f'lists shipped in the package ({CURATED_DIR}).')
    with open(path) as f:
        ids = [line.strip() for line in f if line.strip()]
    if not ids:
        raise ValueError(f"split list '{path}' is empty.")
    return ids


def coarse_label(path: str) -> np.ndarray:
    """The 27-class map of a COCO-Stuff fine label PNG.

    Raises:
        ValueError: Not a single-channel map of fine ids 0-181 and 255.
    """
    with Image.open(path) as image:
        fine = np.asarray(image)
    if fine.ndim != 2 or fine.dtype != np.uint8:
        raise ValueError(
            f'expected a single-channel uint8 label map, got shape '
            f'{fine.shape} and dtype {fine.dtype}')
    bad = np.setdiff1d(
        np.unique(fine), [*range(len(FINE_TO_COARSE)), IGNORE_INDEX])
    if bad.size:
        raise ValueError(f'values {bad.tolist()} are not fine ids 0-181 '
                         'or 255 (unlabeled)')
    return LUT[fine]


def _symlink(src: str, tmp: str) -> None:
    os.remove(tmp)
    os.symlink(osp.abspath(src), tmp)


def process(task: Task) -> Optional[str]:
    """Write one output; return a problem line, or None when fine.

    An output that exists is kept as it is (resume); a symbolic link
    whose image has gone, or an empty file, is made again.
    """
    src, dst, image_mode = task
    if osp.isfile(dst) and osp.getsize(dst) > 0:  # follows links
        return None
    if osp.lexists(dst):  # a dangling link or an empty file
        os.remove(dst)
    if not osp.isfile(src):
        return f'{src}: missing'
    try:
        if image_mode is None:
            label = coarse_label(src)
            with atomic_output(dst) as tmp:
                Image.fromarray(label).save(tmp, 'PNG')
        elif image_mode == 'copy':
            with atomic_output(dst) as tmp:
                shutil.copyfile(src, tmp)
        else:
            with atomic_output(dst) as tmp:
                _symlink(src, tmp)
    except Exception as error:  # PIL and the file system raise many types
        return f'{src}: {str(error) or type(error).__name__}'
    return None


def build_tasks(args: argparse.Namespace) -> List[Task]:
    """One task per listed label map (and image, with ``--images``)."""
    tasks = []
    for split in args.splits:
        own = osp.join(args.split_lists or osp.join(args.out, 'curated'),
                       split, SPLIT_LIST)
        ids = read_split_list(own if args.split_lists or osp.isfile(own) else
                              curated_split_list(split))
        label_dir = osp.join(args.out, 'labels27', split)
        os.makedirs(label_dir, exist_ok=True)
        remove_partial_files(label_dir)
        tasks += [(osp.join(args.source, split, f'{i}.png'),
                   osp.join(label_dir, f'{i}.png'), None) for i in ids]
        if args.images:
            image_dir = osp.join(args.out, 'images', split)
            os.makedirs(image_dir, exist_ok=True)
            remove_partial_files(image_dir)
            tasks += [(osp.join(args.images, split, f'{i}.jpg'),
                       osp.join(image_dir, f'{i}.jpg'), args.image_mode)
                      for i in ids]
    return tasks


def write_report(path: str, problems: List[str], num_tasks: int) -> None:
    """Write the problem list (or that there was none) to ``path``."""
    text = '\n'.join([f'{len(problems)} of {num_tasks} files skipped',
                      *problems]) + '\n'
    path = osp.abspath(path)
    os.makedirs(osp.dirname(path), exist_ok=True)
    write_text(path, text)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Convert; return 0 when every listed file was written, else 1."""
    args = parse_args(argv)
    if not osp.isdir(args.source):
        print(f"source folder '{args.source}' not found: unzip "
              'stuffthingmaps_trainval2017.zip and pass its folder.',
              file=sys.stderr)
        return 1
    try:
        tasks = build_tasks(args)
    except (FileNotFoundError, ValueError) as error:
        print(error, file=sys.stderr)
        return 1
    if args.nproc > 1:
        results = track_parallel_progress(process, tasks, args.nproc)
    else:
        results = track_progress(process, tasks)
    problems = [problem for problem in results if problem]
    report = args.report or osp.join(
        args.out, REPORT.format(splits='+'.join(args.splits)))
    write_report(report, problems, len(tasks))
    if problems:
        shown = problems[:20] + (['...'] if len(problems) > 20 else [])
        print(
            f'\n{len(problems)} of {len(tasks)} files were skipped:',
            *shown,
            f'Full list: {report}. Fix or download them and run the same '
            'command again: finished files are kept.',
            sep='\n',
            file=sys.stderr)
        return 1
    print(f'\nall {len(tasks)} files are in place under {args.out}.')
    return 0


if __name__ == '__main__':
    sys.exit(main())
