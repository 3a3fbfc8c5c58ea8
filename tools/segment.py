"""Segment your images with DynaSeg: label maps, overlays and a summary.

INPUTS are image files, folders (their .jpg/.jpeg/.png/.bmp/.tif/.tiff
files, not recursive) or glob patterns (quote them; ``**`` recurses). With a
per-image config (``model.type='PerImageDynaSeg'``) each image is segmented
by optimising a network on it alone (no checkpoint needed; a checkpoint is
refined per image); with a dataset-trained config a checkpoint is required
and the images go through the trained network (plain inference).

Under ``--out DIR`` it writes, for an image ``<stem>.<ext>``:

- ``labels/<stem>.png``: the cluster id of every pixel, a palettised PNG
  that viewers show in one colour per cluster (the same colour for a
  cluster id in every image), or 16-bit grey when an id exceeds 255; read
  the ids with ``mmdynaseg.utils.read_label_png`` or PIL (OpenCV turns a
  palettised PNG into its colours);
- ``overlays/<stem>.png``: the image beside its blend with the cluster
  colours, cluster boundaries drawn;
- ``summary.json``: per image the input path, the sizes, the number of
  labels, the seconds (a per-image config's optimisation, across the
  runs when it resumed a snapshot, see below; the forward pass for a
  trained one) and, for per-image configs, ``q_prime``, ``iterations``,
  ``arithmetic`` (how the steps ran, ``PerImageDynaSeg.arithmetic``),
  ``silhouette_k`` when used and ``resumed_from`` when it resumed, and
  ``sha1``, a digest of the file (a rerun segments an image again when
  its file has changed);
  every skipped file
  with the reason (skipped files are tried again on the next run); and the
  run's settings (config, checkpoint, ``--cfg-options``, ``--max-size``).

Images are decoded as 8-bit colour (grayscale is replicated, alpha
dropped, 16-bit scaled to 8 bits). The config's test pipeline is not used
(benchmark pipelines crop or read annotations): each image is segmented at
its own size, except that an image whose long side exceeds ``--max-size``
is downscaled (area interpolation, aspect kept), with a warning; its label
map and overlay are written at the downscaled size (upsampling the
response of a large image would take gigabytes of memory and adds no
detail), and the summary records both sizes. An unreadable file is
reported and skipped.

DynaGuide configs (a ``LoadGuidance`` step in the test pipeline) get their
guide the same way: the config's ``LoadGuidance`` runs on the decoded (and
maybe downscaled) image; an image whose guide cannot be made (e.g. a
missing precomputed PNG) is reported and skipped.

Files are written atomically (temporary file, then rename) and the summary
after every image, so an interrupted run loses nothing: re-running the
command with the same settings skips every image that already has its
label map, overlay and summary entry (other settings are refused: pass
another ``--out``). A per-image config also keeps a snapshot of the image
it is optimising under ``snapshots/`` every ``model.snapshot_interval``
steps (50; unless the config sets its own ``model.snapshot_dir``), so the
rerun resumes that image where it stopped (``resumed_from`` in the
summary) instead of at step 0.

Example:
    python tools/segment.py photos/ 'more/**/*.jpg' \
        --config configs/dynaseg_fsf_cnn_bsds500.py --out work_dirs/photos
    python tools/segment.py street.png \
        --config configs/dynaseg_fsf_cnn_coco.py \
        --checkpoint work_dirs/dynaseg_fsf_cnn_coco/iter_12000.pth --out out
"""
import argparse
import glob
import hashlib
import logging
import os
import os.path as osp
import sys
from contextlib import ExitStack
from functools import partial
from typing import Dict, List, Optional

import numpy as np
import torch
from mmengine.config import DictAction
from mmengine.logging import print_log
from torch import nn

from mmdynaseg.apis import inference_model, init_model, load_image
from mmdynaseg.apis.memory import (available_memory, check_memory,
                                   step_bytes_per_pixel)
from mmdynaseg.datasets.image_folder import IMG_EXTENSIONS
from mmdynaseg.datasets.transforms.loading import ImageLoadError
from mmdynaseg.engine.hooks import StepProgress, overlay_figure, write_png
from mmdynaseg.models import optimises_per_image
from mmdynaseg.utils import (SILHOUETTE_KEY, CheckpointError, folder_lock,
                             load_config, load_results, prepare_output_folder,
                             remove_partial_files, update_results,
                             write_label_png)

