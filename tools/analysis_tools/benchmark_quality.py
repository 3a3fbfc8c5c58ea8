"""Benchmark BSDS500 segment covering of per-image methods and baselines.

Scores the methods named in ``quality_methods.yml`` (``--methods-file``
adds yours; a config path is a method too) on the same first
``--num-images`` images of ``--split`` in one run: segment covering over
every annotator, predictions split into 4-connected components and each
cluster label one segment, with the seconds, iterations and final q' per
image. Each (image, method) result is saved under ``--work-dir`` as it
comes and a rerun with the same settings resumes, also mid-image from a
snapshot; runs of other ``--methods`` may share the work dir.
``--record-iters`` scores each per-image method after fewer steps too,
from the same optimisation (rows ``<method>@T<T>``); ``--progress``
reports where a run stands. docs/results.md describes every option.

Example:
    python tools/analysis_tools/benchmark_quality.py \
        --data-root data/bsds500 --num-images 12 --max-iters 100 \
        --record-iters 0 5 20 --optimise-scale 0.5 --autocast bfloat16
"""
import argparse
import copy
import json
import os
import os.path as osp
import sys
import time
from typing import Callable, Dict, List, Tuple

import numpy as np
import torch
from mmengine import Config, DictAction
from mmengine.registry import init_default_scope
from mmseg.registry import DATASETS, TASK_UTILS

from mmdynaseg.apis import init_model
from mmdynaseg.apis.inference import STARTS_WITHOUT
from benchmark_common import (benchmark_parser, logs_to_stderr, machine_info,
                              report)
from quality_methods import (BASELINES, DEFAULT_QUALITY, NETWORK_METHODS,
                             baseline_guide, guide_baseline,
                             method_fingerprint, quality_config,
                             resolve_methods)
from quality_results import (open_state, save_rows, score, study_progress,
                             table_row, versus_guide)

# a per-image method reports its step and q' every this many steps
PROGRESS_STEPS = 50


Runner = Callable[[int], dict]


def network_runner(name: str, cfg: Config, args: argparse.Namespace,
                   fingerprint: str) -> Runner:
    """A runner of a per-image method from its config ``cfg``
    (:func:`quality_config`).

    It segments the item of an index of the method's own test dataset and
    returns :func:`outcome`, and under ``records`` the same for each step
    count of ``--record-iters`` (``<name>@T<T>``). Snapshots are kept under
    ``<work_dir>/snapshots/<name>-<fingerprint>/``, so a run killed
    mid-image resumes it.
    """
    cfg = copy.deepcopy(cfg)
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
    """The sample's fields (a dict) with the labels, seconds, iterations,
    q' and arithmetic of ``result`` (the sample or one of its ``recorded``
    results), the ``device`` and the step a resumed image resumed from."""
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


def run_settings(args: argparse.Namespace) -> dict:
    """The settings a work dir's results must share to be resumed."""
    settings = dict(
        data_root=osp.abspath(args.data_root),
        split=args.split,
        max_iters=args.max_iters,
        optimise_scale=args.optimise_scale,
        autocast=args.autocast)
    # (absent when unset, so that runs saved without them resume)
    for key, value in (('checkpoint', args.checkpoint
                        and osp.abspath(args.checkpoint)),
                       ('record_iters', sorted(args.record_iters)),
                       ('cfg_options', args.cfg_options)):
        if value:
            settings[key] = value
    return settings


def run_methods(runners: Dict[str, Runner], images: List[Tuple[int, str]],
                state: dict, save: Callable[[str, dict], dict],
                fingerprints: Dict[str, str],
                work_dir: str) -> Tuple[dict, dict]:
    """Run every method on every image not yet in ``state``, images the
    outer loop; ``save(stem, rows)`` keeps each result as it comes. An
    image a method fails on is reported and skipped (a rerun tries it
    again). Returns the state as saved last and stem -> {method: why it
    failed}."""
    failed = {}
    for position, (index, stem) in enumerate(images):
        where = f'[{position + 1}/{len(images)}] {stem}'
        for name, runner in runners.items():
            if name in state['images'].get(stem, {}):
                continue
            try:
                result = runner(index)
            except Exception as error:  # one bad image must not end the run
                why = f'{type(error).__name__}: {error}'
                failed.setdefault(stem, {})[name] = why
                print(f'{where} {name}: skipped ({why}); a rerun tries it '
                      'again', file=sys.stderr, flush=True)
                continue
            rows = dict(result.pop('records', {}), **{name: result})
            state = save(stem, {
                row: dict(score(row_result, row, stem, work_dir),
                          config=fingerprints[name])
                for row, row_result in rows.items()
            })
            done = state['images'][stem][name]
            resumed = f", resumed from step {done['resumed_from']}" \
                if 'resumed_from' in done else ''
            print(f"{where} {name}: {done['seconds']:.1f} s, "
                  f"{done.get('iterations', '-')} iterations{resumed}",
                  file=sys.stderr, flush=True)
    return state, failed


