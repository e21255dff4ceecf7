"""Small validators shared by the regime estimators and feature builders (private)."""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np

from factorgym._typing import FloatArray
from factorgym.errors import ConfigError, DataError
from factorgym.feature_cache import FeatureCache


def check_int(name: str, value: object, *, minimum: int) -> int:
    """Return ``value`` as an int, or raise ``ConfigError`` unless it is an integer >= minimum."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise ConfigError(f"`{name}` must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ConfigError(f"`{name}` must be >= {minimum}, got {value!r}")
    return int(value)


def check_positive_float(name: str, value: object) -> float:
    """Return ``value`` as a float, or raise ``ConfigError`` unless it is finite and > 0."""
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise ConfigError(f"`{name}` must be a finite number > 0, got {value!r}")
    if value <= 0:
        raise ConfigError(f"`{name}` must be > 0, got {value!r}")
    return float(value)


def check_bool(name: str, value: object) -> bool:
    """Return ``value``, or raise ``ConfigError`` unless it is a bool."""
    if not isinstance(value, (bool, np.bool_)):
        raise ConfigError(f"`{name}` must be True or False, got {value!r}")
    return bool(value)


def check_choice(name: str, value: object, choices: tuple[str, ...]) -> str:
    """Return ``value``, or raise ``ConfigError`` unless it is one of ``choices``."""
    if not isinstance(value, str) or value not in choices:
        raise ConfigError(f"`{name}` must be one of {choices}, got {value!r}")
    return value


def check_seed(name: str, value: object) -> int | None:
    """Return ``value``, or raise ``ConfigError`` unless it is ``None`` or an integer >= 0."""
    if value is None:
        return None
    return check_int(name, value, minimum=0)


def check_matrix(x: object, *, name: str = "X") -> FloatArray:
    """``x`` as a C-contiguous float64 matrix, or ``DataError`` if not 2-D, numeric and finite."""
    try:
        arr = np.ascontiguousarray(np.asarray(x, dtype=np.float64))
    except (TypeError, ValueError) as exc:
        raise DataError(f"`{name}` must be numeric, got {exc}") from exc
    if arr.ndim != 2:
        raise DataError(f"`{name}` must be 2-D (n_samples, n_features), got shape {arr.shape}")
    bad = ~np.isfinite(arr)
    if bad.any():
        row, col = (int(i) for i in np.argwhere(bad)[0])
        raise DataError(
            f"`{name}` must be finite, got {int(bad.sum())} NaN/inf values "
            f"(first at row {row}, column {col})"
        )
    return arr


def check_cache(cache: object) -> FeatureCache | None:
    """Return ``cache``, or raise ``ConfigError`` unless it is a ``FeatureCache`` or ``None``."""
    if cache is not None and not isinstance(cache, FeatureCache):
        raise ConfigError(
            f"`cache` must be a factorgym.feature_cache.FeatureCache or None, "
            f"got {type(cache).__name__}"
        )
    return cache
