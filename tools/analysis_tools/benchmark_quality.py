"""Benchmark BSDS500 segment covering of per-image methods and baselines.

BSDS500 segment covering (All / Fine / Coarse / Mean, every
annotator; predictions split into 4-connected components, and, for results
saved since it was added, also each cluster label as one segment) of
per-image methods and of baselines, all on the same first
``--num-images`` images of ``--split`` in one run: the DynaSeg FSF / SCF and
DynaGuide configs, DynaSeg FSF with each speed option, and k-means on Lab
colour, Felzenszwalb and SLIC, i.e. the DynaGuide guides alone: the methods
named in ``quality_methods.yml`` (``--methods-file`` adds yours; a config
path is a method too); with the seconds, iterations and final q' per
image.
``--max-iters``, ``--optimise-scale`` and ``--autocast`` apply to every
per-image method that does not set them itself (the configs' own settings
otherwise: T = 1000 at full resolution, compiled bf16 by default; the
papers' float32 eager loop is ``dynaseg_fsf+float32_eager``), as do
``--cfg-options`` (e.g. ``model.channels_last=False`` where channels-last
convolutions are slower, as on CPUs without AVX-512). The per-image
methods run on ``--device`` (CUDA where there is one); the baselines
and the DynaGuide guides run on the CPU. Each result records its device
and the arithmetic its steps ran in there (``PerImageDynaSeg.arithmetic``;
each run's, with its first step, where an image resumed a snapshot made
in other arithmetic), so a study resumed on another machine says which
rows, and which steps, came from where.
``--record-iters`` also scores every per-image method as it was after
each listed number of steps T, from the same optimisation (rows
``<method>@T<T>``, exactly what ``--max-iters T`` gives): a
quality-against-steps curve for the cost of its longest run. Finished
(image, method) results, and each prediction as a label PNG under
``<work_dir>/labels/<method>/``, are saved as they come, and a rerun with
the same settings resumes (``--work-dir``): each result records its
method's config fingerprint, and a rerun refuses results of a config that
has changed since; an image interrupted mid-optimisation resumes from its
last snapshot (every ``model.snapshot_interval`` steps, 50, under
``<work_dir>/snapshots/``). Runs with the same settings
and other ``--methods`` may share the work dir at the same time (e.g. one
process per core); once they are done, a run with all of them reads the
results back and pools the table. A DynaGuide row run beside its own
guide alone (e.g. ``dynaguide_slic`` and ``slic``) also gets
``versus_guide``: its Means less the guide's, and on how many images it
scores the higher All (both scorings). ``--progress`` computes nothing and
reports where the run in the work dir stands: per method, its finished
images, the step of each unfinished image's snapshot, the images not begun.

Example:
    python tools/analysis_tools/benchmark_quality.py \
        --data-root data/bsds500 --num-images 12 --max-iters 100 \
        --record-iters 0 5 20 --optimise-scale 0.5 --autocast bfloat16
"""
import argparse
import hashlib
import json
import os
import os.path as osp
import sys
import time
from typing import Callable, Dict, List, Optional, Tuple

import mmcv
import numpy as np
import torch
import yaml
from mmengine import Config, DictAction
from mmengine.registry import init_default_scope
from mmseg.registry import DATASETS, METRICS, TASK_UTILS

from mmdynaseg.apis import init_model
from mmdynaseg.apis.inference import STARTS_WITHOUT
from mmdynaseg.utils import (SnapshotStore, load_config, load_results,
                             update_results)
from benchmark_common import benchmark_parser, machine_info, report

# the repository (this file is tools/analysis_tools/<name>.py)
ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
# how to start a run with other settings than those its work dir holds
START_OVER = 'pass another --work-dir'


# the methods by name (quality_methods.yml; --methods-file adds others)
METHODS_FILE = osp.join(osp.dirname(osp.abspath(__file__)),
                        'quality_methods.yml')


def load_methods(path: str) -> Tuple[Dict[str, tuple], Dict[str, object]]:
    """The methods of a YAML file (see ``quality_methods.yml``).

    Returns:
        tuple: name -> (config, cfg_options) of the per-image methods, and
        name -> guide config (or DynaGuide config) of the baselines.
    """
    try:
        with open(path) as f:
            methods = yaml.safe_load(f) or {}
        per_image = {
            name: (method['config'], dict(method.get('cfg_options') or {}))
            for name, method in (methods.get('per_image') or {}).items()
        }
        return per_image, dict(methods.get('baselines') or {})
    except (OSError, yaml.YAMLError, KeyError, TypeError,
            AttributeError) as error:
        raise SystemExit(
            f'cannot read the methods of {path} ({error}): give a YAML file '
            'shaped as tools/analysis_tools/quality_methods.yml.') from None


