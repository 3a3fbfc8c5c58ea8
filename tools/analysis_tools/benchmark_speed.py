"""Benchmark the cost of the models, side by side in one run.

On CUDA when a GPU is present. (a) Per-image optimisation of
``configs/dynaseg_fsf_cnn_bsds500.py`` at 481 x 321 (``--per-image-size``,
the first ``--images`` image): first-step seconds (compilation included)
and milliseconds per optimiser step (``--iters`` steps, median of
``--repeats`` runs) of the published loop written plainly in PyTorch
(:func:`naive_loop_ms`), plain float32 eager, each speed option alone
(``PER_IMAGE_OPTIONS``), the shipped default (compiled, bf16,
channels-last; also on the transposed image, its second graph) and the
default at half scale; per-image seconds = ms/step x the config's
``max_iters`` T (BSDS500 images rarely stop earlier at q' <= 3: see the
quality benchmark's ``mean_iterations``). (b) Dataset-level inference
images/s at 320 x 320 (``--dataset-size``, ``--batches``) of
``configs/dynaseg_fsf_cnn_coco.py`` and ``configs/dynaseg_fsf_r18_coco.py``
(random weights: no ImageNet checkpoint needed), float32 and bf16 +
channels-last. (c) Seconds per training iteration of the CNN COCO config
(batch 4): float32, ``--amp``, + channels-last, + ``compile``. (d) The
amortised refinement (``refine``): ms/step of
``configs/dynaguide_kmeans_cnn_bsds500_refine.py`` (a fresh head on
frozen features, random in place of a checkpoint's) at the per-image
size, as shipped and without ``keep_freed_memory``. ``--sections`` picks
among these and ``--per-image-options`` among the rows of (a). Then the
peak resident memory (and on CUDA the peak GPU memory allocated).

Example:
    python tools/analysis_tools/benchmark_speed.py \
        --images 'data/bsds500/images/val/*.jpg' --iters 5 \
        --repeats 3 --out docs/benchmarks/speed.json
"""
import argparse
import json
import os.path as osp
import resource
import subprocess
import sys
from typing import Optional, Tuple

import mmcv
import numpy as np
import torch
from mmengine import Config
from mmseg.registry import MODELS, TRANSFORMS
from mmseg.utils import register_all_modules

from mmdynaseg.datasets.transforms import PackGuidedSegInputs
from mmdynaseg.utils import supports_autocast
from benchmark_common import (benchmark_parser, image_paths, machine_info,
                              report, timed)

# the repository (this file is tools/analysis_tools/<name>.py)
ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _build_model(config: str, **overrides) -> torch.nn.Module:
    """A model of a config with ``overrides`` of ``cfg.model``, on CPU."""
    cfg = Config.fromfile(config)
    cfg.model.update(overrides)
    backbone = cfg.model.get('backbone', {})
    if backbone.get('init_cfg'):
        # timing only: random weights, no ImageNet checkpoint needed
        backbone['init_cfg'] = None
    return MODELS.build(cfg.model)


def _preprocess(model: torch.nn.Module, image: np.ndarray) -> torch.Tensor:
    """``(1, C, H, W)`` input of a BGR uint8 image, as the model's
    data preprocessor makes it for testing."""
    tensor = torch.from_numpy(np.ascontiguousarray(image.transpose(2, 0, 1)))
    return model.data_preprocessor(dict(inputs=[tensor]), False)['inputs']


# speed: the per-image options, each alone, then the shipped default (the
# config as it is: compiled, bf16, channels-last); overrides of cfg.model,
# timed in this order: the rows without keep_freed_memory first (see
# refine_section).
PLAIN = dict(
    autocast=None, channels_last=False, compile=False, keep_freed_memory=False)
PER_IMAGE_OPTIONS = {
    'plain': PLAIN,
    'channels_last': dict(PLAIN, channels_last=True),
    'bf16_autocast': dict(PLAIN, autocast='bfloat16'),
    'compile': dict(PLAIN, compile=dict(dynamic=False)),
    'optimise_scale_0_5': dict(PLAIN, optimise_scale=0.5),
    'keep_freed_memory': dict(PLAIN, keep_freed_memory=True),
    'default': {},
    'default+optimise_scale_0_5': dict(optimise_scale=0.5),
}
# dataset-level inference and training: bf16 autocast + channels-last
FAST = dict(amp=True, channels_last=True)
# speed: the amortised refinement, a head trained on frozen features; its
# rows: overrides of cfg.model
REFINE_CONFIG = 'dynaguide_kmeans_cnn_bsds500_refine.py'
REFINE_ROWS = {
    'without_keep_freed_memory': dict(keep_freed_memory=False),
    'default': {},
}
SECTIONS = ('per_image', 'refine', 'dataset', 'training')


