"""Argument validation: the one home of the checks every subpackage runs on its parameters.

Each check returns the value in its canonical type or raises :class:`~factorgym.errors.ConfigError`
(parameters) or :class:`~factorgym.errors.DataError` (data) with a message that names the
parameter, the constraint and the value received, in one form everywhere::

    `cost_bps` must be a number >= 0 and <= 10000, got -5.0

envs/, regimes/, forecasts/, agents/, experiments/ and evaluation/ all use these functions; a
module that needs a new kind of check adds it here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Integral, Real
from typing import TYPE_CHECKING

import numpy as np

from factorgym._typing import FloatArray
from factorgym.errors import ConfigError, DataError

if TYPE_CHECKING:
    from factorgym.feature_cache import FeatureCache

__all__ = [
    "check_bool",
    "check_cache",
    "check_choice",
    "check_int",
    "check_int_sequence",
    "check_matrix",
    "check_positive",
    "check_real",
    "check_real_sequence",
    "check_seed",
    "fail",
    "is_real",
]


def fail(name: str, constraint: str, value: object) -> ConfigError:
    """The error for parameter ``name`` that must be ``constraint`` and is ``value``."""
    return ConfigError(f"`{name}` must be {constraint}, got {value!r}")


def is_real(value: object) -> bool:
    """True for a real number (int, float or NumPy scalar), False for bools and everything else."""
    return isinstance(value, Real) and not isinstance(value, (bool, np.bool_))


def check_bool(name: str, value: object) -> bool:
    """``value`` as a bool; ``ConfigError`` unless it is ``True`` or ``False``."""
    if not isinstance(value, (bool, np.bool_)):
        raise fail(name, "True or False", value)
    return bool(value)


def check_int(
    name: str, value: object, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    """``value`` as an int in ``[minimum, maximum]``; ``ConfigError`` otherwise."""
    parts = []
    if minimum is not None:
        parts.append(f">= {minimum}")
    if maximum is not None:
        parts.append(f"<= {maximum}")
    constraint = "an int" + (" " + " and ".join(parts) if parts else "")
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Integral):
        raise fail(name, constraint, value)
    v = int(value)
    if (minimum is not None and v < minimum) or (maximum is not None and v > maximum):
        raise fail(name, constraint, value)
    return v


def check_real(
    name: str,
    value: object,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    allow_inf: bool = False,
) -> float:
    """``value`` as a float in the stated interval; ``ConfigError`` otherwise.

    Parameters
    ----------
    name : str
        Parameter name for the message.
    value : object
        The value received.
    low, high : float, optional
        Bounds (inclusive unless ``low_open``/``high_open``).
    allow_inf : bool
        Accept ``+-inf`` (NaN is never accepted).
    """
    parts = []
    if low is not None:
        parts.append(f"{'>' if low_open else '>='} {low:g}")
    if high is not None:
        parts.append(f"{'<' if high_open else '<='} {high:g}")
    constraint = ("a number" if allow_inf else "a finite number") + (
        " " + " and ".join(parts) if parts else ""
    )
    if allow_inf:
        constraint += " (inf allowed)"
    if not is_real(value):
        raise fail(name, constraint, value)
    v = float(value)  # type: ignore[arg-type]
    if math.isnan(v) or (math.isinf(v) and not allow_inf):
        raise fail(name, constraint, value)
    if low is not None and (v < low or (low_open and v == low)):
        raise fail(name, constraint, value)
    if high is not None and (v > high or (high_open and v == high)):
        raise fail(name, constraint, value)
    return v


def check_choice(name: str, value: object, choices: Sequence[str]) -> str:
    """``value`` if it is one of ``choices``; ``ConfigError`` otherwise."""
    if not isinstance(value, str) or value not in choices:
        raise fail(name, f"one of {tuple(choices)}", value)
    return value


def check_seed(name: str, value: object) -> int | None:
    """``None`` or an int >= 0 (a NumPy/torch seed); ``ConfigError`` otherwise."""
    if value is None:
        return None
    return check_int(name, value, minimum=0)


def _sequence(name: str, value: object, what: str) -> Sequence[object]:
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray)):
        raise fail(name, f"a non-empty sequence of {what}", value)
    if len(value) == 0:
        raise fail(name, f"a non-empty sequence of {what}", value)
    return value  # type: ignore[return-value]


def check_int_sequence(
    name: str, value: object, *, minimum: int | None = None, unique: bool = False
) -> tuple[int, ...]:
    """A non-empty sequence of ints (each ``>= minimum``) as a tuple; ``ConfigError`` otherwise."""
    what = "ints" if minimum is None else f"ints >= {minimum}"
    items = _sequence(name, value, what)
    out = tuple(check_int(f"{name}[{i}]", v, minimum=minimum) for i, v in enumerate(items))
    if unique and len(set(out)) != len(out):
        raise fail(name, f"a sequence of distinct {what}", value)
    return out


def check_real_sequence(
    name: str,
    value: object,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
) -> tuple[float, ...]:
    """A non-empty sequence of finite numbers in the stated interval, as a tuple of floats."""
    items = _sequence(name, value, "numbers")
    return tuple(
        check_real(f"{name}[{i}]", v, low=low, high=high, low_open=low_open)
        for i, v in enumerate(items)
    )


def check_matrix(x: object, *, name: str = "X", allow_nan: bool = False) -> FloatArray:
    """``x`` as a C-ordered float64 matrix; ``DataError`` unless 2-D, numeric and finite.

    ``allow_nan`` accepts NaN (missing) but never ``+-inf``.
    """
    try:
        arr = np.ascontiguousarray(np.asarray(x, dtype=np.float64))
    except (TypeError, ValueError) as exc:
        raise DataError(f"`{name}` must be numeric, got {exc}") from exc
    if arr.ndim != 2:
        raise DataError(f"`{name}` must be 2-D (n_samples, n_features), got shape {arr.shape}")
    bad = np.isinf(arr) if allow_nan else ~np.isfinite(arr)
    if bad.any():
        row, col = (int(i) for i in np.argwhere(bad)[0])
        what = "inf" if allow_nan else "NaN/inf"
        raise DataError(
            f"`{name}` must be finite, got {int(bad.sum())} {what} values "
            f"(first at row {row}, column {col})"
        )
    return arr


def check_positive(name: str, value: object) -> float:
    """``value`` as a float, finite and > 0; ``ConfigError`` otherwise."""
    return check_real(name, value, low=0.0, low_open=True)


def check_cache(cache: object) -> FeatureCache | None:
    """``cache`` if it is a :class:`~factorgym.feature_cache.FeatureCache` or ``None``."""
    from factorgym.feature_cache import FeatureCache

    if cache is not None and not isinstance(cache, FeatureCache):
        raise fail("cache", "a factorgym.feature_cache.FeatureCache or None", type(cache).__name__)
    return cache
