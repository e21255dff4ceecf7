"""Checks and containers shared by the config sections (key paths in every message).

Every check names the key path it checks (``splits.test_size``) and returns the value in its
canonical type, or raises :class:`~factorgym.errors.ConfigError` in the one message form of
:mod:`factorgym.validation`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Iterator, Mapping
from typing import Any

from factorgym.errors import ConfigError, DataError, FactorGymError
from factorgym.panel import parse_month
from factorgym.validation import fail

__all__ = [
    "FrozenMap",
    "as_table",
    "check_keys",
    "freeze",
    "hyper_value",
    "month_value",
    "plain",
    "plain_dict",
    "prefixed",
    "string_list",
    "string_value",
    "unknown_key",
]


def unknown_key(path: str, key: str, allowed: tuple[str, ...] | list[str]) -> ConfigError:
    """The error for an unknown key (with close matches suggested)."""
    close = difflib.get_close_matches(key, list(allowed), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    where = f"`{path}.{key}`" if path else f"`{key}`"
    return ConfigError(f"{where} is not a known key (allowed: {', '.join(allowed)}){hint}")


def check_keys(path: str, table: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    """Refuse any key of ``table`` not in ``allowed``."""
    for key in table:
        if key not in allowed:
            raise unknown_key(path, str(key), allowed)


def as_table(path: str, value: object) -> dict[str, Any]:
    """``value`` as a dict; ``ConfigError`` unless it is a TOML table."""
    if not isinstance(value, Mapping):
        raise fail(path, "a table", value)
    return dict(value)


_LEADING_NAME = re.compile(r"^`([^`]+)`")


def prefixed(exc: FactorGymError, prefix: str) -> ConfigError:
    """``exc`` as a ConfigError whose leading `` `name` `` becomes `` `prefix.name` ``."""
    msg = str(exc)
    if _LEADING_NAME.match(msg):
        msg = _LEADING_NAME.sub(lambda m: f"`{prefix}.{m.group(1)}`", msg, count=1)
    else:
        msg = f"`{prefix}`: {msg}"
    return ConfigError(msg)


def month_value(path: str, value: object) -> str | None:
    """``value`` (``"YYYY-MM"`` or a TOML date) as ``"YYYY-MM"``, or None."""
    if value is None:
        return None
    if isinstance(value, dt.date):
        value = value.isoformat()
    if not isinstance(value, str):
        raise fail(path, "a month such as '1990-01'", value)
    try:
        return str(parse_month(value, name=path))
    except DataError as exc:
        raise ConfigError(str(exc)) from exc


def string_value(path: str, value: object, *, pattern: re.Pattern[str] | None = None) -> str:
    """A non-empty string (matching ``pattern`` if given)."""
    if not isinstance(value, str) or not value.strip():
        raise fail(path, "a non-empty string", value)
    if pattern is not None and not pattern.match(value):
        raise fail(path, f"a name matching {pattern.pattern}", value)
    return value


def string_list(path: str, value: object) -> tuple[str, ...]:
    """A non-empty list of distinct non-empty strings, as a tuple."""
    if isinstance(value, str) or not isinstance(value, (list, tuple)) or not value:
        raise fail(path, "a non-empty list of strings", value)
    out = tuple(string_value(f"{path}[{i}]", v) for i, v in enumerate(value))
    if len(set(out)) != len(out):
        raise fail(path, "a list of distinct strings", value)
    return out


def hyper_value(path: str, value: object) -> object:
    """A hyper-parameter value: a finite scalar, a list (held as a tuple) or a table of them.

    Tables are held as a :class:`FrozenMap` (e.g. ``[agents.ppo.hyperparams]``).
    """
    if isinstance(value, (list, tuple)):
        return tuple(hyper_value(f"{path}[{i}]", v) for i, v in enumerate(value))
    if isinstance(value, Mapping):
        return FrozenMap({str(k): hyper_value(f"{path}.{k}", v) for k, v in value.items()})
    if isinstance(value, float) and not math.isfinite(value):
        raise fail(path, "a finite number", value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise fail(path, "a number, bool, string, or a list or table of them", value)


class FrozenMap(Mapping[str, Any]):
    """A read-only, picklable mapping (``MappingProxyType`` does not pickle)."""

    __slots__ = ("_data",)
    _data: dict[str, Any]

    def __init__(self, data: Mapping[str, Any]) -> None:
        object.__setattr__(self, "_data", dict(data))

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("FrozenMap is read-only")

    def __getstate__(self) -> dict[str, Any]:
        return self._data

    def __setstate__(self, state: dict[str, Any]) -> None:
        object.__setattr__(self, "_data", dict(state))

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"


def freeze(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    """A read-only copy of ``mapping``."""
    return FrozenMap(mapping)


def plain_dict(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """JSON-ready copy of a mapping."""
    return {str(k): plain(v) for k, v in mapping.items()}


def plain(value: object) -> object:
    """JSON-ready copy: tuples become lists, mappings dicts."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value
