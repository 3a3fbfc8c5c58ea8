"""Label maps as PNG files: ids kept, one visible colour per cluster."""
import io
from typing import Sequence

import numpy as np
from PIL import Image

from .fileio import label_map_array, write_bytes
from .palette import cluster_palette


def encode_label_png(labels: np.ndarray) -> bytes:
    """A label map as PNG bytes that keep the ids and show colours.

    Ids up to 255 are written as a palettised PNG: each pixel's value is
    its id, and the palette gives id ``k`` its :func:`cluster_palette`
    colour, so viewers show the clusters. Larger ids are written as
    16-bit grey (a PNG palette holds 256 colours).

    Args:
        labels (np.ndarray): ``(H, W)`` integer ids in ``[0, 65535]``.

    Returns:
        bytes: The PNG file.
    """
    labels = label_map_array(labels)
    if labels.dtype == np.uint8:
        image = Image.fromarray(labels, mode='P')
        image.putpalette(cluster_palette()[:256].ravel().tolist())
    else:
        image = Image.fromarray(labels)
    buffer = io.BytesIO()
    image.save(buffer, format='PNG')
    return buffer.getvalue()


def write_label_png(path: str, labels: np.ndarray) -> None:
    """Write :func:`encode_label_png` of ``labels`` to ``path``
    atomically."""
    write_bytes(path, encode_label_png(labels))


def read_label_png(path: str) -> np.ndarray:
    """The ids of a label PNG: palettised, 8- or 16-bit grey.

    (OpenCV would turn a palettised PNG into its colours; PIL keeps the
    ids.)

    Args:
        path (str): The PNG.

    Returns:
        np.ndarray: ``(H, W)`` ids, uint8 or uint16 as stored.
    """
    with Image.open(path) as image:
        if image.mode not in ('P', 'L', 'I;16', 'I'):
            raise ValueError(
                f"'{path}' is a {image.mode} PNG, not a label map of ids "
                '(palettised or grey).')
        labels = np.array(image)
    return labels.astype(np.uint16) if labels.dtype.itemsize > 1 else labels


def read_label_map(path: str) -> np.ndarray:
    """The labels of any label-map PNG: the ids of a palettised or grey
    one (:func:`read_label_png`), or, for RGB as some tools write them
    (one colour per label, e.g. the published DynaSeg script), the
    colours numbered in the order of ``np.unique`` (alpha ignored).

    Args:
        path (str): The PNG.

    Returns:
        np.ndarray: ``(H, W)`` int64 labels.
    """
    with Image.open(path) as image:
        if image.mode in ('RGB', 'RGBA'):
            colours = np.asarray(image.convert('RGB')).reshape(-1, 3)
            _, ids = np.unique(colours, axis=0, return_inverse=True)
            return ids.reshape(image.height, image.width).astype(np.int64)
    return read_label_png(path).astype(np.int64)


def resize_nearest(labels: np.ndarray, shape: Sequence[int]) -> np.ndarray:
    """``labels`` resized nearest-neighbour to ``shape`` (H, W)."""
    if labels.shape == tuple(shape):
        return labels
    image = Image.fromarray(labels.astype(np.int32), mode='I')
    return np.asarray(image.resize((shape[1], shape[0]),
                                   Image.NEAREST)).astype(np.int64)
