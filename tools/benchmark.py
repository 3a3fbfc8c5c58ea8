"""Benchmarks of mmdynaseg; each prints one JSON object (and can save it).

``demo``: the README's main job (``tools/demo.py``) end to end in a child
process: wall-clock seconds, training seconds, peak resident memory, the demo
mIoU and the all-one-cluster baseline, against the 15-minute target on the
machine it runs on.

``silhouette``: milliseconds per image of the silhouette estimate of k*
(``SilhouetteHook``: 500 sampled pixels, one k-means per k) on the BSDS500
val images (``--images``; by default ``../shared/data/bsds500/images/val``
or ``data/bsds500/images/val``, whichever exists), against the 0.1 s median
target; and, on the first ``--num-exhaustive`` images (default 3, about
a minute each on 2 cores), its agreement with the exhaustive k* of the
published code (scikit-learn ``KMeans(n_init=10)`` on every pixel, the exact
silhouette over every pixel; see :func:`exhaustive_num_segments`): the
fractions of images with ``|k*_sub - k*_exh| <= 1`` and ``== 0``.

``speed``: cost of the models, side by side in one run (on CUDA when a GPU
is present). (a) Per-image optimisation of
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
(batch 4): float32, ``--amp``, + channels-last, + ``compile``. (d) Peak
resident memory.

``quality``: BSDS500 segment covering (All / Fine / Coarse / Mean, every
annotator; predictions split into 4-connected components, and, for results
saved since it was added, also each cluster label as one segment) of
per-image methods and of baselines, all on the same first
``--num-images`` images of ``--split`` in one run: the DynaSeg FSF / SCF and
DynaGuide configs, DynaSeg FSF with each speed option (``NETWORK_METHODS``),
and k-means on Lab colour, Felzenszwalb and SLIC, i.e. the DynaGuide guides
alone (``BASELINES``); with the seconds, iterations and final q' per image.
``--max-iters``, ``--optimise-scale`` and ``--autocast`` apply to every
per-image method that does not set them itself (the configs' own settings
otherwise: T = 1000 at full resolution, compiled bf16 by default; the
papers' float32 eager loop is ``dynaseg_fsf+float32_eager``). Finished
(image, method) results, and each prediction as a label PNG under
``<work_dir>/labels/<method>/``, are saved as they come, and a rerun with
the same settings resumes (``--work-dir``).

Example:
    python tools/benchmark.py demo --out work_dirs/benchmark_demo.json
    python tools/benchmark.py silhouette --num-images 50 --num-exhaustive 3
    python tools/benchmark.py speed --out work_dirs/benchmark_speed.json
    python tools/benchmark.py quality --num-images 12 --max-iters 100 \
        --optimise-scale 0.5 --autocast bfloat16
"""
import argparse
import glob
import json
import os
import os.path as osp
import platform
import resource
import subprocess
import sys
import time
from typing import Callable, List, Tuple

import mmcv
import numpy as np
import torch
from mmengine import Config
from mmengine.registry import init_default_scope
from mmseg.registry import DATASETS, METRICS, MODELS, TASK_UTILS
from mmseg.utils import register_all_modules
from sklearn.cluster import KMeans
from sklearn.metrics import pairwise_distances

from mmdynaseg.models.utils.silhouette import (
    estimate_num_segments, pixel_features, silhouette_samples_from_sums)
from mmdynaseg.utils import load_config

DEMO_LIMIT_S = 15 * 60
# rows of the all-pixel distance matrix held at once (x distinct colours)
EXHAUSTIVE_CHUNK = 1024


def machine() -> dict:
    """What the numbers were measured on."""
    flags, model = set(), platform.processor() or platform.machine()
    if osp.isfile('/proc/cpuinfo'):
        with open('/proc/cpuinfo') as f:
            for line in f:
                key, _, value = line.partition(':')
                if key.strip() == 'model name':
                    model = value.strip()
                elif key.strip() == 'flags':
                    flags = set(value.split())
    return dict(
        cpu=model,
        cpu_bf16=sorted(flags & {'avx512_bf16', 'amx_bf16'}),
        gpu=torch.cuda.get_device_name() if torch.cuda.is_available() else
        None,
        cpu_count=os.cpu_count(),
        torch_threads=torch.get_num_threads(),
        torch=torch.__version__,
        python=platform.python_version(),
        processor=platform.processor() or platform.machine())


