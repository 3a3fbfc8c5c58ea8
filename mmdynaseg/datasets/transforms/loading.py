"""Image loading that names the bad file and can skip it."""
import os
import os.path as osp
from typing import Optional

from mmcv.transforms import LoadImageFromFile
from mmengine.logging import MMLogger, print_log
from mmseg.registry import TRANSFORMS

ON_ERROR = ('raise', 'skip')


class ImageLoadError(RuntimeError):
    """An image file is missing or cannot be decoded."""


@TRANSFORMS.register_module()
class LoadImageOrSkip(LoadImageFromFile):
    """``LoadImageFromFile`` with a clear error, or skipping, on bad files.

    Decoding with the default ``color_type='color'`` already turns grayscale
    into 3 channels, drops an alpha channel and converts 16-bit images to
    8-bit, so every image reaches the network as 8-bit BGR. A missing,
    truncated or non-image file either raises :class:`ImageLoadError` naming
    the file and the fix (``on_error='raise'``), or is reported in the log
    and skipped (``on_error='skip'``: the transform returns ``None`` and a
    training dataset fetches another image), so a long run does not die on
    one bad item.

    Args:
        on_error (str): ``'raise'`` or ``'skip'``. Defaults to ``'raise'``.
        **kwargs: Arguments of :class:`mmcv.transforms.LoadImageFromFile`.
    """

    def __init__(self, on_error: str = 'raise', **kwargs) -> None:
        if on_error not in ON_ERROR:
            raise ValueError(
                f'on_error must be one of {ON_ERROR}, got {on_error!r}.')
        super().__init__(**kwargs)
        self.on_error = on_error

    def transform(self, results: dict) -> Optional[dict]:
        """Load ``results['img_path']``; see the class docstring on errors."""
        try:
            return super().transform(results)
        except Exception as error:  # decoders raise many types
            reason = _reason(results['img_path'], error)
            message = (
                f"cannot read image '{results['img_path']}' ({reason}). "
                'Check that the file exists and is a valid image (re-save '
                'it as PNG or JPEG), or remove it from the dataset.')
            if self.on_error == 'raise':
                raise ImageLoadError(message) from error
            print_log(
                f'skipping: {message}',
                logger=MMLogger.get_current_instance(),
                level=30)
            return None

    def __repr__(self) -> str:
        return f'{super().__repr__()[:-1]}, on_error={self.on_error!r})'


def _reason(path: str, error: Exception) -> str:
    """Why ``path`` could not be loaded, in words where the decoder's own
    message would not say it (a broken link, an empty file)."""
    if osp.islink(path) and not osp.exists(path):
        return f'broken symbolic link to {os.readlink(path)!r}'
    if osp.isfile(path) and osp.getsize(path) == 0:
        return 'empty file (0 bytes)'
    return str(error) or type(error).__name__