def naive_loop_ms(image: torch.Tensor, iters: int, repeats: int) -> float:
    """Milliseconds per step of the published per-image loop, written
    plainly in PyTorch (Kanezaki 2020 / the DynaSeg reference): the same
    network (3 x [conv3x3, ReLU, BN], 1x1 conv, BN; p = q = 100), CE to
    the argmax plus FSF-weighted L1 continuity, SGD lr 0.1, momentum 0.9,
    float32, eager, one ``.item()`` per step for q'."""
    torch.manual_seed(0)
    layers = []
    for i in range(3):
        layers += [
            torch.nn.Conv2d(3 if i == 0 else 100, 100, 3, padding=1),
            torch.nn.ReLU(),
            torch.nn.BatchNorm2d(100)
        ]
    net = torch.nn.Sequential(*layers, torch.nn.Conv2d(100, 100, 1),
                              torch.nn.BatchNorm2d(100)).to(image.device)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)

    def steps(count: int) -> None:
        for _ in range(count):
            response = net(image)
            target = response.argmax(1)
            q_prime = len(torch.unique(target))
            continuity = (
                (response[:, :, 1:] - response[:, :, :-1]).abs().mean() +
                (response[:, :, :, 1:] - response[:, :, :, :-1]).abs().mean())
            loss = torch.nn.functional.cross_entropy(
                response, target) + q_prime / 15 * continuity
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    steps(1)
    return round(
        float(np.median([timed(steps, iters)[1]
                         for _ in range(repeats)])) / iters * 1000, 2)


def per_image_timings(model: torch.nn.Module,
                      inputs: torch.Tensor,
                      iters: int,
                      repeats: int,
                      data_samples: Optional[list] = None) -> dict:
    """First-step seconds and milliseconds per optimiser step.

    ``predict`` with ``stop_threshold=None`` runs exactly ``max_iters``
    steps plus fixed work (state copies, one more forward pass, the
    labels). The first call (one step) includes any compilation for this
    input size; a step costs the difference of the median times of
    ``iters + 1`` and of 1 step, divided by ``iters``.
    """
    model.stop_threshold = None

    def run(steps: int) -> float:
        model.max_iters = steps
        with torch.no_grad():
            return timed(model.predict, inputs, data_samples)[1]

    first = run(1)
    one = np.median([run(1) for _ in range(repeats)])
    many = np.median([run(iters + 1) for _ in range(repeats)])
    return dict(
        first_step_seconds=round(first, 2),
        per_iteration_ms=round(float(many - one) / iters * 1000, 2))


def refine_row(args: argparse.Namespace, name: str, device: str) -> dict:
    """First-step seconds and ms/step of one :data:`REFINE_ROWS` row of
    the amortised DynaGuide refinement (:data:`REFINE_CONFIG`: a fresh
    head on frozen features; random features instead of a checkpoint's,
    the same cost) with its k-means guide, in this process."""
    path, image = benchmark_image(args)
    config = osp.join(ROOT, 'configs', REFINE_CONFIG)
    # the guide as the config's test pipeline attaches it: its
    # LoadGuidance, then PackGuidedSegInputs
    load_guidance = TRANSFORMS.build(Config.fromfile(config).test_pipeline[1])
    results = load_guidance(
        dict(
            img=image,
            img_path=path,
            img_shape=image.shape[:2],
            ori_shape=image.shape[:2]))
    sample = PackGuidedSegInputs()(results)['data_samples']
    model = _build_model(config, **REFINE_ROWS[name]).to(device)
    return per_image_timings(model, _preprocess(model, image), args.iters,
                             args.repeats, [sample])


def refine_section(args: argparse.Namespace, path: str) -> dict:
    """(d): :func:`refine_row` of every row, each in a new interpreter;
    ``path``: the image's.

    Once ``keep_freed_memory`` has grown the heap, glibc keeps serving
    large tensors from it after the context too, so a row without it
    timed after one with it in the same process would inherit most of
    its effect.
    """
    max_iters = Config.fromfile(osp.join(ROOT, 'configs',
                                         REFINE_CONFIG)).model.max_iters
    rows = {}
    for name in REFINE_ROWS:
        command = [
            sys.executable,
            osp.abspath(__file__), '--images', args.images,
            '--per-image-size', *map(str, args.per_image_size), '--iters',
            str(args.iters), '--repeats',
            str(args.repeats), '--refine-row', name
        ]
        stdout = subprocess.run(
            command, check=True, capture_output=True, text=True).stdout
        rows[name] = json.loads(stdout.splitlines()[-1])
        rows[name]['per_image_seconds'] = round(
            rows[name]['per_iteration_ms'] * max_iters / 1000, 1)
    return dict(
        config=f'configs/{REFINE_CONFIG}',
        max_iters=max_iters,
        size=list(args.per_image_size),
        image=osp.basename(path),
        options=REFINE_ROWS,
        note='each row timed in a new interpreter',
        results=rows)