def bench_demo(args: argparse.Namespace) -> dict:
    """Run tools/demo.py once and time it."""
    work_dir = args.work_dir
    cmd = [
        sys.executable,
        osp.join(osp.dirname(osp.abspath(__file__)), 'demo.py'),
        '--work-dir', work_dir
    ]
    start = time.perf_counter()
    subprocess.run(cmd, check=True)
    wall = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with open(osp.join(work_dir, 'summary.json')) as f:
        summary = json.load(f)
    return dict(
        benchmark='demo',
        config=summary['config'],
        protocol=summary['protocol'],
        wall_seconds=round(wall, 1),
        train_seconds=round(summary['train_seconds'], 1),
        peak_rss_mib=round(peak_kib / 1024, 1),
        limit_seconds=DEMO_LIMIT_S,
        within_limit=wall < DEMO_LIMIT_S,
        mIoU=summary['dynaseg']['mIoU'],
        aAcc=summary['dynaseg']['aAcc'],
        baseline_mIoU=summary['all_one_cluster_baseline']['mIoU'],
        baseline_aAcc=summary['all_one_cluster_baseline']['aAcc'],
        machine=machine())


def default_bsds500_root() -> str:
    """BSDS500 beside the repository or under data/, whichever exists."""
    root = osp.dirname(osp.dirname(osp.abspath(__file__)))
    for candidate in (osp.join(root, '..', 'shared', 'data', 'bsds500'),
                      osp.join(root, 'data', 'bsds500')):
        if osp.isdir(candidate):
            return osp.normpath(candidate)
    return osp.join(root, 'data', 'bsds500')


def default_bsds500_val() -> str:
    """Glob of the BSDS500 val images (:func:`default_bsds500_root`)."""
    return osp.join(default_bsds500_root(), 'images', 'val', '*.jpg')


def pixel_silhouettes(points: np.ndarray, counts: np.ndarray,
                      labelings: List[np.ndarray]) -> List[float]:
    """Mean silhouette over all pixels of several clusterings of an image.

    The pixels are given as their distinct feature vectors ``points`` with
    multiplicities ``counts`` (identical pixels have identical distances
    and labels), so the exact all-pixel score costs ``O(u^2)`` for ``u``
    distinct vectors instead of ``O(n^2)`` for ``n`` pixels. The distances
    are computed once, in row chunks, for all clusterings. The values
    equal ``sklearn.metrics.silhouette_score`` on the expanded pixels (a
    test checks it), with a one-member cluster scoring 0.

    Args:
        points (np.ndarray): ``(u, d)`` distinct feature vectors.
        counts (np.ndarray): ``(u,)`` number of pixels of each.
        labelings (list[np.ndarray]): ``(u,)`` cluster labels per
            clustering.

    Returns:
        list[float]: The pixel-weighted mean silhouette of each clustering.
    """
    labelings = [np.unique(labels, return_inverse=True)[1].ravel()
                 for labels in labelings]
    members = [
        np.eye(labels.max() + 1)[labels] * counts[:, None]
        for labels in labelings
    ]
    stacked = np.concatenate(members, axis=1)
    summed = np.empty((len(points), stacked.shape[1]))
    for start in range(0, len(points), EXHAUSTIVE_CHUNK):
        rows = slice(start, start + EXHAUSTIVE_CHUNK)
        summed[rows] = pairwise_distances(points[rows], points) @ stacked
    scores, offset = [], 0
    for labels, weighted in zip(labelings, members):
        sizes = weighted.sum(axis=0)
        samples = silhouette_samples_from_sums(
            summed[:, offset:offset + len(sizes)], labels, sizes)
        offset += len(sizes)
        scores.append(float(np.average(samples, weights=counts)))
    return scores