SUMMARY = 'summary.json'
# how to start a run with other settings than those its --out holds
START_OVER = 'pass another --out folder, or delete this one'


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split('\n', 1)[1])
    parser.add_argument(
        'inputs', nargs='+', help='image files, folders or glob patterns')
    parser.add_argument('--config', required=True, help='config file')
    parser.add_argument(
        '--checkpoint',
        help='checkpoint; required unless the config optimises per image')
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument(
        '--max-size',
        type=int,
        default=1024,
        help='downscale images whose long side exceeds this many pixels '
        '(0: never). Defaults to 1024.')
    parser.add_argument(
        '--opacity',
        type=float,
        default=0.5,
        help='weight of the cluster colours in the overlays')
    parser.add_argument(
        '--device',
        default='cuda' if torch.cuda.is_available() else 'cpu',
        help='torch device. Defaults to cuda if available, else cpu.')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, e.g. model.max_iters=200')
    return parser.parse_args(argv)


def find_images(inputs: List[str]) -> List[str]:
    """Expand files, folders and glob patterns into a list of paths.

    Raises:
        SystemExit: If an input is neither a file, a folder with images nor
            a pattern matching a file, or two images share a file stem.
    """
    paths: List[str] = []
    for item in inputs:
        if osp.isdir(item):
            # broken symbolic links are kept: loading reports them
            found = [
                osp.join(item, name) for name in sorted(os.listdir(item))
                if name.lower().endswith(IMG_EXTENSIONS)
                and not osp.isdir(osp.join(item, name))
            ]
        elif osp.isfile(item):
            found = [item]
        else:
            found = sorted(
                path for path in glob.glob(item, recursive=True)
                if not osp.isdir(path))
        if not found:
            raise SystemExit(
                f'{item!r} is not an image file, a folder with images '
                f'({", ".join(IMG_EXTENSIONS)}) or a glob pattern matching '
                'files; check the path (quote glob patterns).')
        paths += [osp.normpath(path) for path in found]
    owners: Dict[str, str] = {}
    for path in dict.fromkeys(paths):
        other = owners.setdefault(stem(path), path)
        if other != path:
            raise SystemExit(
                f"'{other}' and '{path}' would both be written as "
                f"'{stem(path)}.png'; segment them in separate runs with "
                'separate --out folders, or rename one.')
    return list(owners.values())


def file_digest(path: str) -> Optional[str]:
    """SHA-1 of a file's bytes (hex, 16 characters), None if it cannot be
    read: a finished image is only skipped while its file has the same
    content."""
    digest = hashlib.sha1()
    try:
        with open(path, 'rb') as f:
            for block in iter(lambda: f.read(1 << 20), b''):
                digest.update(block)
    except OSError:  # reported when the image is loaded
        return None
    return digest.hexdigest()[:16]


def stem(path: str) -> str:
    """File name without folder and extension."""
    return osp.splitext(osp.basename(path))[0]


def record(summary: dict,
           path: str,
           entry: Optional[dict] = None,
           skipped_for: str = '') -> None:
    """Put one image into ``summary``: its ``entry``, or, with none, the
    reason it was ``skipped_for``."""
    if entry is None:
        summary['skipped'][path] = skipped_for
    else:
        summary['skipped'].pop(path, None)
        summary['images'][stem(path)] = entry


def segment_image(model: nn.Module, results: dict) -> dict:
    """Segment one loaded image; return its labels and statistics."""
    sample = inference_model(model, results)
    labels = sample.pred_sem_seg.data[0].cpu().numpy()
    stats = dict(
        num_labels=len(np.unique(labels)),
        seconds=round(sample.seconds, 3))
    for key in ('q_prime', 'iterations', 'arithmetic', 'resumed_from',
                SILHOUETTE_KEY):
        if key in sample.metainfo:
            stats[key] = sample.metainfo[key]
    return dict(labels=labels, stats=stats)


