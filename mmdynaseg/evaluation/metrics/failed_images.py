"""Images whose per-image optimisation failed: left out of every score."""
import logging
from typing import Any, List, Optional

from mmengine.logging import MMLogger, print_log

from ...utils import FAILED_KEY


class NothingToScoreError(RuntimeError):
    """Every image of the evaluation failed."""


def failed_entry(data_sample: dict) -> Optional[dict]:
    """The result entry of a failed image (its path and the reason), or
    None for an image that was segmented."""
    reason = data_sample.get(FAILED_KEY)
    if reason is None:
        return None
    return {FAILED_KEY: reason, 'img_path': data_sample.get('img_path')}


def drop_failed(results: List[Any]) -> List[Any]:
    """The results of segmented images; the failed ones are logged.

    Args:
        results (list): A metric's per-image results, with
            :func:`failed_entry` entries among them.

    Returns:
        list: The other results.

    Raises:
        NothingToScoreError: Every image failed.
    """
    failed = [r for r in results if isinstance(r, dict) and FAILED_KEY in r]
    if not failed:
        return results
    if len(failed) == len(results):
        raise NothingToScoreError(
            f'all {len(results)} images failed, so there is nothing to '
            f'score; the first: {failed[0][FAILED_KEY]}')
    print_log(
        f'{len(failed)} of {len(results)} images failed and are not scored '
        f'(the scores cover the other {len(results) - len(failed)}): ' +
        '; '.join(str(entry['img_path']) for entry in failed),
        logger=MMLogger.get_current_instance(),
        level=logging.WARNING)
    return [
        r for r in results
        if not (isinstance(r, dict) and FAILED_KEY in r)
    ]