def exhaustive_num_segments(image: np.ndarray,
                            k_min: int = 3,
                            k_max: int = 26,
                            n_init: int = 10,
                            seed: int = 0) -> int:
    """``k*`` the published way: every pixel, 10 k-means restarts per k.

    The reference for :func:`estimate_num_segments` (same defaults, Lab
    features of :func:`pixel_features`): for every ``k`` in
    ``[k_min, k_max]``, scikit-learn ``KMeans(k, n_init=n_init)`` on all
    pixels, scored by the exact silhouette over all pixels
    (:func:`pixel_silhouettes`). K-means runs on the distinct colours
    weighted by their pixel counts, which is the same objective and the
    same weighted k-means++ / Lloyd algorithm as on the expanded pixels.

    Args:
        image (np.ndarray): ``(H, W, 3)`` uint8 RGB image.
        k_min (int): Smallest candidate. Defaults to 3.
        k_max (int): Largest candidate. Defaults to 26.
        n_init (int): K-means restarts per ``k``. Defaults to 10.
        seed (int): ``random_state`` of k-means. Defaults to 0.

    Returns:
        int: ``k*`` (``k_min`` for an image with fewer distinct colours).
    """
    height, width = image.shape[:2]
    features = pixel_features(image, np.arange(height * width))
    points, counts = np.unique(features, axis=0, return_counts=True)
    candidates = range(k_min, min(k_max, len(points)) + 1)
    if not candidates:
        return k_min
    labelings = [
        KMeans(k, n_init=n_init, random_state=seed).fit(
            points, sample_weight=counts).labels_ for k in candidates
    ]
    scores = pixel_silhouettes(points, counts, labelings)
    return candidates[int(np.argmax(scores))]


def _timed(function: Callable, *args) -> Tuple[object, float]:
    """Result of ``function(*args)`` and its wall seconds."""
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def _ms(seconds: List[float], q: float = 50) -> float:
    """Percentile ``q`` of durations in seconds, in milliseconds."""
    return round(float(np.percentile(seconds, q)) * 1000, 1)


def _image_paths(pattern: str, num_images: int) -> List[str]:
    """The first ``num_images`` images matching ``pattern``, sorted."""
    paths = sorted(glob.glob(pattern))[:num_images]
    if not paths:
        raise FileNotFoundError(
            f'no image matches {pattern!r}; pass --images "DIR/*.jpg" '
            '(BSDS500 val: see data/README.md).')
    return paths


def bench_silhouette(args: argparse.Namespace) -> dict:
    """Time the subsampled estimate of k*; compare it with the exhaustive."""
    paths = _image_paths(args.images, args.num_images)
    times, ks = [], []
    for path in paths:
        image = mmcv.imread(path, channel_order='rgb')
        k, seconds = _timed(estimate_num_segments, image)
        ks.append(k)
        times.append(seconds)
    exhaustive_times, pairs = [], []
    for path, k in zip(paths[:args.num_exhaustive], ks):
        image = mmcv.imread(path, channel_order='rgb')
        k_exh, seconds = _timed(exhaustive_num_segments, image)
        exhaustive_times.append(seconds)
        pairs.append(
            dict(image=osp.basename(path), k_subsampled=k,
                 k_exhaustive=k_exh))
    gaps = np.array([abs(p['k_subsampled'] - p['k_exhaustive'])
                     for p in pairs])
    return dict(
        benchmark='silhouette',
        images=args.images,
        num_images=len(paths),
        median_ms=_ms(times),
        p90_ms=_ms(times, 90),
        target_median_ms=100,
        within_target=float(np.median(times)) <= 0.1,
        k_star_counts={
            str(k): int(n)
            for k, n in zip(*np.unique(ks, return_counts=True))
        },
        exhaustive=dict(
            method=('sklearn KMeans(k, n_init=10, random_state=0) on all '
                    'pixels (distinct Lab colours weighted by pixel count) '
                    'for k in 3..26; exact silhouette over all pixels'),
            num_images=len(pairs),
            median_ms=_ms(exhaustive_times) if pairs else None,
            within_1_fraction=float(np.mean(gaps <= 1)) if pairs else None,
            exact_match_fraction=float(np.mean(gaps == 0))
            if pairs else None,
            pairs=pairs),
        machine=machine())


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
# config as it is: compiled, bf16, channels-last); overrides of cfg.model.
PLAIN = dict(autocast=None, channels_last=False, compile=False)
PER_IMAGE_OPTIONS = {
    'plain': PLAIN,
    'channels_last': dict(PLAIN, channels_last=True),
    'bf16_autocast': dict(PLAIN, autocast='bfloat16'),
    'compile': dict(PLAIN, compile=dict(dynamic=False)),
    'optimise_scale_0_5': dict(PLAIN, optimise_scale=0.5),
    'default': {},
    'default+optimise_scale_0_5': dict(optimise_scale=0.5),
}


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
        float(np.median([_timed(steps, iters)[1]
                         for _ in range(repeats)])) / iters * 1000, 2)