def bench_quality(args: argparse.Namespace) -> dict:
    """BSDS500 segment covering of per-image methods and baselines on the
    same images (module docstring); with ``--progress``, where the run in
    the work dir stands (:func:`study_progress`)."""
    init_default_scope('mmseg')
    methods = resolve_methods(args)
    # the images and ground truth, without any method's guide
    dataset = DATASETS.build(
        quality_config('dynaseg_fsf', args).test_dataloader.dataset)
    configs = {
        name: quality_config(name, args)
        for name in methods if name in NETWORK_METHODS
    }
    rows = {  # method -> its rows in the table: recorded steps first
        name: [f'{name}@T{steps}' for steps in sorted(args.record_iters)] +
        [name] if name in NETWORK_METHODS else [name]
        for name in methods
    }
    fingerprints = {name: method_fingerprint(name) for name in methods}
    runners = {} if args.progress else {  # (refining needs --checkpoint)
        name: network_runner(name, configs[name], args, fingerprints[name])
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
    settings = run_settings(args)
    state = open_state(state_path, settings, fingerprints)
    all_stems = [
        osp.splitext(osp.basename(dataset.get_data_info(i)['img_path']))[0]
        for i in indices
    ]
    if args.progress:
        return study_progress(state, all_stems, fingerprints, args.work_dir)
    state, failed = run_methods(
        runners, list(zip(indices, all_stems)), state,
        lambda stem, new: save_rows(state_path, settings, stem, new),
        fingerprints, args.work_dir)
    # every method is scored on the same images: a failed one is left out
    stems = [stem for stem in all_stems if stem not in failed]
    if failed:
        print(f'{len(failed)} of {len(indices)} images left out of the '
              f'table: {json.dumps(failed, indent=1)}',
              file=sys.stderr, flush=True)
    if not stems:
        raise SystemExit('every image failed (see above).')

    def results(name: str) -> List[dict]:
        return [state['images'][stem][name] for stem in stems]

    table = {row: table_row(results(row)) for method in methods
             for row in rows[method]}
    for name, cfg in configs.items():
        if cfg.model.get('init', 'fresh') not in STARTS_WITHOUT:
            for row in rows[name]:  # started from --checkpoint
                table[row]['checkpoint'] = args.checkpoint
        guide = guide_baseline(cfg, methods)
        for row in rows[name] if guide else ():  # against its guide alone
            table[row]['versus_guide'] = dict(
                guide=guide,
                **versus_guide(results(row), results(guide), table[row],
                               table[guide]))
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
    add = parser.add_argument
    add('--methods', nargs='+', default=list(DEFAULT_QUALITY),
        help='methods to score: names in quality_methods.yml (or '
        '--methods-file), or per-image config files (named by their stem)')
    add('--methods-file', help='a YAML file of more named methods, shaped '
        'as quality_methods.yml (its names win)')
    add('--data-root', default='data/bsds500',
        help='BSDS500 root (images/, groundTruth/)')
    add('--split', default='val', help='BSDS500 split')
    add('--first-image', type=int, default=0,
        help='skip the images before this one (0-based, by name), e.g. to '
        'choose a setting on other images than those it is reported on')
    add('--max-iters', type=int,
        help="override the configs' max_iters (T, 1000)")
    add('--optimise-scale', type=float,
        help='optimise_scale of every per-image method')
    add('--autocast', choices=['bfloat16'],
        help='autocast dtype of every per-image method')
    add('--record-iters', type=int, nargs='+', default=[],
        help='also score every per-image method after each of these step '
        'counts T (<= its max_iters), from the same run: rows <method>@T<T>')
    add('--cfg-options', nargs='+', action=DictAction,
        help='config options of every per-image method that does not set '
        'them itself, e.g. model.channels_last=False')
    add('--checkpoint', help='dataset-level checkpoint that the amortised '
        'methods (*_refine*) start from')
    add('--device', default='cuda' if torch.cuda.is_available() else 'cpu',
        help='torch device of the per-image methods (default: cuda where '
        'there is one, else cpu); a rerun may resume on another device')
    add('--work-dir', default='work_dirs/benchmark_quality',
        help='where per-image results are kept for resuming, also by runs '
        'of other --methods at the same time')
    add('--progress', action='store_true',
        help='compute nothing: report where the run in --work-dir stands '
        '(per method: finished images, the step of each snapshot, images '
        'not begun)')
    args = parser.parse_args()
    logs_to_stderr()
    report(bench_quality(args), args.out)


if __name__ == '__main__':
    main()
