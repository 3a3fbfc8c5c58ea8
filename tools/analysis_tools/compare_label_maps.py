"""Compare two folders of label maps of the same images, pixel by pixel.

Cluster ids are arbitrary, so two segmentations are compared after
matching their labels one to one by overlap (Hungarian): ``agreement`` is
the fraction of pixels whose matched labels agree. The adjusted Rand index
(scikit-learn), which needs no matching, is reported beside it, with each
map's number of labels. Maps are read as
``tools/analysis_tools/score_predictions.py`` reads them (ids or
colour-coded RGB); a map of ``B_DIR`` of another size than its ``A_DIR``
twin is resized nearest-neighbour.

Example (the authors' script's outputs against ours):
    python tools/analysis_tools/compare_label_maps.py work_dirs/authors \
        work_dirs/ours/labels --out agreement.json
"""
import argparse
import glob
import os.path as osp
from typing import Dict, Optional, Sequence

import numpy as np
from sklearn.metrics import adjusted_rand_score
from sklearn.metrics.cluster import contingency_matrix

from mmdynaseg.utils import (max_overlap_matching, read_label_map,
                             resize_nearest)
from benchmark_common import report


def matched_agreement(a: np.ndarray, b: np.ndarray) -> float:
    """Fraction of pixels whose labels agree once the labels of ``b`` are
    matched one to one to those of ``a`` by overlap (Hungarian).

    Args:
        a (np.ndarray): H x W labels.
        b (np.ndarray): H x W labels.

    Returns:
        float: In [0, 1]; 1 when the two partitions are the same.
    """
    overlap = contingency_matrix(a.ravel(), b.ravel(), sparse=False)
    matched = max_overlap_matching(overlap)  # row of a for each b column
    columns = np.flatnonzero(matched >= 0)
    return float(overlap[matched[columns], columns].sum() / a.size)


def compare_folders(a_dir: str, b_dir: str) -> Dict[str, object]:
    """Compare the maps of every stem found in both folders.

    Args:
        a_dir (str): Folder of ``<stem>.png`` label maps.
        b_dir (str): Another, with maps of the same stems.

    Returns:
        dict: ``images`` (per stem ``agreement``, ``ari``, ``labels_a``,
        ``labels_b``), their means ``agreement`` and ``ari``, and
        ``only_in_a`` / ``only_in_b`` (stems without a twin).

    Raises:
        FileNotFoundError: No stem is in both folders.
    """
    def stems(folder: str) -> Dict[str, str]:
        return {
            osp.splitext(osp.basename(path))[0]: path
            for path in glob.glob(osp.join(folder, '*.png'))
        }

    a_maps, b_maps = stems(a_dir), stems(b_dir)
    common = sorted(set(a_maps) & set(b_maps))
    if not common:
        raise FileNotFoundError(
            f"no <stem>.png is in both '{a_dir}' and '{b_dir}'; give two "
            'folders of label maps of the same images.')
    images = {}
    for name in common:
        a = read_label_map(a_maps[name])
        b = read_label_map(b_maps[name])
        b = resize_nearest(b, a.shape)
        images[name] = dict(
            agreement=round(matched_agreement(a, b), 4),
            ari=round(float(adjusted_rand_score(a.ravel(), b.ravel())), 4),
            labels_a=int(len(np.unique(a))),
            labels_b=int(len(np.unique(b))))
    return dict(
        agreement=round(
            float(np.mean([r['agreement'] for r in images.values()])), 4),
        ari=round(float(np.mean([r['ari'] for r in images.values()])), 4),
        images=images,
        only_in_a=sorted(set(a_maps) - set(b_maps)),
        only_in_b=sorted(set(b_maps) - set(a_maps)))


def main(argv: Optional[Sequence[str]] = None) -> None:
    """Compare, print and write the JSON."""
    parser = argparse.ArgumentParser(
        description='Pixel agreement of two folders of label maps')
    parser.add_argument('a_dir', help='folder of <stem>.png label maps')
    parser.add_argument('b_dir', help='another, of the same images')
    parser.add_argument('--out', help='write the result to this JSON file')
    args = parser.parse_args(argv)
    try:
        result = compare_folders(args.a_dir, args.b_dir)
    except FileNotFoundError as error:
        raise SystemExit(str(error)) from None
    report(dict(a_dir=args.a_dir, b_dir=args.b_dir, **result), args.out)


if __name__ == '__main__':
    main()