def per_image_timings(model: torch.nn.Module, inputs: torch.Tensor,
                      iters: int, repeats: int) -> dict:
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
            return _timed(model.predict, inputs)[1]

    first = run(1)
    one = np.median([run(1) for _ in range(repeats)])
    many = np.median([run(iters + 1) for _ in range(repeats)])
    return dict(
        first_step_seconds=round(first, 2),
        per_iteration_ms=round(float(many - one) / iters * 1000, 2))


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
                _timed(step, data, optim_wrapper)[1] for _ in range(iters)
            ])), 3)


def bench_speed(args: argparse.Namespace) -> dict:
    """Per-image ms/step of each option, dataset-level images/s and
    training seconds per iteration, peak RSS; all in this one run."""
    root = osp.dirname(osp.dirname(osp.abspath(__file__)))
    register_all_modules()
    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    path = _image_paths(args.images, 1)[0]
    height, width = args.per_image_size
    image = mmcv.imresize(mmcv.imread(path), (width, height))
    per_image_cfg = osp.join(root, 'configs', 'dynaseg_fsf_cnn_bsds500.py')
    max_iters = Config.fromfile(per_image_cfg).model.max_iters
    per_image = {}
    for name, overrides in PER_IMAGE_OPTIONS.items():
        model = _build_model(per_image_cfg, **overrides).to(device)
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
    fast = dict(amp=True, channels_last=True)
    dataset = {}
    for name in ('dynaseg_fsf_cnn_coco', 'dynaseg_fsf_r18_coco'):
        dataset[name] = {}
        for variant, options in (('plain', {}), ('bf16+channels_last',
                                                 fast)):
            model = _build_model(osp.join(root, 'configs',
                                          name + '.py')).to(device).eval()
            if options.get('channels_last'):
                model.to(memory_format=torch.channels_last)
            for batch in args.batches:
                inputs = torch.rand(batch, 3, args.dataset_size,
                                    args.dataset_size, device=device)

                def predict():
                    with torch.no_grad(), torch.autocast(
                            device, enabled=bool(options.get('amp'))):
                        model.predict(inputs)

                predict()
                seconds = np.median(
                    [_timed(predict)[1] for _ in range(args.repeats)])
                dataset[name][f'{variant}_batch_{batch}'] = round(
                    batch / seconds, 2)
    coco_cfg = osp.join(root, 'configs', 'dynaseg_fsf_cnn_coco.py')
    training = {
        variant: train_iteration_seconds(coco_cfg, options, 4,
                                         args.dataset_size, args.repeats,
                                         device)
        for variant, options in (('plain', {}), ('amp', dict(amp=True)),
                                 ('amp+channels_last', fast),
                                 ('amp+channels_last+compile',
                                  dict(fast, compile=True)))
    }
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return dict(
        benchmark='speed',
        device=device,
        per_image=dict(
            config='configs/dynaseg_fsf_cnn_bsds500.py',
            size=[height, width],
            image=osp.basename(path),
            timed_steps=args.iters,
            repeats=args.repeats,
            max_iters=max_iters,
            options={
                name: PER_IMAGE_OPTIONS.get(name, 'plain PyTorch loop')
                for name in per_image
            },
            note=('default = the config as shipped; portrait_* = the same '
                  'model on the transposed image (a second compiled '
                  'graph); first_step_seconds includes compilation; '
                  'per_image_seconds = per_iteration_ms x max_iters'),
            results=per_image),
        dataset_images_per_second=dict(
            size=[args.dataset_size, args.dataset_size],
            note='model.eval(), torch.no_grad(), model.predict, random '
            'weights and inputs; bf16+channels_last = tools/test.py --amp '
            "with custom_hooks=[dict(type='ChannelsLastHook')]",
            **dataset),
        train_iteration_seconds=dict(
            config='configs/dynaseg_fsf_cnn_coco.py',
            batch=4,
            size=[args.dataset_size, args.dataset_size],
            note='model.train_step on random images (no data loading); '
            'amp = tools/train.py --amp, channels_last = ChannelsLastHook, '
            'compile = compile=True in the config',
            **training),
        peak_rss_mib=round(peak_kib / 1024, 1),
        machine=machine())


