"""Content-addressed cache of point-in-time feature frames.

A feature frame depends only on the panel's content hash, the builder's name and parameters, and
the window; the cache key is a SHA-256 of exactly those, so a frame is computed once and reused
across agents, seeds and folds. Frames live in memory and, when a directory is given, on disk
(pickled DataFrames, written atomically), e.g. under an experiment's run directory.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from factorgym.errors import ConfigError

__all__ = ["FeatureCache", "cache_key"]

logger = logging.getLogger(__name__)


def _canonical(value: object) -> object:
    """JSON-serialisable canonical form of a parameter value (raises for unknown types)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return repr(value)  # exact: 0.1 and 0.1000000001 must not collide
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return _canonical(value.item())
    if isinstance(value, np.ndarray):
        return {
            "ndarray": hashlib.sha256(np.ascontiguousarray(value).tobytes()).hexdigest(),
            "shape": list(value.shape),
            "dtype": str(value.dtype),
        }
    if isinstance(value, pd.Period):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    raise ConfigError(
        f"cache key parts must be None, bool, int, float, str, ndarray, Period, list or dict; "
        f"got {type(value).__name__}"
    )


def cache_key(**parts: object) -> str:
    """SHA-256 hex key of keyword parts (order-independent, exact for floats)."""
    blob = json.dumps(_canonical(parts), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


class FeatureCache:
    """Memory (and optional disk) cache of feature frames keyed by :func:`cache_key`.

    Parameters
    ----------
    directory : path, optional
        Where frames are stored on disk; ``None`` keeps them in memory only.

    Attributes
    ----------
    hits, misses : int
        Counters, for tests and benchmarks.
    """

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        self.directory = None if directory is None else Path(directory)
        self._memory: dict[str, pd.DataFrame] = {}
        self.hits = 0
        self.misses = 0

    def _path(self, key: str) -> Path:
        assert self.directory is not None
        return self.directory / f"{key}.pkl"

    def get_or_compute(self, compute: Callable[[], pd.DataFrame], **parts: object) -> pd.DataFrame:
        """Return the cached frame for ``parts`` or compute, store and return it.

        A copy is returned each time, so callers cannot corrupt the cache.
        """
        key = cache_key(**parts)
        if key in self._memory:
            self.hits += 1
            return self._memory[key].copy()
        if self.directory is not None and self._path(key).exists():
            frame = pd.read_pickle(self._path(key))
            self._memory[key] = frame
            self.hits += 1
            return frame.copy()
        self.misses += 1
        frame = compute()
        if not isinstance(frame, pd.DataFrame):
            raise ConfigError(
                f"`compute` must return a pandas DataFrame, got {type(frame).__name__}"
            )
        self._memory[key] = frame.copy()
        if self.directory is not None:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
            os.close(fd)
            frame.to_pickle(tmp)
            os.replace(tmp, self._path(key))
            logger.debug("cached feature frame %s", key)
        return frame

    def clear(self) -> None:
        """Forget the in-memory frames (files on disk stay)."""
        self._memory.clear()

    def __len__(self) -> int:
        return len(self._memory)
