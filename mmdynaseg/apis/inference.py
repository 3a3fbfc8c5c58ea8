"""Segment images from Python, as ``mmseg.apis`` does for trained models.

Example:
    >>> from mmdynaseg.apis import inference_model, init_model
    >>> model = init_model('configs/dynaseg_fsf_cnn_bsds500.py')
    >>> labels = inference_model(model, 'photo.jpg').pred_sem_seg.data[0]
"""
import logging
import math
import os.path as osp
import time
from contextlib import contextmanager
from typing import Iterator, List, Optional, Sequence, Tuple, Union

import mmcv
import numpy as np
import torch
from mmengine.config import Config
from mmengine.logging import print_log
from mmengine.registry import init_default_scope
from mmengine.runner.checkpoint import _load_checkpoint_to_model
from mmseg.datasets.transforms import PackSegInputs
from mmseg.registry import MODELS, TRANSFORMS
from mmseg.structures import SegDataSample
from PIL import Image, ImageOps
from torch import nn

from ..datasets.transforms import LoadImageOrSkip, PackGuidedSegInputs
from ..models import optimises_per_image
from ..utils import FAILED_KEY, check_checkpoint, cluster_meta, load_config
from .memory import available_memory, in_words

ImageType = Union[str, np.ndarray, dict]
# per-image starts that need no checkpoint (given one, they refine it)
STARTS_WITHOUT = ('fresh', 'pretrained')
ORIENTATION_TAG = 0x0112  # EXIF: 5-8 turn the image by 90 degrees


def use_checkpoint(cfg: Config, checkpoint: Optional[str]) -> None:
    """The checkpoint rule of every tool: check it against the config.

    A dataset-trained config needs a checkpoint; a per-image config
    (:func:`optimises_per_image`) with a fresh start runs without one, and
    with one refines its weights on every image (``cfg.model.init``
    becomes ``'checkpoint'``); a per-image config that starts from a
    checkpoint (``init='checkpoint'`` or ``'checkpoint_features'``, the
    amortised mode) needs one.

    Raises:
        ValueError: A config that needs a checkpoint, without one.
        FileNotFoundError: The checkpoint file does not exist.
    """
    per_image = optimises_per_image(cfg.model)
    init = cfg.model.get('init', 'fresh') if per_image else None
    if checkpoint is None and per_image and init not in STARTS_WITHOUT:
        raise ValueError(
            f"{cfg.filename} refines a trained network on every image "
            f"(model.init='{init}'): give the checkpoint of a dataset-level "
            'model (e.g. trained with tools/train.py '
            'configs/dynaseg_fsf_cnn_bsds500_trained.py).')
    if checkpoint is None and not per_image:
        raise ValueError(
            f'{cfg.filename} segments with a trained model: give its '
            f'checkpoint (train one with tools/train.py {cfg.filename}). '
            "Only per-image configs (model.type='PerImageDynaSeg') run "
            'without one.')
    if checkpoint is None:
        return
    if not osp.isfile(checkpoint):
        raise FileNotFoundError(
            f'checkpoint {checkpoint!r} does not exist; train one with '
            f'tools/train.py {cfg.filename} (checkpoints are written to its '
            'work dir).')
    if per_image and init in STARTS_WITHOUT:
        cfg.model.init = 'checkpoint'  # refine the loaded weights per image


def init_model(config: Union[str, Config],
               checkpoint: Optional[str] = None,
               device: str = 'cpu',
               cfg_options: Optional[dict] = None) -> nn.Module:
    """Build a config's model, load its checkpoint, ready to segment.

    Args:
        config (str | Config): Config file or object.
        checkpoint (str, optional): Checkpoint file; required unless the
            config optimises per image (:func:`use_checkpoint`).
        device (str): Torch device. Defaults to ``'cpu'``.
        cfg_options (dict, optional): Overrides of config settings.

    Returns:
        nn.Module: The model in eval mode, with ``model.cfg``,
        ``model.dataset_meta`` (the cluster names and colours,
        :func:`cluster_meta`, so that ``mmseg.apis.show_result_pyplot``
        draws the clusters) and ``model.guidance`` (the config's
        ``LoadGuidance`` transform for DynaGuide, else None).

    Raises:
        ValueError, FileNotFoundError: See :func:`use_checkpoint`.
        CheckpointError: The checkpoint cannot be loaded or does not fit.
    """
    if isinstance(config, str):
        cfg = load_config(config, cfg_options)
    else:
        cfg = config.copy()
        cfg.merge_from_dict(cfg_options or {})
    use_checkpoint(cfg, checkpoint)
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    model = MODELS.build(cfg.model)
    if checkpoint is not None:
        _load_checkpoint_to_model(
            model, check_checkpoint(checkpoint, model), strict=True)
    model.cfg = cfg
    model.dataset_meta = cluster_meta(model.decode_head.num_classes)
    model.guidance = _guidance(cfg)
    return model.to(device).eval()