NETWORK_METHODS, BASELINES = load_methods(METHODS_FILE)
# a per-image method reports its step and q' every this many steps
PROGRESS_STEPS = 50
# segment covering scoring -> prefix of its per-image keys in the state
SCORE_PREFIXES = dict(components='', labels='labels_')
DEFAULT_QUALITY = ('kmeans_lab', 'felzenszwalb', 'slic', 'dynaseg_fsf',
                   'dynaseg_scf', 'dynaguide_kmeans', 'dynaguide_slic',
                   'dynaguide_felzenszwalb')


Runner = Callable[[int], dict]


def quality_config(name: str, args: argparse.Namespace) -> Config:
    """The config of a per-image method for the quality benchmark.

    It gets the run's data root and split and, where the method does not
    set them itself, ``--max-iters``, ``--optimise-scale``,
    ``--autocast`` and ``--cfg-options``, and ``--record-iters``.
    """
    config, method_options = NETWORK_METHODS[name]
    options = {
        'test_dataloader.dataset.data_root': args.data_root,
        'test_dataloader.dataset.data_prefix': dict(
            img_path=f'images/{args.split}',
            seg_map_path=f'groundTruth/{args.split}'),
    }
    for key, value in (('model.max_iters', args.max_iters),
                       ('model.optimise_scale', args.optimise_scale),
                       ('model.autocast', args.autocast)):
        if value is not None:
            options[key] = value
    options.update(args.cfg_options or {})
    options.update(method_options)
    if args.record_iters:
        options['model.record_iters'] = args.record_iters
    return load_config(osp.join(ROOT, config), options)


def method_fingerprint(name: str) -> str:
    """A digest of a method's own config (its config file, with its
    ``_base_`` files and its options, or a baseline's guide config),
    without the run's settings, which the results file checks itself:
    every result records it, so a config changed since is caught."""
    if name in NETWORK_METHODS:
        config, method_options = NETWORK_METHODS[name]
        content = load_config(osp.join(ROOT, config),
                              method_options).to_dict()
    else:
        content = baseline_guide(name)
    text = json.dumps(content, sort_keys=True, default=repr)
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def network_runner(name: str, args: argparse.Namespace,
                   fingerprint: str) -> Runner:
    """A runner of a per-image method (config: :func:`quality_config`).

    The runner segments the item of an index of the method's own test
    dataset (a DynaGuide config's pipeline attaches the guide) and returns
    its data sample (as a dict, what metrics receive) with the image's
    seconds, iterations and final q', and under ``records`` the same for
    each step count of ``--record-iters`` (``<name>@T<T>``). Each image's
    optimisation keeps snapshots under
    ``<work_dir>/snapshots/<name>-<fingerprint>/`` (the method's
    :func:`method_fingerprint`), so a run killed mid-image resumes it from
    its last snapshot.
    """
    cfg = quality_config(name, args)
    cfg.model.snapshot_dir = osp.join(args.work_dir, 'snapshots',
                                      f'{name}-{fingerprint}')
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    # only methods that start from a checkpoint get --checkpoint: the
    # fresh-start methods stay the papers' fresh start
    refines = cfg.model.get('init', 'fresh') not in STARTS_WITHOUT
    model = init_model(cfg, args.checkpoint if refines else None,
                       args.device)
    device = device_name(args.device)

    def run(index: int) -> dict:
        data = dataset[index]
        stem = osp.splitext(osp.basename(data['data_samples'].img_path))[0]

        def progress(steps: int, max_iters: int, q_prime: int) -> None:
            if steps % PROGRESS_STEPS == 0:
                print(f"  {stem} {name}: step {steps}/{max_iters}, q'="
                      f'{q_prime}', file=sys.stderr, flush=True)

        model.on_step = progress
        with torch.no_grad():
            (sample, ) = model.test_step(
                dict(inputs=[data['inputs']],
                     data_samples=[data['data_samples']]))
        recorded = sample.get('recorded', {})
        fields = sample.to_dict()
        fields.pop('recorded', None)
        result = outcome(fields, sample, device)
        result['records'] = {
            f'{name}@T{steps}': outcome(fields, at, device)
            for steps, at in sorted(recorded.items())
        }
        return result

    return run


