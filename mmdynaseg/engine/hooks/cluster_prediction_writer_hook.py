"""Write predicted cluster maps and overlays during testing."""
import os.path as osp
from typing import Dict, Optional, Sequence

import cv2
import mmcv
import numpy as np
from mmengine.hooks import Hook
from mmseg.registry import HOOKS
from mmseg.structures import SegDataSample
from skimage.segmentation import mark_boundaries

from mmdynaseg.utils import (FAILED_KEY, cluster_palette, label_map_array,
                             prepare_output_folder, write_bytes,
                             write_label_png)

def overlay_clusters(image: np.ndarray,
                     pred: np.ndarray,
                     opacity: float = 0.5) -> np.ndarray:
    """Blend an RGB image with the colours of its clusters.

    Each pixel becomes ``round((1 - opacity) * image + opacity * colour)``,
    where ``colour`` is the :func:`cluster_palette` entry of its cluster.

    Args:
        image (np.ndarray): ``(H, W, 3)`` uint8 RGB image.
        pred (np.ndarray): ``(H, W)`` cluster ids.
        opacity (float): Weight of the cluster colours. Defaults to 0.5.

    Returns:
        np.ndarray: ``(H, W, 3)`` uint8 RGB overlay.
    """
    colours = cluster_palette()[label_map_array(pred)].astype(np.float64)
    blend = (1 - opacity) * image.astype(np.float64) + opacity * colours
    return np.round(blend).astype(np.uint8)


def overlay_boundaries(image: np.ndarray,
                       pred: np.ndarray,
                       opacity: float = 0.5) -> np.ndarray:
    """:func:`overlay_clusters` with the pixels on either side of a cluster
    boundary drawn in white (scikit-image ``mark_boundaries``,
    ``mode='thick'``).

    Args:
        image (np.ndarray): ``(H, W, 3)`` uint8 RGB image.
        pred (np.ndarray): ``(H, W)`` cluster ids.
        opacity (float): Weight of the cluster colours. Defaults to 0.5.

    Returns:
        np.ndarray: ``(H, W, 3)`` uint8 RGB overlay.
    """
    pred = np.asarray(pred, dtype=np.int64)
    marked = mark_boundaries(
        overlay_clusters(image, pred, opacity),
        pred,
        color=(1, 1, 1),
        mode='thick')
    return np.round(marked * 255).astype(np.uint8)


def overlay_figure(image: np.ndarray,
                   pred: np.ndarray,
                   opacity: float = 0.5) -> np.ndarray:
    """The image beside its segmentation: the image on the left,
    :func:`overlay_boundaries` on the right.

    Args:
        image (np.ndarray): ``(H, W, 3)`` uint8 RGB image.
        pred (np.ndarray): ``(H, W)`` cluster ids.
        opacity (float): Weight of the cluster colours. Defaults to 0.5.

    Returns:
        np.ndarray: ``(H, 2 W, 3)`` uint8 RGB figure.
    """
    return np.hstack([image, overlay_boundaries(image, pred, opacity)])


def write_png(path: str, array: np.ndarray) -> None:
    """Write a PNG atomically (RGB arrays are given in RGB order).

    The file is written under a temporary name in the same folder and
    renamed, so two ranks writing the same image (MMEngine's sampler pads
    the last ranks with repeated images) never leave a half-written file.
    """
    if array.ndim == 3:
        array = np.ascontiguousarray(array[..., ::-1])  # OpenCV wants BGR
    ok, encoded = cv2.imencode('.png', array)
    if not ok:
        raise OSError(f'cannot encode {path!r} as PNG.')
    write_bytes(path, encoded.tobytes())


def _stem(img_path: str) -> str:
    """Image file name without folder and extension."""
    return osp.splitext(osp.basename(img_path))[0]


