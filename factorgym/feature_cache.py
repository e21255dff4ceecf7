"""Content-addressed cache of point-in-time feature frames, verified on every read.

A feature frame depends only on the panel's content hash, the builder's name and parameters, and
the window; the cache key is a SHA-256 of exactly those, so a frame is computed once and reused
across agents, seeds and folds. Frames live in memory and, when a directory is given, on disk.

On disk an entry is ``<key>.npz``: NumPy arrays only (read with ``allow_pickle=False``, so a file
in the folder can never run code when loaded) plus a JSON header stored in the same archive. The
header carries the format, the entry's key, the frame's shape, index, column names and dtypes, and
a SHA-256 of the header and every array's bytes. An entry is used only if all of it checks out; a
bad entry -- unreadable, truncated, empty, random bytes, another key's frame, altered values or
shape, a crafted archive -- is reported (``logging.warning`` with its path and what failed),
deleted and recomputed. Files are written atomically (:mod:`factorgym._files`). Pickles of older
versions (``<key>.pkl``) are never loaded.

What round-trips exactly (bit for bit, with names, order and dtypes): columns of float, int,
unsigned int, bool, ``datetime64`` and ``Period`` dtype; a ``PeriodIndex``, ``DatetimeIndex``
(naive), ``RangeIndex`` or numeric index; str or int column names. A frame with anything else
(object columns, a ``MultiIndex``) cannot be stored on disk: ``ConfigError``.

Temporary files of a killed writer are removed on the next use of the folder by the rule of
:func:`factorgym._files.remove_stale_temps` (ours by name and owner; writer gone, or older than an
hour).
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from factorgym._files import atomic_write_bytes, remove_stale_temps
from factorgym.errors import ConfigError

__all__ = ["FeatureCache", "cache_key"]

logger = logging.getLogger(__name__)

FORMAT = "factorgym.feature_cache/2"
_HEADER = "header"


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


# ---------------------------------------------------------------------------------- encoding
class _BadEntry(Exception):
    """A cache file that does not check out (the message says what failed)."""


def _label(value: object, what: str) -> str | int:
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return value
    if isinstance(value, np.integer):
        return int(value)
    shown = value.item() if isinstance(value, np.generic) else value
    raise ConfigError(f"FeatureCache stores {what} that are str or int, got {shown!r}")


def _name(value: object, what: str) -> str | int | None:
    return None if value is None else _label(value, what)


def _encode_values(values: object, where: str) -> tuple[np.ndarray, dict[str, object]]:
    """An array NumPy can save without pickle, and how to turn it back."""
    dtype = getattr(values, "dtype", None)
    if isinstance(dtype, pd.PeriodDtype):
        periods = pd.PeriodIndex(values)
        return np.asarray(periods.asi8, dtype=np.int64), {"type": "period", "freq": periods.freqstr}
    arr = np.asarray(values)
    if arr.dtype.kind in "biuf" or (arr.dtype.kind == "M" and arr.dtype.str[0] != "|"):
        return np.ascontiguousarray(arr), {"type": "array", "dtype": arr.dtype.str}
    raise ConfigError(
        f"FeatureCache stores numeric, bool, datetime64 and Period data; {where} has dtype "
        f"{getattr(values, 'dtype', type(values).__name__)}"
    )


def _decode_values(arr: np.ndarray, spec: dict[str, object]) -> object:
    if spec.get("type") == "period":
        if arr.dtype != np.int64:
            raise _BadEntry(f"period ordinals of dtype {arr.dtype}, expected int64")
        return pd.PeriodIndex.from_ordinals(arr, freq=str(spec["freq"]))
    if spec.get("type") == "array":
        if arr.dtype.str != spec.get("dtype"):
            raise _BadEntry(f"array of dtype {arr.dtype.str}, the header says {spec.get('dtype')}")
        return arr
    raise _BadEntry(f"unknown value encoding {spec!r}")


def _digest(header: dict[str, object], arrays: list[np.ndarray]) -> str:
    h = hashlib.sha256(json.dumps(header, sort_keys=True).encode())
    for arr in arrays:
        h.update(f"{arr.dtype.str}{arr.shape}".encode())
        h.update(np.ascontiguousarray(arr).tobytes())
    return h.hexdigest()


def encode_frame(frame: pd.DataFrame, key: str) -> bytes:
    """The ``.npz`` bytes of a cache entry for ``frame`` under ``key`` (see the module doc)."""
    if isinstance(frame.columns, pd.MultiIndex) or isinstance(frame.index, pd.MultiIndex):
        raise ConfigError("FeatureCache cannot store a frame with a MultiIndex on disk")
    index = frame.index
    index_spec: dict[str, object]
    arrays: dict[str, np.ndarray] = {}
    if isinstance(index, pd.RangeIndex):
        index_spec = {"type": "range", "start": index.start, "stop": index.stop}
        index_spec["step"] = index.step
    else:
        arrays["index"], index_spec = _encode_values(index, "the index")
        if isinstance(index, pd.DatetimeIndex):
            if index.tz is not None:
                raise ConfigError("FeatureCache stores naive dates only; the index has a timezone")
            index_spec["datetime_freq"] = None if index.freq is None else index.freq.freqstr
        index_spec["pandas_dtype"] = str(index.dtype)
    index_spec["name"] = _name(index.name, "index names")
    columns = []
    for i in range(frame.shape[1]):
        series = frame.iloc[:, i]
        arr, spec = _encode_values(series.array, f"column {frame.columns[i]!r}")
        spec["name"] = _label(frame.columns[i], "column names")
        spec["pandas_dtype"] = str(series.dtype)
        arrays[f"c{i}"] = arr
        columns.append(spec)
    header: dict[str, object] = {
        "format": FORMAT,
        "key": key,
        "shape": [int(frame.shape[0]), int(frame.shape[1])],
        "index": index_spec,
        "columns": columns,
        "columns_name": _name(frame.columns.name, "column-index names"),
        "columns_dtype": str(frame.columns.dtype),
    }
    header["sha256"] = _digest(header, list(arrays.values()))
    buf = io.BytesIO()
    blob = np.frombuffer(json.dumps(header, sort_keys=True).encode(), dtype=np.uint8)
    members: dict[str, Any] = {_HEADER: blob, **arrays}
    np.savez(buf, **members)
    return buf.getvalue()


def decode_frame(data: bytes, key: str) -> pd.DataFrame:
    """The frame of a cache entry, after checking everything; ``_BadEntry`` says what failed."""
    if not data.startswith(b"PK\x03\x04"):  # every .npz is a zip archive
        what = "an empty file" if not data else f"{len(data)} bytes that are not a zip archive"
        raise _BadEntry(f"not an .npz archive: {what}")
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            stored = {name: npz[name] for name in npz.files}
    except (ValueError, OSError, EOFError, KeyError, zipfile.BadZipFile) as exc:
        raise _BadEntry(f"not a readable .npz archive ({exc})") from exc
    if _HEADER not in stored:
        raise _BadEntry("no header")
    try:
        header = json.loads(stored.pop(_HEADER).tobytes().decode())
    except (ValueError, UnicodeDecodeError) as exc:
        raise _BadEntry(f"unreadable header ({exc})") from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise _BadEntry(
            f"unknown format {header.get('format') if isinstance(header, dict) else header!r}"
        )
    if header.get("key") != key:
        raise _BadEntry(f"it holds the entry of key {str(header.get('key'))[:16]}..., not this key")
    claimed = header.pop("sha256", None)
    try:
        n_rows, n_cols = (int(v) for v in header["shape"])
        columns: list[dict[str, object]] = list(header["columns"])
        index_spec: dict[str, object] = dict(header["index"])
    except (KeyError, TypeError, ValueError) as exc:
        raise _BadEntry(f"incomplete header ({exc!r})") from exc
    names = (["index"] if index_spec.get("type") != "range" else []) + [
        f"c{i}" for i in range(n_cols)
    ]
    if sorted(stored) != sorted(names) or len(columns) != n_cols:
        raise _BadEntry(
            f"arrays {sorted(stored)} do not match the header's shape {[n_rows, n_cols]}"
        )
    if any(stored[n].shape != (n_rows,) for n in names):
        shapes = {n: stored[n].shape for n in names}
        raise _BadEntry(f"array shapes {shapes} do not match the header's {n_rows} rows")
    if _digest(header, [stored[n] for n in names]) != claimed:
        raise _BadEntry("checksum mismatch: the values or the header were changed")
    try:
        return _build(stored, header, index_spec, columns, n_rows)
    except (KeyError, TypeError, ValueError) as exc:
        raise _BadEntry(f"cannot rebuild the frame ({exc!r})") from exc


def _build(
    stored: dict[str, np.ndarray],
    header: dict[str, object],
    index_spec: dict[str, object],
    columns: list[dict[str, object]],
    n_rows: int,
) -> pd.DataFrame:
    index: pd.Index
    if index_spec["type"] == "range":
        index = pd.RangeIndex(
            int(index_spec["start"]),  # type: ignore[call-overload]
            int(index_spec["stop"]),  # type: ignore[call-overload]
            int(index_spec["step"]),  # type: ignore[call-overload]
        )
        if len(index) != n_rows:
            raise ValueError(f"range index of {len(index)} rows for {n_rows} rows")
    else:
        values = _decode_values(stored["index"], index_spec)
        if "datetime_freq" in index_spec:
            freq = index_spec["datetime_freq"]
            index = pd.DatetimeIndex(values, freq=freq)
        else:
            index = pd.Index(values, dtype=str(index_spec["pandas_dtype"]))
    index.name = index_spec.get("name")
    data = {}
    for i, spec in enumerate(columns):
        values = _decode_values(stored[f"c{i}"], spec)
        array = values.array if isinstance(values, pd.Index) else values
        data[i] = pd.array(array, dtype=str(spec["pandas_dtype"]), copy=False)
    frame = pd.DataFrame(data, index=index)
    frame.columns = pd.Index(
        [spec["name"] for spec in columns],
        dtype=str(header["columns_dtype"]),
        name=header["columns_name"],
    )
    return frame


# ---------------------------------------------------------------------------------- the cache
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
    rejected : int
        Disk entries that failed verification (reported, deleted and recomputed).
    """

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        self.directory = None if directory is None else Path(directory)
        self._memory: dict[str, pd.DataFrame] = {}
        self._swept = False
        self.hits = 0
        self.misses = 0
        self.rejected = 0

    def _path(self, key: str) -> Path:
        assert self.directory is not None
        return self.directory / f"{key}.npz"

    def _sweep(self) -> None:
        """First disk use: remove stale temporary files, say that old pickles are ignored."""
        if self._swept or self.directory is None or not self.directory.is_dir():
            return
        self._swept = True
        for path in remove_stale_temps(self.directory):
            logger.info("removed the stale temporary file %s (its writer is gone)", path)
        pickles = sorted(self.directory.glob("*.pkl"))
        if pickles:
            logger.warning(
                "%d pickled entries in %s are ignored (pickles can run code when loaded; this "
                "version stores .npz); delete them to reclaim the space",
                len(pickles),
                self.directory,
            )

    def _read(self, key: str) -> pd.DataFrame | None:
        path = self._path(key)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            logger.warning("feature cache entry %s cannot be read (%s): recomputing", path, exc)
            return None
        try:
            return decode_frame(data, key)
        except _BadEntry as exc:
            self.rejected += 1
            logger.warning("feature cache entry %s is bad (%s): deleted, recomputing", path, exc)
            path.unlink(missing_ok=True)
            return None

    def get_or_compute(self, compute: Callable[[], pd.DataFrame], **parts: object) -> pd.DataFrame:
        """Return the cached frame for ``parts`` or compute, store and return it.

        A copy is returned each time, so callers cannot corrupt the cache.

        Raises
        ------
        ConfigError
            ``compute`` returned something else than a DataFrame, or (with a directory) a frame
            the disk format cannot hold (see the module docstring).
        OutputError
            The entry cannot be written to the directory.
        """
        key = cache_key(**parts)
        if key in self._memory:
            self.hits += 1
            return self._memory[key].copy()
        if self.directory is not None:
            self._sweep()
            frame = self._read(key)
            if frame is not None:
                self._memory[key] = frame
                self.hits += 1
                return frame.copy()
        self.misses += 1
        frame = compute()
        if not isinstance(frame, pd.DataFrame):
            raise ConfigError(
                f"`compute` must return a pandas DataFrame, got {type(frame).__name__}"
            )
        if self.directory is not None:
            atomic_write_bytes(self._path(key), encode_frame(frame, key), make_folder=True)
            self._sweep()
            logger.debug("cached feature frame %s", key)
        self._memory[key] = frame.copy()
        return frame

    def clear(self) -> None:
        """Forget the in-memory frames (files on disk stay)."""
        self._memory.clear()

    def __len__(self) -> int:
        return len(self._memory)