def device_name(device: str) -> str:
    """``device`` with the model of its processor, e.g. ``'cuda (NVIDIA
    H200)'``, as each network result records it."""
    if torch.device(device).type == 'cuda':
        return f'{device} ({torch.cuda.get_device_name(device)})'
    return f"{device} ({machine_info()['cpu']})"


def outcome(fields: dict, result, device: str) -> dict:
    """The sample's fields (a dict) with the labels, and the seconds,
    iterations, q' and arithmetic (``PerImageDynaSeg.arithmetic``: what
    its speed options resolved to, each run's where a resumed snapshot
    ran in other arithmetic) of ``result`` (the sample itself or one of
    its ``recorded`` results), the ``device`` it ran on and, if the run
    resumed the image from a snapshot, the step it resumed from."""
    resumed = dict(resumed_from=fields['resumed_from']) \
        if 'resumed_from' in fields else {}
    return dict(
        sample=dict(fields, pred_sem_seg=result.pred_sem_seg.to_dict()),
        seconds=result.metainfo['seconds'],
        iterations=result.metainfo['iterations'],
        q_prime=result.metainfo['q_prime'],
        arithmetic=result.metainfo['arithmetic'],
        device=device,
        **resumed)


def config_guide(cfg: Config) -> Optional[dict]:
    """The guide config of a DynaGuide config (its ``LoadGuidance`` step),
    or None for a config without a guide."""
    guides = [
        step['guide'] for step in cfg.test_dataloader.dataset.pipeline
        if step['type'] == 'LoadGuidance'
    ]
    return guides[0] if guides else None


def baseline_guide(name: str) -> dict:
    """The guide config of a baseline (``BASELINES``)."""
    guide_cfg = BASELINES[name]
    if isinstance(guide_cfg, str):
        guide_cfg = config_guide(load_config(osp.join(ROOT, guide_cfg)))
    return guide_cfg


def guide_baseline(cfg: Config, methods: List[str]) -> Optional[str]:
    """The baseline among ``methods`` that is the guide of a per-image
    method (its config ``cfg``) alone, or None (no guide, or that guide is
    not run)."""
    guide = config_guide(cfg)
    if guide is None:
        return None
    return next((baseline for baseline in methods if baseline in BASELINES
                 and baseline_guide(baseline) == guide), None)


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


def baseline_runner(name: str, dataset) -> Runner:
    """A runner of a guide used as a segmentation of its own (its labels
    are the prediction) on the dataset's images; seconds = the guide's."""
    guide = TASK_UTILS.build(baseline_guide(name))

    def run(index: int) -> dict:
        data = dataset[index]
        sample = data['data_samples']
        image = data['inputs'].permute(1, 2, 0).numpy()[..., ::-1]  # to RGB
        started = time.perf_counter()
        labels = guide.compute(np.ascontiguousarray(image),
                               sample.img_path)
        seconds = time.perf_counter() - started
        result = sample.to_dict()
        result['pred_sem_seg'] = dict(data=torch.from_numpy(
            labels.astype(np.int64))[None])
        return dict(sample=result, seconds=seconds)

    return run


def score(result: dict, row: str, stem: str, work_dir: str,
          metric_cfg: dict) -> dict:
    """One (image, table row) result with its best IoUs per mode and
    scoring; its labels are saved as ``<work_dir>/labels/<row>/<stem>.png``.
    """
    result = dict(result)
    sample = result.pop('sample')
    labels = np.asarray(sample['pred_sem_seg']['data'])[0]
    label_dir = osp.join(work_dir, 'labels', row)
    os.makedirs(label_dir, exist_ok=True)
    mmcv.imwrite(labels.astype(np.uint16), osp.join(label_dir, stem + '.png'))
    metric = METRICS.build(metric_cfg)
    metric.process(None, [sample])
    (covering, ) = metric.results
    return dict(
        result, **{
            SCORE_PREFIXES[scoring] + mode: ious.tolist()
            for scoring, modes in covering.items()
            for mode, ious in modes.items()
        })