def train_iteration_seconds(config: str, variant: dict, batch: int,
                            size: int, iters: int, device: str) -> float:
    """Median seconds of a dataset-level training iteration
    (``model.train_step``: preprocessing, forward, losses, backward, SGD)
    on random ``batch`` x ``size`` x ``size`` images; ``variant`` may set
    ``amp`` (bf16 :class:`AutocastOptimWrapper` on CPU, MMEngine's
    ``AmpOptimWrapper`` on GPU), ``channels_last`` and ``compile``
    (``torch.compile`` of ``train_step``, as MMEngine's ``compile=True``).
    """
    from mmengine.optim import build_optim_wrapper
    cfg = Config.fromfile(config)
    model = _build_model(config).to(device)
    wrapper_cfg = dict(cfg.optim_wrapper)
    if variant.get('amp'):
        wrapper_cfg['type'] = 'AmpOptimWrapper' if device == 'cuda' \
            else 'AutocastOptimWrapper'
    optim_wrapper = build_optim_wrapper(model, wrapper_cfg)
    if variant.get('channels_last'):
        model.to(memory_format=torch.channels_last)
    step = torch.compile(model.train_step) if variant.get('compile') \
        else model.train_step
    from mmseg.structures import SegDataSample
    generator = torch.Generator().manual_seed(0)
    shape = (size, size)
    data = dict(
        inputs=[
            torch.randint(0, 256, (3, ) + shape, generator=generator).byte()
            for _ in range(batch)
        ],
        data_samples=[
            SegDataSample(metainfo=dict(img_shape=shape, ori_shape=shape))
            for _ in range(batch)
        ])
    model.train()
    step(data, optim_wrapper)
    return round(
        float(
            np.median([
                timed(step, data, optim_wrapper)[1] for _ in range(iters)
            ])), 3)


def benchmark_image(args: argparse.Namespace) -> Tuple[str, np.ndarray]:
    """The first ``--images`` image resized to ``--per-image-size``."""
    path = image_paths(args.images, 1)[0]
    height, width = args.per_image_size
    return path, mmcv.imresize(mmcv.imread(path), (width, height))


def per_image_section(args: argparse.Namespace, image: np.ndarray,
                      path: str, device: str) -> dict:
    """(a): ms/step of the per-image options chosen (plain always)."""
    per_image_cfg = osp.join(ROOT, 'configs', 'dynaseg_fsf_cnn_bsds500.py')
    max_iters = Config.fromfile(per_image_cfg).model.max_iters
    per_image = {}
    for name in [
            name for name in PER_IMAGE_OPTIONS
            if name == 'plain' or name in args.per_image_options
    ]:
        model = _build_model(per_image_cfg, **PER_IMAGE_OPTIONS[name]).to(
            device)
        inputs = _preprocess(model, image)
        row = per_image_timings(model, inputs, args.iters, args.repeats)
        if name == 'default':  # the other orientation: its own graph
            portrait = per_image_timings(model, inputs.transpose(2, 3),
                                         args.iters, args.repeats)
            row.update({f'portrait_{k}': v for k, v in portrait.items()})
        per_image[name] = row
        if name == 'plain':
            per_image['naive_loop'] = dict(
                per_iteration_ms=naive_loop_ms(inputs, args.iters,
                                               args.repeats))
    for row in per_image.values():
        row['per_image_seconds'] = round(
            row['per_iteration_ms'] * max_iters / 1000, 1)
        row['speedup_vs_plain'] = round(
            per_image['plain']['per_iteration_ms'] /
            row['per_iteration_ms'], 2)
    return dict(
        config='configs/dynaseg_fsf_cnn_bsds500.py',
        size=list(image.shape[:2]),
        image=osp.basename(path),
        timed_steps=args.iters,
        repeats=args.repeats,
        max_iters=max_iters,
        options={
            name: PER_IMAGE_OPTIONS.get(name, 'plain PyTorch loop')
            for name in per_image
        },
        fast_bf16=supports_autocast(device, 'bfloat16'),
        note=('default = the config as shipped: bf16 autocast, '
              'channels-last and compiled where the device has fast '
              'bf16 kernels (fast_bf16), else float32 eager as plain; '
              'portrait_* = the same model on the transposed image (a '
              'second compiled graph); first_step_seconds includes '
              'compilation; per_image_seconds = per_iteration_ms x '
              'max_iters'),
        results=per_image)


