"""Arrays that cannot be written: not through themselves, their views or their base."""

from __future__ import annotations

import numpy as np

__all__ = ["frozen_copy"]


def frozen_copy(values: object, dtype: type = np.float64) -> np.ndarray:
    """A C-ordered copy of ``values`` over an immutable ``bytes`` buffer.

    ``setflags(write=False)`` on an array that owns its memory can be undone by anyone
    (``a.setflags(write=True)``, or through ``view.base``); an array whose memory is a ``bytes``
    object cannot be made writable at all, and neither can any view of it. C order also makes
    every later computation independent of the input's memory layout.
    """
    arr: np.ndarray = np.ascontiguousarray(values, dtype=dtype)
    return np.frombuffer(arr.tobytes(), dtype=arr.dtype).reshape(arr.shape)