def save_rows(path: str, settings: dict, stem: str, rows: dict) -> dict:
    """Add one (image, method)'s rows to the results saved at ``path``.

    Under a lock (:func:`update_results`), so runs with other ``--methods``
    in the same work dir (other processes, e.g. one per core) add to it side
    by side without losing each other's results.

    Returns:
        dict: The saved results, with every process's rows so far.
    """
    return update_results(
        path, settings, START_OVER,
        lambda state: state['images'].setdefault(stem, {}).update(rows),
        images={})


def study_progress(state: dict, stems: list, fingerprints: dict,
                   work_dir: str) -> dict:
    """Where a run stands (``--progress``), from its work dir alone.

    Args:
        state (dict): The saved results (``quality_per_image.json``).
        stems (list): The run's images.
        fingerprints (dict): Each method's :func:`method_fingerprint`.
        work_dir (str): The run's work dir (its snapshots).

    Returns:
        dict: Per method, its finished images (seconds, iterations, q',
        the step a resumed one resumed from), the step and seconds of each
        unfinished image's last snapshot (``snapshots``), the images not
        begun (``not_begun``) and how many of the images are finished.
    """
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
                    for key in ('seconds', 'iterations', 'q_prime',
                                'resumed_from', 'device', 'arithmetic')
                    if key in result
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