def main(argv: Optional[List[str]] = None) -> None:
    """Segment every input image not segmented yet (see the module doc)."""
    args = parse_args(argv)
    cfg = load_config(args.config, args.cfg_options)
    if args.max_size < 0:
        raise SystemExit(f'--max-size must be >= 0, got {args.max_size}.')
    if not 0 <= args.opacity <= 1:
        raise SystemExit(f'--opacity must be in [0, 1], got {args.opacity}.')
    if args.device.startswith('cuda') and not torch.cuda.is_available():
        raise SystemExit(
            f'--device {args.device}: this machine has no CUDA device (or '
            'this torch has no CUDA); leave --device out, or pass cpu.')
    paths = find_images(args.inputs)
    folders = {name: osp.join(args.out, name) for name in ('labels',
                                                           'overlays')}
    try:
        for folder in (args.out, *folders.values()):
            prepare_output_folder(folder, '--out')
    except OSError as error:
        raise SystemExit(str(error)) from None
    # files a killed run was writing (atomic_output's partial files)
    for folder in (*folders.values(), osp.join(args.out, 'snapshots')):
        for stale in remove_partial_files(folder):
            print(f'removed {stale}, left by an interrupted run')
    with ExitStack() as stack:  # one run per --out folder at a time
        try:
            stack.enter_context(folder_lock(folders['labels'], wait=False))
        except BlockingIOError:
            raise SystemExit(
                f'another tools/segment.py run is writing to {args.out}; '
                'wait for it to finish, or pass another --out folder.'
            ) from None
        summary_path = osp.join(args.out, SUMMARY)
        settings = dict(
            config=args.config,
            checkpoint=args.checkpoint,
            cfg_options=args.cfg_options,
            max_size=args.max_size)
        try:
            summary = load_results(
                summary_path, settings, START_OVER, images={}, skipped={})
        except ValueError as error:
            raise SystemExit(str(error)) from None

        def outputs(path: str) -> Dict[str, str]:
            return {
                name: osp.join(folder, f'{stem(path)}.png')
                for name, folder in folders.items()
            }

        for path in paths:
            done = summary['images'].get(stem(path))
            if done is not None and osp.normpath(done['image']) != path:
                raise SystemExit(
                    f"'{path}' would overwrite the results of '{done['image']}' "
                    f"in {args.out} (both are '{stem(path)}.png'); pass another "
                    '--out folder for it, or rename it.')
        digests = {path: file_digest(path) for path in paths}
        changed = [
            path for path in paths
            if summary['images'].get(stem(path), {}).get(
                'sha1', digests[path]) != digests[path]
        ]
        for path in changed:
            print(f'{path} changed since it was segmented: segmenting it '
                  'again.')
        todo = [
            path for path in paths
            if stem(path) not in summary['images'] or path in changed
            or not all(map(osp.isfile, outputs(path).values()))
        ]
        print(f'{len(paths) - len(todo)} of {len(paths)} images already '
              f'segmented in {args.out}; segmenting {len(todo)}.')
        if not todo:
            return
        per_image = optimises_per_image(cfg.model)
        if per_image and not cfg.model.get('snapshot_dir'):
            cfg.model.snapshot_dir = osp.join(args.out, 'snapshots')
        try:
            model = init_model(cfg, args.checkpoint, args.device)
        except (ValueError, FileNotFoundError, CheckpointError) as error:
            raise SystemExit(str(error)) from None
        # a terminal gets every step on one line; a file or pipe a line every
        # 50 steps
        tty = sys.stderr.isatty()
        line_start = '\r' if tty else ''
        progress = StepProgress(
            len(todo),
            (lambda line: sys.stderr.write(f'\r{line}  ')) if tty else
            (lambda line: print(line, file=sys.stderr, flush=True)),
            interval=1 if tty else 50)
        if per_image:
            model.on_step = progress
            bytes_per_pixel = step_bytes_per_pixel(model)
        for position, path in enumerate(todo, 1):
            prefix = f'[{position}/{len(todo)}] {osp.basename(path)}'
            progress.start_image(osp.basename(path))
            try:
                results = load_image(path, args.max_size)
                if per_image:
                    check_memory(bytes_per_pixel, *results['img'].shape[:2],
                                 available_memory(torch.device(args.device)),
                                 f"'{path}'")
                result = segment_image(model, results)
            except Exception as error:  # one bad image must not end the run
                reason = str(error) if isinstance(
                    error,
                    (ImageLoadError, MemoryError, OSError, ValueError)) else (
                        f"cannot segment '{path}' ({type(error).__name__}: "
                        f'{error})')
                print_log(
                    f'skipping: {reason}', logger='current',
                    level=logging.WARNING)
                entry = None
            else:
                reason = ''
                targets = outputs(path)
                rgb = np.ascontiguousarray(results['img'][..., ::-1])
                try:
                    write_label_png(targets['labels'], result['labels'])
                    write_png(
                        targets['overlays'],
                        overlay_figure(rgb, result['labels'], args.opacity))
                except OSError as error:  # a full disk, lost permissions
                    raise SystemExit(
                        f"\ncannot write the results of '{path}' to "
                        f'{args.out} ({error.strerror or error}); stopped. '
                        'Free space or fix the folder and run the same '
                        'command again: finished images are kept, and this '
                        'one resumes from its last snapshot.') from None
                entry = dict(
                    image=path,
                    sha1=digests[path],
                    original_size=list(results['original_shape']),
                    size=list(result['labels'].shape),
                    **result['stats'])
                sys.stderr.write(
                    f"{line_start}{prefix}: "
                    f"{result['stats']['num_labels']} labels, "
                    f"{result['stats']['seconds']:.1f} s\n")
            summary = update_results(
                summary_path,
                settings,
                START_OVER,
                partial(record, path=path, entry=entry, skipped_for=reason),
                indent=2,
                images={},
                skipped={})
            progress.end_image()
        print(f"\n{len(summary['images'])} images segmented, "
              f"{len(summary['skipped'])} skipped; see {summary_path}")


if __name__ == '__main__':
    main()
