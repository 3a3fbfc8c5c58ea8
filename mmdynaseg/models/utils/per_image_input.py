"""The image a per-image model optimises on, and the way back to it."""
import numpy as np
import torch.nn.functional as F
from mmseg.models.utils import resize
from mmseg.structures import SegDataSample
from torch import Tensor, nn


class PerImageInput:
    """One preprocessed image, cropped and scaled for per-image optimisation.

    The padding the data preprocessor added (``padding_size``) is cropped
    and the image resized by ``scale`` (bilinear); :meth:`restore` takes a
    response back to the input's size and padding.

    Args:
        image (Tensor): (1, C, H, W) preprocessed image, maybe padded.
        sample (SegDataSample): Its data sample (``padding_size``,
            ``img_path``).
        scale (float): Resize factor in ``(0, 1]``.
        align_corners (bool): ``align_corners`` of the resize back.
    """

    def __init__(self, image: Tensor, sample: SegDataSample, scale: float,
                 align_corners: bool) -> None:
        self.padding = sample.metainfo.get('padding_size', [0] * 4)
        left, right, top, bottom = self.padding
        height, width = image.shape[2:]
        image = image[..., top:height - bottom, left:width - right]
        self.size = tuple(image.shape[2:])
        scaled = [int(side * scale) for side in self.size]
        if scaled[0] * scaled[1] < 2:
            raise ValueError(
                f"'{sample.get('img_path', 'the image')}' is "
                f'{self.size[1]} x {self.size[0]} px, {scaled[1]} x '
                f'{scaled[0]} at optimise_scale={scale}: per-image '
                'optimisation needs at least 2 pixels (BatchNorm statistics '
                'of one pixel are undefined); use a larger image or a larger '
                'optimise_scale.')
        if scale != 1:
            image = resize(
                image, scale_factor=scale, mode='bilinear',
                align_corners=False)
        self.image = image
        self.align_corners = align_corners

    def restore(self, logits: Tensor) -> Tensor:
        """``logits`` (1, q, h, w) resized (bilinear) to the cropped image
        and padded with zeros like the input."""
        if tuple(logits.shape[2:]) != self.size:
            logits = resize(
                logits,
                size=self.size,
                mode='bilinear',
                align_corners=self.align_corners)
        return F.pad(logits, tuple(self.padding))

    def rgb(self, preprocessor: nn.Module) -> np.ndarray:
        """The optimised image as (h, w, 3) uint8 RGB: the preprocessor's
        normalisation and channel order undone."""
        pixels = self.image[0].detach().float()
        if hasattr(preprocessor, 'std'):
            pixels = pixels * preprocessor.std + preprocessor.mean
        if not getattr(preprocessor, 'channel_conversion', False):
            pixels = pixels.flip(0)  # mmcv loads BGR
        rgb = pixels.permute(1, 2, 0).round().clamp(0, 255).byte()
        return np.ascontiguousarray(rgb.cpu().numpy())
