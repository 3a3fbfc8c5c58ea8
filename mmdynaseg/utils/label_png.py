"""Label maps as PNG files: ids kept, one visible colour per cluster."""
import io

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