def bench_quality(args: argparse.Namespace) -> dict:
    """BSDS500 segment covering of per-image methods and baselines.

    Every method segments the same first ``--num-images`` images (sorted by
    name) of the split; images are the outer loop, so an interrupted run
    has scored all methods on the same images. Each (image, method) result
    (best IoUs per mode, seconds, iterations, q') is saved to
    ``<work_dir>/quality_per_image.json`` as soon as it is done, and a rerun
    with the same settings continues from there. An image that a method
    fails on (e.g. an unreadable file) is reported, listed under
    ``skipped`` with the error, left out of every method's scores and
    tried again by a rerun; the run goes on. The scores pool the saved
    results with :class:`SegmentCoveringMetric` (all annotators). With
    ``--progress`` it computes nothing and returns
    :func:`study_progress`.
    """
    init_default_scope('mmseg')
    if getattr(args, 'methods_file', None):
        per_image, baselines = load_methods(args.methods_file)
        NETWORK_METHODS.update(per_image)
        BASELINES.update(baselines)
    methods = []
    for name in args.methods:  # a config file: a method named by its stem
        if name.endswith('.py') and name not in NETWORK_METHODS:
            stem = osp.splitext(osp.basename(name))[0]
            NETWORK_METHODS[stem] = (osp.abspath(name), {})
            name = stem
        methods.append(name)
    unknown = set(methods) - set(NETWORK_METHODS) - set(BASELINES)
    if unknown:
        raise SystemExit(
            f'unknown methods {sorted(unknown)}; choose from '
            f'{sorted(NETWORK_METHODS) + sorted(BASELINES)}.')
    # the images and ground truth, without any method's guide
    dataset = DATASETS.build(
        quality_config('dynaseg_fsf', args).test_dataloader.dataset)
    configs = {
        name: quality_config(name, args)
        for name in methods if name in NETWORK_METHODS
    }
    refining = {  # the methods that start from --checkpoint
        name
        for name, cfg in configs.items()
        if cfg.model.get('init', 'fresh') not in STARTS_WITHOUT
    }
    rows = {  # method -> its rows in the table: recorded steps first
        name: ([f'{name}@T{steps}' for steps in sorted(args.record_iters)] +
               [name]) if name in NETWORK_METHODS else [name]
        for name in methods
    }
    fingerprints = {name: method_fingerprint(name) for name in methods}
    runners = {} if args.progress else {  # (a refine one needs --checkpoint)
        name: network_runner(name, args, fingerprints[name])
        if name in NETWORK_METHODS else baseline_runner(name, dataset)
        for name in methods
    }
    if args.first_image < 0:
        raise SystemExit(
            f'--first-image must be >= 0, got {args.first_image}.')
    indices = list(
        range(args.first_image,
              min(args.first_image + args.num_images, len(dataset))))
    if not indices:
        raise SystemExit(f'no {args.split} image under {args.data_root} '
                         f'from image {args.first_image} on.')
    if args.progress and not osp.isdir(args.work_dir):
        raise SystemExit(f'--progress: no run in {args.work_dir} (no such '
                         'folder); pass the --work-dir of the run.')
    os.makedirs(args.work_dir, exist_ok=True)
    state_path = osp.join(args.work_dir, 'quality_per_image.json')
    settings = dict(
        data_root=osp.abspath(args.data_root),  # as given, resolved
        split=args.split,
        max_iters=args.max_iters,
        optimise_scale=args.optimise_scale,
        autocast=args.autocast)
    if args.checkpoint:  # (absent from runs without, to resume them)
        settings['checkpoint'] = osp.abspath(args.checkpoint)
    if args.record_iters:  # (the same)
        settings['record_iters'] = sorted(args.record_iters)
    if args.cfg_options:
        settings['cfg_options'] = args.cfg_options
    try:
        state = load_results(state_path, settings, START_OVER, images={})
    except ValueError as error:
        raise SystemExit(str(error)) from None
    changed = sorted({  # results saved before it recorded one are trusted
        name
        for rows_of_image in state['images'].values() for name in methods
        if name in rows_of_image and rows_of_image[name].get(
            'config', fingerprints[name]) != fingerprints[name]
    })
    if changed:
        raise SystemExit(
            f'{state_path} holds results of {changed} from configs that '
            f'have changed since; to compare like with like, {START_OVER} '
            '(or check them out as they were).')
    all_stems = [
        osp.splitext(osp.basename(dataset.get_data_info(i)['img_path']))[0]
        for i in indices
    ]
    if args.progress:
        return study_progress(state, all_stems, fingerprints, args.work_dir)
    metric_cfg = dict(type='SegmentCoveringMetric', ignore_index=None)
    failed = {}  # stem -> {method: why it failed}
    for position, (index, stem) in enumerate(zip(indices, all_stems)):
        for name in methods:
            if name in state['images'].get(stem, {}):
                continue
            try:
                result = runners[name](index)
            except Exception as error:  # one bad image must not end the run
                why = f'{type(error).__name__}: {error}'
                failed.setdefault(stem, {})[name] = why
                print(f'[{position + 1}/{len(indices)}] {stem} {name}: '
                      f'skipped ({why}); a rerun tries it again',
                      file=sys.stderr, flush=True)
                continue
            state = save_rows(
                state_path, settings, stem, {
                    row: dict(
                        score(row_result, row, stem, args.work_dir,
                              metric_cfg),
                        config=fingerprints[name])
                    for row, row_result in dict(
                        result.pop('records', {}), **{
                            name: result
                        }).items()
                })
            done = state['images'][stem][name]
            resumed = f", resumed from step {done['resumed_from']}" \
                if 'resumed_from' in done else ''
            print(f'[{position + 1}/{len(indices)}] {stem} {name}: '
                  f"{done['seconds']:.1f} s, "
                  f"{done.get('iterations', '-')} iterations{resumed}",
                  file=sys.stderr, flush=True)
    # every method is scored on the same images: a failed one is left out
    stems = [stem for stem in all_stems if stem not in failed]
    if failed:
        print(f'{len(failed)} of {len(indices)} images left out of the '
              f'table: {json.dumps(failed, indent=1)}',
              file=sys.stderr, flush=True)
    if not stems:
        raise SystemExit('every image failed (see above).')
    table = {}
    for method, name in ((method, row) for method in methods
                         for row in rows[method]):
        metric = METRICS.build(metric_cfg)
        per_image = [state['images'][stem][name] for stem in stems]
        scores = metric.compute_metrics([{
            scoring: {
                mode: np.asarray(r[prefix + mode], dtype=float)
                for mode in ('all', 'fine', 'coarse')
            }
            for scoring, prefix in SCORE_PREFIXES.items()
        } for r in per_image])
        row = {
            key: round(value, 2)
            for key, value in scores.items() if '.' not in key
        }
        row['cluster_labels'] = {
            key.split('.')[0]: round(value, 2)
            for key, value in scores.items() if key.endswith('.labels')
        }
        row['configs'] = sorted(  # method_fingerprint of each result
            {r.get('config', 'unrecorded') for r in per_image})
        row['seconds_per_image'] = round(
            float(np.mean([r['seconds'] for r in per_image])), 2)
        if 'iterations' in per_image[0]:
            row['mean_iterations'] = round(
                float(np.mean([r['iterations'] for r in per_image])), 1)
            row['mean_q_prime'] = round(
                float(np.mean([r['q_prime'] for r in per_image])), 2)
            for key, pooled in (('device', 'devices'),
                                ('arithmetic', 'arithmetic')):
                row[pooled] = sorted(
                    {r.get(key, 'unrecorded') for r in per_image})
        if method in refining:
            row['checkpoint'] = args.checkpoint
        table[name] = row
    for method, cfg in configs.items():  # a guided method against its guide
        guide = guide_baseline(cfg, methods)
        if guide is None:
            continue
        for name in rows[method]:
            table[name]['versus_guide'] = dict(
                guide=guide,
                **versus_guide(
                    [state['images'][stem][name] for stem in stems],
                    [state['images'][stem][guide] for stem in stems],
                    table[name], table[guide]))
    return dict(
        benchmark='quality',
        metric='segment covering (best IoU), all annotators; All/Fine/'
        'Coarse/Mean: predictions split into 4-connected components '
        '(Kanezaki 2020); cluster_labels: each predicted label one segment '
        '(the DynaSeg reference script)',
        split=args.split,
        num_images=len(stems),
        images=stems,
        skipped=failed,
        max_iters=args.max_iters,
        record_iters=sorted(args.record_iters),
        cfg_options=args.cfg_options or {},
        optimise_scale=args.optimise_scale,
        autocast=args.autocast,
        methods={
            name: NETWORK_METHODS.get(name) or BASELINES[name]
            for name in methods
        },
        seconds_note='wall seconds per image on the machine that ran it '
        '(a resumed run may mix machines: per-image methods name their '
        'devices), shared with whatever else ran; per-image methods: k* '
        'estimate, optimisation, labels; baselines: the guide alone, on '
        'the CPU',
        results=table,
        machine=machine_info())