def _guidance(cfg: Config):
    """The config's ``LoadGuidance`` transform (DynaGuide), if it has one,
    from its test pipeline; it raises on an image without guide."""
    dataloader = cfg.get('test_dataloader') or {}
    pipeline = dataloader.get('dataset', {}).get('pipeline') or cfg.get(
        'test_pipeline') or []
    for step in pipeline:
        if step.get('type') == 'LoadGuidance':
            return TRANSFORMS.build(dict(step, on_error='raise'))
    return None


def bgr_uint8(image: np.ndarray) -> np.ndarray:
    """An image array as 8-bit, 3-channel BGR, as decoding a file gives.

    Grayscale (H x W or H x W x 1) is replicated, a fourth (alpha) channel
    dropped; uint16 is scaled to 8 bits (``>> 8``, as OpenCV decodes
    16-bit files); floats are taken as 0..1 when none exceeds 1, else as
    0..255; integers must lie in 0..255.

    Args:
        image (np.ndarray): The image, channels in BGR order.

    Returns:
        np.ndarray: H x W x 3 uint8.

    Raises:
        ValueError: Another shape, non-finite or out-of-range values.
    """
    image = np.asarray(image)
    if image.ndim == 2:
        image = image[..., None]
    if image.ndim != 3 or image.shape[2] not in (1, 3, 4) or not image.size:
        raise ValueError(
            f'an image array must be H x W, H x W x 1, H x W x 3 (BGR) or '
            f'H x W x 4 (BGRA), got shape {image.shape}.')
    image = image[..., :3]
    if image.shape[2] == 1:
        image = np.repeat(image, 3, axis=2)
    if image.dtype == np.uint16:
        return (image >> 8).astype(np.uint8)
    if image.dtype.kind == 'f':
        if not np.isfinite(image).all():
            raise ValueError('the image array holds NaN or infinite values.')
        if image.min() >= 0 and image.max() <= 1:
            image = image * 255
        image = np.round(image)
    elif image.dtype.kind not in 'iu':
        raise ValueError(
            f'an image array must hold numbers, got dtype {image.dtype}.')
    if image.min() < 0 or image.max() > 255:
        raise ValueError(
            f'image values must lie in 0..255 (or 0..1 as floats), got '
            f'{image.min()}..{image.max()}.')
    return image.astype(np.uint8)


def capped_size(height: int, width: int, max_size: int) -> Tuple[int, int]:
    """The (width, height) an image is segmented at: its long side scaled
    to ``max_size``, the aspect kept, at least one pixel each way."""
    scale = max_size / max(height, width)
    return max(1, round(width * scale)), max(1, round(height * scale))


@contextmanager
def _any_pixel_count() -> Iterator[None]:
    """PIL without its decompression-bomb limit: :func:`read_reduced`
    checks the memory a decode needs itself."""
    limit = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None
    try:
        yield
    finally:
        Image.MAX_IMAGE_PIXELS = limit


def read_reduced(
        path: str,
        max_size: int) -> Optional[Tuple[np.ndarray, Tuple[int, int]]]:
    """Decode an image at least twice ``max_size`` straight to that size.

    A JPEG is decoded at 1/2, 1/4 or 1/8 scale in the DCT (PIL ``draft``),
    still at least twice the result's size, which keeps edges as a full
    decode would; the decode is then area-resampled (PIL's box filter, OpenCV's
    ``INTER_AREA``) to the size :func:`load_image` gives, and the EXIF
    orientation applied, as OpenCV does. Apart from the result, only the
    decode (scaled for a JPEG, full 8-bit for other formats) is held:
    never a float or 3-channel copy of a full grey image.

    Args:
        path (str): Image file.
        max_size (int): Long side of the result.

    Returns:
        tuple, optional: The H x W x 3 uint8 BGR image and the (height,
        width) of a full decode; None when the image is less than twice
        ``max_size`` or PIL cannot open it (the regular decoder then reads
        it, or reports it).

    Raises:
        MemoryError: The decode would not fit in memory.
    """
    try:
        with _any_pixel_count():
            image = Image.open(path)
    except OSError:
        return None
    with image:
        width, height = image.size
        if max(width, height) < 2 * max_size:
            return None
        size = capped_size(height, width, max_size)
        turned = image.getexif().get(ORIENTATION_TAG, 1) in (5, 6, 7, 8)
        if image.format == 'JPEG':  # DCT scaling down to twice the size
            image.draft('L' if image.mode == 'L' else 'RGB',
                        (2 * size[0], 2 * size[1]))
        needed = math.prod(image.size) * len(image.getbands())
        available = available_memory(torch.device('cpu'))
        if available is not None and needed > available:
            raise MemoryError(
                f"'{path}' is {width} x {height} px: decoding it needs "
                f'{in_words(needed)}, {in_words(available)} are available. '
                'Shrink the file first (e.g. with ImageMagick: convert IN '
                '-resize 25% OUT).')
        if image.mode not in ('L', 'RGB'):
            image = image.convert('RGB')
        image = image.resize(size, Image.Resampling.BOX)
        image = np.asarray(ImageOps.exif_transpose(image))
    rgb = image[..., ::-1] if image.ndim == 3 else image
    return bgr_uint8(rgb), (width, height) if turned else (height, width)