@HOOKS.register_module()
class ClusterPredictionWriterHook(Hook):
    """Write each test image's predicted cluster map and/or an overlay.

    Unsupervised segmentation predicts cluster ids ``0..q-1``, not classes,
    so MMSeg's ``SegVisualizationHook`` (which paints ids with the
    dataset's class palette) cannot show them. After every test iteration
    this hook writes, for every image, its ``pred_sem_seg`` (at the
    image's original size) as

    - ``<out_dir>/<stem>.png``: the cluster ids, a palettised PNG whose
      palette shows each cluster in its colour (:func:`cluster_palette`,
      the same in every image), or 16-bit grey when an id of that image
      exceeds 255 (:func:`write_label_png`; read the ids back with
      :func:`read_label_png` or PIL);
    - ``<show_dir>/<stem>_overlay.png``: the image beside its blend with
      the cluster colours, boundaries drawn (:func:`overlay_figure`).

    ``<stem>`` is the image file name without its extension. Before testing
    the hook creates the folders and checks that no two images of the test
    set would be written to the same file. In distributed testing each rank
    writes its own images; images repeated by the sampler to even out the
    ranks are written again, with the same content.

    ``tools/test.py CONFIG CKPT --out DIR --show-dir DIR`` adds this hook.

    Args:
        out_dir (str, optional): Folder of the raw cluster maps.
        show_dir (str, optional): Folder of the overlays.
        opacity (float): Weight of the cluster colours in the overlays, in
            ``[0, 1]``. Defaults to 0.5.
    """

    def __init__(self,
                 out_dir: Optional[str] = None,
                 show_dir: Optional[str] = None,
                 opacity: float = 0.5) -> None:
        if out_dir is None and show_dir is None:
            raise ValueError(
                'ClusterPredictionWriterHook needs out_dir and/or show_dir.')
        if not 0 <= opacity <= 1:
            raise ValueError(f'opacity must be in [0, 1], got {opacity}.')
        self.out_dir = out_dir
        self.show_dir = show_dir
        self.opacity = opacity

    def _map_path(self, img_path: str) -> Optional[str]:
        """Where the cluster map of ``img_path`` goes (None: not written)."""
        if self.out_dir is None:
            return None
        return osp.join(self.out_dir, f'{_stem(img_path)}.png')

    def _overlay_path(self, img_path: str) -> Optional[str]:
        """Where the overlay of ``img_path`` goes (None: not written)."""
        if self.show_dir is None:
            return None
        return osp.join(self.show_dir, f'{_stem(img_path)}_overlay.png')

    def before_test(self, runner) -> None:
        """Create the folders; refuse images that would share a file."""
        if self.out_dir is not None:
            prepare_output_folder(self.out_dir, '--out (out_dir)')
        if self.show_dir is not None:
            prepare_output_folder(self.show_dir,
                                  '--show-dir (show_dir)')
        dataset = runner.test_dataloader.dataset
        written_by: Dict[str, str] = {}
        for index in range(len(dataset)):
            img_path = dataset.get_data_info(index)['img_path']
            for target in (self._map_path(img_path),
                           self._overlay_path(img_path)):
                if target is None:
                    continue
                other = written_by.setdefault(osp.abspath(target), img_path)
                if other != img_path:
                    raise ValueError(
                        f"images '{other}' and '{img_path}' would both be "
                        f"written to '{target}' (file names are the image "
                        'names without extension); rename one of them, or '
                        'test their folders separately.')

    def after_test_iter(self,
                        runner,
                        batch_idx: int,
                        data_batch: Optional[dict] = None,
                        outputs: Optional[Sequence[SegDataSample]] = None
                        ) -> None:
        """Write the cluster map and/or overlay of every image that was
        segmented (not of a failed one, ``FAILED_KEY``)."""
        for index, sample in enumerate(outputs or []):
            if FAILED_KEY in sample:
                continue
            pred = sample.pred_sem_seg.data.squeeze(0).cpu().numpy()
            map_path = self._map_path(sample.img_path)
            if map_path is not None:
                write_label_png(map_path, pred)
            overlay_path = self._overlay_path(sample.img_path)
            if overlay_path is not None:
                image = mmcv.imread(sample.img_path, channel_order='rgb')
                if image.shape[:2] != pred.shape and data_batch:
                    # evaluated on a crop (ResetOriShape): draw on the
                    # network's input, packed as BGR C x H x W
                    image = data_batch['inputs'][index].permute(
                        1, 2, 0).flip(-1).cpu().numpy()
                if image.shape[:2] != pred.shape:
                    raise ValueError(
                        f'prediction {pred.shape} and image '
                        f"{image.shape[:2]} of '{sample.img_path}' differ "
                        'in size; the test pipeline must keep ori_shape.')
                write_png(overlay_path,
                          overlay_figure(image, pred, self.opacity))
