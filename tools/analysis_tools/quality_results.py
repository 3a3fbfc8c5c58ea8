"""The saved per-image results of benchmark_quality.py: score, keep, pool.

A run keeps ``<work_dir>/quality_per_image.json``: its settings and, per
image stem and table row, the best IoUs of every mode and scoring, the
seconds, iterations, q' and the method's config fingerprint.
"""
import os
import os.path as osp
from typing import Dict, List

import mmcv
import numpy as np
from mmseg.registry import METRICS

from mmdynaseg.utils import SnapshotStore, load_results, update_results

# how to start a run with other settings than those its work dir holds
START_OVER = 'pass another --work-dir'
# segment covering scoring -> prefix of its per-image keys in the state
SCORE_PREFIXES = dict(components='', labels='labels_')
METRIC = dict(type='SegmentCoveringMetric', ignore_index=None)
# what --progress shows of a finished result
PROGRESS_KEYS = ('seconds', 'iterations', 'q_prime', 'resumed_from',
                 'device', 'arithmetic')


def open_state(path: str, settings: dict, fingerprints: Dict[str,
                                                             str]) -> dict:
    """The results saved at ``path`` by a run with ``settings``.

    Raises SystemExit for other settings, or for results of a method whose
    config fingerprint (``fingerprints``) has changed since (results saved
    before fingerprints were recorded are trusted).
    """
    try:
        state = load_results(path, settings, START_OVER, images={})
    except ValueError as error:
        raise SystemExit(str(error)) from None
    changed = sorted({
        name
        for rows in state['images'].values()
        for name, fingerprint in fingerprints.items()
        if rows.get(name, {}).get('config', fingerprint) != fingerprint
    })
    if changed:
        raise SystemExit(
            f'{path} holds results of {changed} from configs that '
            f'have changed since; to compare like with like, {START_OVER} '
            '(or check them out as they were).')
    return state


def score(result: dict, row: str, stem: str, work_dir: str) -> dict:
    """One (image, table row) result with its best IoUs per mode and
    scoring; its labels are saved as ``<work_dir>/labels/<row>/<stem>.png``.
    """
    result = dict(result)
    sample = result.pop('sample')
    labels = np.asarray(sample['pred_sem_seg']['data'])[0]
    label_dir = osp.join(work_dir, 'labels', row)
    os.makedirs(label_dir, exist_ok=True)
    mmcv.imwrite(labels.astype(np.uint16), osp.join(label_dir, stem + '.png'))
    metric = METRICS.build(METRIC)
    metric.process(None, [sample])
    (covering, ) = metric.results
    return dict(
        result, **{
            SCORE_PREFIXES[scoring] + mode: ious.tolist()
            for scoring, modes in covering.items()
            for mode, ious in modes.items()
        })


def save_rows(path: str, settings: dict, stem: str, rows: dict) -> dict:
    """Add one (image, method)'s rows to the results saved at ``path``,
    under a lock, so runs of other methods in the same work dir add to it
    side by side. Returns the saved results, every process's so far."""
    return update_results(
        path, settings, START_OVER,
        lambda state: state['images'].setdefault(stem, {}).update(rows),
        images={})


def study_progress(state: dict, stems: List[str],
                   fingerprints: Dict[str, str], work_dir: str) -> dict:
    """Where a run stands (``--progress``), from its work dir alone: per
    method, its finished images, the step and seconds of each unfinished
    image's last snapshot and the images not begun."""
    methods = {}
    for name, fingerprint in fingerprints.items():
        store = SnapshotStore(
            osp.join(work_dir, 'snapshots', f'{name}-{fingerprint}'))
        finished, snapshots, not_begun = {}, {}, []
        for stem in stems:
            result = state['images'].get(stem, {}).get(name)
            if result:
                finished[stem] = {
                    key: result[key]
                    for key in PROGRESS_KEYS if key in result
                }
            elif saved := store.progress(stem):
                snapshots[stem] = dict(steps=saved[0], seconds=saved[1])
            else:
                not_begun.append(stem)
        methods[name] = dict(
            finished=f'{len(finished)} of {len(stems)}',
            images=finished,
            snapshots=snapshots,
            not_begun=not_begun)
    return dict(
        benchmark='quality progress', images=stems, methods=methods)


def table_row(per_image: List[dict]) -> dict:
    """One table row pooled from its per-image results: the covering
    scores of both scorings, the configs, seconds and, for per-image
    methods, the mean iterations and q', devices and arithmetic."""
    scores = METRICS.build(METRIC).compute_metrics([{
        scoring: {
            mode: np.asarray(result[prefix + mode], dtype=float)
            for mode in ('all', 'fine', 'coarse')
        }
        for scoring, prefix in SCORE_PREFIXES.items()
    } for result in per_image])
    row = {
        key: round(value, 2)
        for key, value in scores.items() if '.' not in key
    }
    row['cluster_labels'] = {
        key.split('.')[0]: round(value, 2)
        for key, value in scores.items() if key.endswith('.labels')
    }
    row['configs'] = sorted(  # the method fingerprint of each result
        {result.get('config', 'unrecorded') for result in per_image})
    row['seconds_per_image'] = round(
        float(np.mean([result['seconds'] for result in per_image])), 2)
    if 'iterations' in per_image[0]:
        for key, mean, digits in (('iterations', 'mean_iterations', 1),
                                  ('q_prime', 'mean_q_prime', 2)):
            row[mean] = round(
                float(np.mean([result[key] for result in per_image])),
                digits)
        for key, pooled in (('device', 'devices'),
                            ('arithmetic', 'arithmetic')):
            row[pooled] = sorted(
                {result.get(key, 'unrecorded') for result in per_image})
    return row


def versus_guide(ours: List[dict], theirs: List[dict], row: dict,
                 guide_row: dict) -> dict:
    """How a guided method's table row compares with its guide's: the
    differences of their Means under both scorings, and on how many
    images (per-image results ``ours`` and ``theirs``, the same images in
    order) the method's All, the mean best IoU of the image's ground-truth
    segments, is the higher."""
    return dict(
        mean_difference=round(row['Mean'] - guide_row['Mean'], 2),
        mean_difference_cluster_labels=round(
            row['cluster_labels']['Mean'] -
            guide_row['cluster_labels']['Mean'], 2),
        **{
            f'images_higher{suffix}': sum(
                float(np.mean(mine[prefix + 'all'])) > float(
                    np.mean(guide[prefix + 'all']))
                for mine, guide in zip(ours, theirs))
            for suffix, prefix in (('', ''), ('_cluster_labels', 'labels_'))
        })