def load_image(image: Union[str, np.ndarray],
               max_size: Optional[int] = None) -> dict:
    """Decode an image as 8-bit BGR and cap its long side at ``max_size``.

    Grayscale is replicated, alpha dropped, 16-bit scaled to 8 bits
    (:class:`LoadImageOrSkip`). The config's test pipeline is not used
    (benchmark pipelines crop or read annotations): the image keeps its
    size, unless its long side exceeds ``max_size``; then it is downscaled
    (area interpolation, aspect kept), with a warning. A file at least
    twice that size is decoded reduced (:func:`read_reduced`).

    Args:
        image (str | np.ndarray): A path, or a BGR array
            (:func:`bgr_uint8` converts it).
        max_size (int, optional): Largest long side; None or 0: any.

    Returns:
        dict: Loading results (``img``, ``img_shape``, ``ori_shape``, ...)
        plus ``original_shape``, the decoded size.

    Raises:
        ImageLoadError: If the file cannot be decoded.
        MemoryError: A huge file whose reduced decode would not fit.
    """
    reduced = read_reduced(image, max_size) if isinstance(
        image, str) and max_size else None
    if reduced is not None:
        results = dict(
            img=reduced[0], img_path=image, img_shape=reduced[0].shape[:2],
            ori_shape=reduced[0].shape[:2])
    elif isinstance(image, str):
        results = LoadImageOrSkip()(dict(img_path=image))
    else:
        image = bgr_uint8(image)
        results = dict(
            img=image, img_path=None, img_shape=image.shape[:2],
            ori_shape=image.shape[:2])
    image = results['img']
    results['original_shape'] = reduced[1] if reduced else image.shape[:2]
    height, width = results['original_shape']
    if max_size and max(height, width) > max_size:
        size = capped_size(height, width, max_size)
        if image.shape[1::-1] != size:
            image = mmcv.imresize(image, size, interpolation='area')
        print_log(
            f"'{results['img_path']}' is {width} x {height} px, larger than "
            f'max_size {max_size}: segmented at {size[0]} x {size[1]} px '
            '(raise max_size to keep more detail).',
            logger='current',
            level=logging.WARNING)
        results.update(
            img=image, img_shape=image.shape[:2], ori_shape=image.shape[:2])
    return results


def inference_model(
    model: nn.Module, images: Union[ImageType, Sequence[ImageType]]
) -> Union[SegDataSample, List[SegDataSample]]:
    """Segment images with a model from :func:`init_model`.

    A per-image model optimises a network on each image (the papers'
    mode), a dataset-trained one runs it once. DynaGuide configs get each
    image's guide from the config's ``LoadGuidance``.

    Args:
        model (nn.Module): From :func:`init_model`.
        images: A path, a uint8 BGR array or a :func:`load_image` result,
            or a list of them.

    Returns:
        SegDataSample | list: Per image ``pred_sem_seg`` (cluster ids),
        ``seg_logits``, the metainfo ``seconds`` (a per-image model's own:
        its optimisation, a resumed snapshot's seconds included; otherwise
        the wall time of the forward pass) and, for per-image models,
        ``q_prime`` and ``iterations``.

    Raises:
        FloatingPointError: A per-image loss became non-finite.
    """
    if isinstance(images, (list, tuple)):
        return [inference_model(model, image) for image in images]
    results = images if isinstance(images, dict) else load_image(images)
    if getattr(model, 'guidance', None) is not None:
        results = model.guidance(results)
    pack = PackGuidedSegInputs() if 'gt_guide_map' in results \
        else PackSegInputs()
    packed = pack(results)
    started = time.perf_counter()
    with torch.no_grad():
        (sample, ) = model.test_step(
            dict(inputs=[packed['inputs']],
                 data_samples=[packed['data_samples']]))
    if FAILED_KEY in sample:
        raise FloatingPointError(sample.metainfo[FAILED_KEY])
    if 'seconds' not in sample:
        sample.set_metainfo(dict(seconds=time.perf_counter() - started))
    return sample