# quality: name -> (config, cfg_options) of a per-image method; the speed
# options are variants of DynaSeg FSF.
NETWORK_METHODS = {
    'dynaseg_fsf': ('configs/dynaseg_fsf_cnn_bsds500.py', {}),
    'dynaseg_scf': ('configs/dynaseg_scf_cnn_bsds500.py', {}),
    'dynaguide_kmeans': ('configs/dynaguide_kmeans_cnn_bsds500.py', {}),
    'dynaguide_kmeans5': ('configs/dynaguide_kmeans5_cnn_bsds500.py', {}),
    'dynaguide_slic': ('configs/dynaguide_slic_cnn_bsds500.py', {}),
    'dynaguide_felzenszwalb':
    ('configs/dynaguide_felzenszwalb_cnn_bsds500.py', {}),
    'dynaseg_fsf+channels_last': ('configs/dynaseg_fsf_cnn_bsds500.py',
                                  {'model.channels_last': True}),
    'dynaseg_fsf+bf16': ('configs/dynaseg_fsf_cnn_bsds500.py',
                         {'model.autocast': 'bfloat16'}),
    'dynaseg_fsf+half_scale': ('configs/dynaseg_fsf_cnn_bsds500.py',
                               {'model.optimise_scale': 0.5}),
    'dynaseg_fsf+half_scale+bf16': ('configs/dynaseg_fsf_cnn_bsds500.py', {
        'model.optimise_scale': 0.5,
        'model.autocast': 'bfloat16'
    }),
    # the papers' arithmetic: float32, eager, contiguous (quality guard)
    'dynaseg_fsf+float32_eager': ('configs/dynaseg_fsf_cnn_bsds500.py', {
        'model.autocast': None,
        'model.channels_last': False
    }),
}
# quality: name -> guide config of a baseline that segments the image by
# itself (the DynaGuide guides alone), or a DynaGuide config whose guide.
BASELINES = {
    'kmeans_lab': dict(type='KMeansColorGuide', k=8),
    # the DynaGuide code's stand-in for its "diffseg" guide
    'kmeans5_opencv_lab': 'configs/dynaguide_kmeans5_cnn_bsds500.py',
    'felzenszwalb': dict(type='SuperpixelGuide', method='felzenszwalb'),
    'slic': dict(type='SuperpixelGuide', method='slic'),
}
DEFAULT_QUALITY = ('kmeans_lab', 'felzenszwalb', 'slic', 'dynaseg_fsf',
                   'dynaseg_scf', 'dynaguide_kmeans', 'dynaguide_slic',
                   'dynaguide_felzenszwalb')


Runner = Callable[[int], dict]


def quality_config(name: str, args: argparse.Namespace) -> Config:
    """The config of a per-image method for the quality benchmark.

    It gets the run's data root and split and, where the method does not
    set them itself, ``--max-iters``, ``--optimise-scale`` and
    ``--autocast``.
    """
    config, method_options = NETWORK_METHODS[name]
    root = osp.dirname(osp.dirname(osp.abspath(__file__)))
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
    options.update(method_options)
    return load_config(osp.join(root, config), options)


def network_runner(name: str, args: argparse.Namespace) -> Runner:
    """A runner of a per-image method (config: :func:`quality_config`).

    The runner segments the item of an index of the method's own test
    dataset (a DynaGuide config's pipeline attaches the guide) and returns
    its data sample (as a dict, what metrics receive) with the image's
    seconds, iterations and final q'.
    """
    cfg = quality_config(name, args)
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    model = MODELS.build(cfg.model).eval()

    def run(index: int) -> dict:
        data = dataset[index]
        with torch.no_grad():
            (sample, ) = model.test_step(
                dict(inputs=[data['inputs']],
                     data_samples=[data['data_samples']]))
        return dict(
            sample=sample.to_dict(),
            seconds=sample.metainfo['seconds'],
            iterations=sample.metainfo['iterations'],
            q_prime=sample.metainfo['q_prime'])

    return run


