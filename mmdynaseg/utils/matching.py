"""One-to-one matching that maximises overlap (Hungarian algorithm)."""
import numpy as np
from scipy.optimize import linear_sum_assignment


def max_overlap_matching(overlap: np.ndarray) -> np.ndarray:
    """Match rows to columns one-to-one, maximising the total overlap.

    ``scipy.optimize.linear_sum_assignment(maximize=True)`` on a possibly
    rectangular matrix: every column gets its own row while rows last.
    Used to match predicted clusters to classes (metrics) and guide
    pseudo-labels to clusters (DynaGuide's guidance loss).

    Args:
        overlap (np.ndarray): R x C non-negative counts, ``overlap[r, c]``
            = pixels shared by row item ``r`` and column item ``c``.

    Returns:
        np.ndarray: Shape (C,), int64, the row matched to each column, or
        -1 for the columns left unmatched (only when R < C).
    """
    rows, cols = linear_sum_assignment(overlap, maximize=True)
    matched = np.full(overlap.shape[1], -1, dtype=np.int64)
    matched[cols] = rows
    return matched