def main() -> None:
    """Parse arguments, run the benchmark, print (and save) its JSON."""
    parser = benchmark_parser(__doc__, num_images=True)
    parser.add_argument(
        '--methods',
        nargs='+',
        default=list(DEFAULT_QUALITY),
        help='methods to score: names in quality_methods.yml (or '
        '--methods-file), or per-image config files (named by their stem)')
    parser.add_argument(
        '--methods-file',
        help='a YAML file of more named methods, shaped as '
        'quality_methods.yml (its names win)')
    parser.add_argument(
        '--data-root',
        default='data/bsds500',
        help='BSDS500 root (images/, groundTruth/)')
    parser.add_argument('--split', default='val', help='BSDS500 split')
    parser.add_argument(
        '--first-image',
        type=int,
        default=0,
        help='skip the images before this one (0-based, by name), e.g. to '
        'choose a setting on other images than those it is reported on')
    parser.add_argument(
        '--max-iters',
        type=int,
        help="override the configs' max_iters (T, 1000)")
    parser.add_argument(
        '--optimise-scale',
        type=float,
        help='optimise_scale of every per-image method')
    parser.add_argument(
        '--autocast',
        choices=['bfloat16'],
        help='autocast dtype of every per-image method')
    parser.add_argument(
        '--record-iters',
        type=int,
        nargs='+',
        default=[],
        help='also score every per-image method after each of these step '
        'counts T (<= its max_iters), from the same run: rows <method>@T<T>')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='config options of every per-image method that does not set '
        'them itself, e.g. model.channels_last=False')
    parser.add_argument(
        '--checkpoint',
        help='dataset-level checkpoint that the amortised methods '
        '(*_refine*) start from')
    parser.add_argument(
        '--device',
        default='cuda' if torch.cuda.is_available() else 'cpu',
        help='torch device of the per-image methods (default: cuda where '
        'there is one, else cpu); a rerun may resume on another device')
    parser.add_argument(
        '--work-dir',
        help='where per-image results are kept for resuming, also by runs '
        'of other --methods at the same time (default '
        'work_dirs/benchmark_quality)')
    parser.add_argument(
        '--progress',
        action='store_true',
        help='compute nothing: report where the run in --work-dir stands '
        '(per method: finished images, the step of each snapshot, images '
        'not begun)')
    args = parser.parse_args()
    args.work_dir = args.work_dir or 'work_dirs/benchmark_quality'
    report(bench_quality(args), args.out)


if __name__ == '__main__':
    main()