def baseline_runner(name: str, dataset) -> Runner:
    """A runner of a guide used as a segmentation of its own (its labels
    are the prediction) on the dataset's images; seconds = the guide's."""
    guide_cfg = BASELINES[name]
    if isinstance(guide_cfg, str):
        root = osp.dirname(osp.dirname(osp.abspath(__file__)))
        (guide_cfg, ) = [
            step['guide'] for step in load_config(
                osp.join(root, guide_cfg)).test_dataloader.dataset.pipeline
            if step['type'] == 'LoadGuidance'
        ]
    guide = TASK_UTILS.build(guide_cfg)

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


def bench_quality(args: argparse.Namespace) -> dict:
    """BSDS500 segment covering of per-image methods and baselines.

    Every method segments the same first ``--num-images`` images (sorted by
    name) of the split; images are the outer loop, so an interrupted run
    has scored all methods on the same images. Each (image, method) result
    (best IoUs per mode, seconds, iterations, q') is saved to
    ``<work_dir>/quality_per_image.json`` as soon as it is done, and a rerun
    with the same settings continues from there. The scores pool the saved
    results with :class:`SegmentCoveringMetric` (all annotators).
    """
    init_default_scope('mmseg')
    methods = list(args.methods)
    unknown = set(methods) - set(NETWORK_METHODS) - set(BASELINES)
    if unknown:
        raise SystemExit(
            f'unknown methods {sorted(unknown)}; choose from '
            f'{sorted(NETWORK_METHODS) + sorted(BASELINES)}.')
    # the images and ground truth, without any method's guide
    dataset = DATASETS.build(
        quality_config('dynaseg_fsf', args).test_dataloader.dataset)
    runners = {
        name: network_runner(name, args) if name in NETWORK_METHODS else
        baseline_runner(name, dataset)
        for name in methods
    }
    indices = list(range(min(args.num_images, len(dataset))))
    if not indices:
        raise SystemExit(f'no {args.split} image under {args.data_root}.')
    os.makedirs(args.work_dir, exist_ok=True)
    state_path = osp.join(args.work_dir, 'quality_per_image.json')
    settings = dict(
        data_root=args.data_root,
        split=args.split,
        max_iters=args.max_iters,
        optimise_scale=args.optimise_scale,
        autocast=args.autocast)
    state = dict(settings=settings, images={})
    if osp.isfile(state_path):
        with open(state_path) as f:
            state = json.load(f)
        if state['settings'] != settings:
            raise SystemExit(
                f"{state_path} holds results of other settings "
                f"({state['settings']}); repeat them to resume, or pass "
                'another --work-dir.')
    metric_cfg = dict(type='SegmentCoveringMetric', ignore_index=None)
    prefixes = dict(components='', labels='labels_')
    for position, index in enumerate(indices):
        stem = osp.splitext(
            osp.basename(dataset.get_data_info(index)['img_path']))[0]
        done = state['images'].setdefault(stem, {})
        for name in methods:
            if name in done:
                continue
            result = runners[name](index)
            sample = result.pop('sample')
            labels = np.asarray(sample['pred_sem_seg']['data'])[0]
            label_dir = osp.join(args.work_dir, 'labels', name)
            os.makedirs(label_dir, exist_ok=True)
            mmcv.imwrite(labels.astype(np.uint16),
                         osp.join(label_dir, stem + '.png'))
            metric = METRICS.build(metric_cfg)
            metric.process(None, [sample])
            (covering, ) = metric.results
            scores = {
                prefixes[scoring] + mode: ious.tolist()
                for scoring, modes in covering.items()
                for mode, ious in modes.items()
            }
            done[name] = dict(result, **scores)
            print(f'[{position + 1}/{len(indices)}] {stem} {name}: '
                  f"{done[name]['seconds']:.1f} s, "
                  f"{done[name].get('iterations', '-')} iterations",
                  file=sys.stderr, flush=True)
            with open(state_path + '.tmp', 'w') as f:
                json.dump(state, f)
            os.replace(state_path + '.tmp', state_path)
    stems = [
        osp.splitext(osp.basename(dataset.get_data_info(i)['img_path']))[0]
        for i in indices
    ]
    table = {}
    for name in methods:
        metric = METRICS.build(metric_cfg)
        per_image = [state['images'][stem][name] for stem in stems]
        scores = metric.compute_metrics([{
            scoring: {
                mode: np.asarray(r[prefix + mode], dtype=float)
                for mode in ('all', 'fine', 'coarse')
            }
            for scoring, prefix in prefixes.items()
        } for r in per_image])
        row = {
            key: round(value, 2)
            for key, value in scores.items() if '.' not in key
        }
        row['cluster_labels'] = {
            key.split('.')[0]: round(value, 2)
            for key, value in scores.items() if key.endswith('.labels')
        }
        row['seconds_per_image'] = round(
            float(np.mean([r['seconds'] for r in per_image])), 2)
        if name in NETWORK_METHODS:
            row['mean_iterations'] = round(
                float(np.mean([r['iterations'] for r in per_image])), 1)
            row['mean_q_prime'] = round(
                float(np.mean([r['q_prime'] for r in per_image])), 2)
        table[name] = row
    return dict(
        benchmark='quality',
        metric='segment covering (best IoU), all annotators; All/Fine/'
        'Coarse/Mean: predictions split into 4-connected components '
        '(Kanezaki 2020); cluster_labels: each predicted label one segment '
        '(the DynaSeg reference script)',
        split=args.split,
        num_images=len(indices),
        images=stems,
        max_iters=args.max_iters,
        optimise_scale=args.optimise_scale,
        autocast=args.autocast,
        methods={
            name: NETWORK_METHODS.get(name) or BASELINES[name]
            for name in methods
        },
        seconds_note='wall seconds per image on this machine, shared with '
        'whatever else ran; per-image methods: k* estimate, optimisation, '
        'labels; baselines: the guide alone',
        results=table,
        machine=machine())