def dataset_section(args: argparse.Namespace, device: str) -> dict:
    """(b): dataset-level inference images/s."""
    dataset = {}
    for name in ('dynaseg_fsf_cnn_coco', 'dynaseg_fsf_r18_coco'):
        dataset[name] = {}
        for variant, options in (('plain', {}), ('bf16+channels_last',
                                                 FAST)):
            model = _build_model(osp.join(ROOT, 'configs',
                                          name + '.py')).to(device).eval()
            if options.get('channels_last'):
                model.to(memory_format=torch.channels_last)
            for batch in args.batches:
                inputs = torch.rand(batch, 3, args.dataset_size,
                                    args.dataset_size, device=device)

                def predict():
                    with torch.no_grad(), torch.autocast(
                            device,
                            dtype=torch.bfloat16,
                            enabled=bool(options.get('amp'))):
                        model.predict(inputs)

                predict()
                seconds = np.median(
                    [timed(predict)[1] for _ in range(args.repeats)])
                dataset[name][f'{variant}_batch_{batch}'] = round(
                    batch / seconds, 2)
    return dict(
        size=[args.dataset_size, args.dataset_size],
        note='model.eval(), torch.no_grad(), model.predict, random '
        'weights and inputs; bf16+channels_last = tools/test.py --amp '
        "with custom_hooks=[dict(type='ChannelsLastHook')]",
        **dataset)


def training_section(args: argparse.Namespace, device: str) -> dict:
    """(c): seconds per training iteration of the CNN COCO config."""
    coco_cfg = osp.join(ROOT, 'configs', 'dynaseg_fsf_cnn_coco.py')
    training = {
        variant: train_iteration_seconds(coco_cfg, options, 4,
                                         args.dataset_size, args.repeats,
                                         device)
        for variant, options in (('plain', {}), ('amp', dict(amp=True)),
                                 ('amp+channels_last', FAST),
                                 ('amp+channels_last+compile',
                                  dict(FAST, compile=True)))
    }
    return dict(
        config='configs/dynaseg_fsf_cnn_coco.py',
        batch=4,
        size=[args.dataset_size, args.dataset_size],
        note='model.train_step on random images (no data loading); '
        'amp = tools/train.py --amp, channels_last = ChannelsLastHook, '
        'compile = compile=True in the config',
        **training)


def _setup() -> str:
    """Register the modules; the device to time on."""
    register_all_modules()
    return 'cuda' if torch.cuda.is_available() else 'cpu'


def bench_speed(args: argparse.Namespace) -> dict:
    """The sections chosen, all in this one run, and the peak RSS (and
    GPU memory allocated, on CUDA)."""
    device = _setup()
    path, image = benchmark_image(args)
    result = dict(benchmark='speed', device=device)
    if 'per_image' in args.sections:
        result['per_image'] = per_image_section(args, image, path, device)
    if 'refine' in args.sections:
        result['refine'] = refine_section(args, path)
    if 'dataset' in args.sections:
        result['dataset_images_per_second'] = dataset_section(args, device)
    if 'training' in args.sections:
        result['train_iteration_seconds'] = training_section(args, device)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if device == 'cuda':  # this process's; the refine rows are their own
        result['peak_cuda_allocated_mib'] = round(
            torch.cuda.max_memory_allocated() / 2**20, 1)
    return dict(
        result, peak_rss_mib=round(peak_kib / 1024, 1),
        machine=machine_info())


def main() -> None:
    """Parse arguments, run the benchmark, print (and save) its JSON."""
    parser = benchmark_parser(
        __doc__, 'glob of images; the first is optimised (quote it)')
    parser.add_argument(
        '--iters',
        type=int,
        default=10,
        help='optimiser steps timed per run')
    parser.add_argument(
        '--repeats', type=int, default=3, help='timed runs (median)')
    parser.add_argument(
        '--per-image-size',
        type=int,
        nargs=2,
        default=[321, 481],
        metavar=('H', 'W'),
        help='size the per-image optimisation runs at')
    parser.add_argument(
        '--dataset-size',
        type=int,
        default=320,
        help='square input size of dataset-level inference')
    parser.add_argument(
        '--batches',
        type=int,
        nargs='+',
        default=[1, 8],
        help='batch sizes of dataset-level inference')
    parser.add_argument(
        '--sections',
        nargs='+',
        choices=SECTIONS,
        default=list(SECTIONS),
        help='what to time (default: all)')
    parser.add_argument(
        '--per-image-options',
        nargs='+',
        choices=list(PER_IMAGE_OPTIONS),
        default=list(PER_IMAGE_OPTIONS),
        help='rows of the per_image section (plain is always timed)')
    parser.add_argument(
        '--refine-row', choices=list(REFINE_ROWS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.refine_row:  # one row of refine_section, in its new process
        print(json.dumps(refine_row(args, args.refine_row, _setup())))
        return
    report(bench_speed(args), args.out)


if __name__ == '__main__':
    main()