BENCHMARKS = dict(
    demo=bench_demo,
    silhouette=bench_silhouette,
    speed=bench_speed,
    quality=bench_quality)


def main() -> None:
    """Parse arguments, run one benchmark, print (and save) its JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('name', choices=sorted(BENCHMARKS))
    parser.add_argument(
        '--work-dir',
        help='demo: its work dir; quality: where per-image results are '
        'kept for resuming (default work_dirs/benchmark_<name>)')
    parser.add_argument(
        '--images',
        default=default_bsds500_val(),
        help='silhouette: glob of the images to time; speed: its first '
        'image is optimised')
    parser.add_argument(
        '--num-images',
        type=int,
        default=50,
        help='silhouette, quality: how many images (the first, by name)')
    parser.add_argument(
        '--num-exhaustive',
        type=int,
        default=3,
        help='silhouette: images (the first ones) also given the exhaustive '
        'k*, about a minute each on 2 cores')
    parser.add_argument(
        '--iters',
        type=int,
        default=10,
        help='speed: optimiser steps timed per run')
    parser.add_argument(
        '--repeats', type=int, default=3, help='speed: timed runs (median)')
    parser.add_argument(
        '--per-image-size',
        type=int,
        nargs=2,
        default=[321, 481],
        metavar=('H', 'W'),
        help='speed: size the per-image optimisation runs at')
    parser.add_argument(
        '--dataset-size',
        type=int,
        default=320,
        help='speed: square input size of dataset-level inference')
    parser.add_argument(
        '--batches',
        type=int,
        nargs='+',
        default=[1, 8],
        help='speed: batch sizes of dataset-level inference')
    parser.add_argument(
        '--methods',
        nargs='+',
        default=list(DEFAULT_QUALITY),
        help='quality: methods to score (NETWORK_METHODS, BASELINES)')
    parser.add_argument(
        '--data-root',
        default=default_bsds500_root(),
        help='quality: BSDS500 root (images/, groundTruth/)')
    parser.add_argument(
        '--split', default='val', help='quality: BSDS500 split')
    parser.add_argument(
        '--max-iters',
        type=int,
        help="quality: override the configs' max_iters (T, 1000)")
    parser.add_argument(
        '--optimise-scale',
        type=float,
        help='quality: optimise_scale of every per-image method')
    parser.add_argument(
        '--autocast',
        choices=['bfloat16'],
        help='quality: autocast dtype of every per-image method')
    parser.add_argument('--out', help='also write the JSON to this file')
    args = parser.parse_args()
    args.work_dir = args.work_dir or f'work_dirs/benchmark_{args.name}'
    result = BENCHMARKS[args.name](args)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            f.write(text + '\n')


if __name__ == '__main__':
    main()
