"""Saving allocators: atomic writes of data formats, verified when read back.

A baseline is saved as one JSON document; an RL agent as a folder holding a JSON manifest and
stable-baselines3's zip files. Every document carries the SHA-256 of its body (and the manifest
the SHA-256 of every file it lists), so a truncated, edited or swapped file is refused on load
with its path named, never trusted. Files are written with :mod:`factorgym._files` (temporary
name in the target folder, ``fsync``, ``os.replace``; a folder is filled under a temporary name
and renamed into place), so a crash never leaves a half-written file under the final name. An
existing file or folder is replaced only with ``overwrite=True``. No pickles of ours: arrays are
stored as JSON lists of floats (``repr`` round-trips float64 exactly); SB3's zip files hold
cloudpickled entries of SB3's own, which are only loaded after their SHA-256 matched the manifest.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from factorgym._files import atomic_write_bytes, check_output_path
from factorgym.errors import ConfigError, DataError, OutputError

__all__ = [
    "FORMAT",
    "decode_value",
    "document_bytes",
    "encode_value",
    "parse_document",
    "read_document",
    "read_verified_file",
    "sha256_bytes",
    "write_document",
    "write_folder",
]

#: Format tag of every document written here (bump the version when the layout changes).
FORMAT = "factorgym.allocator/1"


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def encode_value(value: Any) -> Any:
    """A JSON-ready form of parameters and fitted state (arrays become tagged lists)."""
    if isinstance(value, np.ndarray):
        return {
            "__ndarray__": value.astype(np.float64).ravel().tolist(),
            "shape": list(value.shape),
        }
    if isinstance(value, (np.floating, np.integer, np.bool_)):
        return value.item()
    if isinstance(value, Mapping):
        return {str(k): encode_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return {"__tuple__": [encode_value(v) for v in value]}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise ConfigError(
        "saved values must be None, bool, int, float, str, ndarray, tuple, list or dict, "
        f"got {type(value).__name__}"
    )


def decode_value(value: Any) -> Any:
    """Inverse of :func:`encode_value` (tagged lists become float64 arrays or tuples)."""
    if isinstance(value, dict):
        if "__ndarray__" in value:
            return np.asarray(value["__ndarray__"], dtype=np.float64).reshape(value["shape"])
        if "__tuple__" in value:
            return tuple(decode_value(v) for v in value["__tuple__"])
        return {k: decode_value(v) for k, v in value.items()}
    return value


def _canonical(body: Any) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), allow_nan=True).encode()


def _check_overwrite(overwrite: object) -> bool:
    if not isinstance(overwrite, bool):
        raise ConfigError(f"`overwrite` must be True or False, got {overwrite!r}")
    return overwrite


def document_bytes(kind: str, body: Mapping[str, Any]) -> bytes:
    """The JSON document of ``kind`` holding ``body`` and the SHA-256 of its canonical form."""
    encoded = encode_value(dict(body))
    doc = {"format": FORMAT, "kind": kind, "sha256": sha256_bytes(_canonical(encoded))}
    doc["body"] = encoded
    return json.dumps(doc, sort_keys=True, indent=1).encode()


def write_document(
    path: str | os.PathLike[str], kind: str, body: Mapping[str, Any], *, overwrite: bool = False
) -> Path:
    """Write ``body`` as a verified JSON document of ``kind`` (atomic; see the module docstring).

    Raises
    ------
    OutputError
        If ``path`` exists and ``overwrite`` is false, is a folder, or cannot be written.
    """
    target = check_output_path(path, overwrite=_check_overwrite(overwrite))
    return atomic_write_bytes(target, document_bytes(kind, body))


def parse_document(data: bytes, kind: str, source: object) -> dict[str, Any]:
    """Parse and verify a document (format, kind, SHA-256); ``source`` names it in errors.

    Raises
    ------
    DataError
        If it is not JSON, of another format or kind, or its body does not match its SHA-256.
    """
    try:
        doc = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"saved allocator {source} is not valid JSON: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        got = doc.get("format") if isinstance(doc, dict) else type(doc).__name__
        raise DataError(f"saved allocator {source} must have format {FORMAT!r}, got {got!r}")
    if doc.get("kind") != kind:
        raise DataError(f"saved allocator {source} must be a {kind!r}, got {doc.get('kind')!r}")
    body = doc.get("body")
    if sha256_bytes(_canonical(body)) != doc.get("sha256"):
        raise DataError(
            f"saved allocator {source} fails its SHA-256 check (the file was changed or "
            "damaged); refusing to load it"
        )
    return dict(decode_value(body))


def read_document(path: str | os.PathLike[str], kind: str) -> dict[str, Any]:
    """Read a document written by :func:`write_document` and verify format, kind and hash.

    Raises
    ------
    DataError
        If the file is missing, not JSON, of another format or kind, or its body does not
        match its SHA-256 (the message names the path).
    """
    source = Path(path)
    if not source.is_file():
        raise DataError(f"saved allocator {source} does not exist or is not a file")
    return parse_document(source.read_bytes(), kind, source)


def write_folder(
    path: str | os.PathLike[str],
    files: Mapping[str, bytes],
    *,
    overwrite: bool = False,
) -> Path:
    """Write ``files`` (name -> bytes) into a new folder ``path``, renamed into place at the end.

    The files are written and fsynced (:func:`~factorgym._files.atomic_write_bytes`) in a
    temporary sibling folder first; an existing folder (``overwrite=True``) is moved aside and
    deleted only after the new one is in place.

    Raises
    ------
    ConfigError
        For a file name that is not a plain name.
    OutputError
        If ``path`` exists and ``overwrite`` is false, is a file, or cannot be written.
    """
    target = Path(path)
    _check_overwrite(overwrite)
    for name in files:
        if Path(name).name != name or name in ("", ".", ".."):
            raise ConfigError(f"file names must be plain names, got {name!r}")
    if target.exists() and not target.is_dir():
        raise OutputError(f"`path` must be a folder, got the existing file {str(target)!r}")
    if target.exists() and not overwrite:
        raise OutputError(
            "`path` must not exist unless overwriting is asked for (overwrite=True), got the "
            f"existing folder {str(target)!r}"
        )
    if not target.parent.is_dir():
        raise OutputError(f"`path`: cannot write {str(target)!r}: its parent folder does not exist")
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"))
    try:
        for name, data in files.items():
            atomic_write_bytes(tmp / name, data)
        old = None
        if target.exists():
            old = Path(
                tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".old")
            )
            os.replace(target, old / "previous")
        os.replace(tmp, target)
        if old is not None:
            shutil.rmtree(old)
    except BaseException:
        if tmp.exists():
            shutil.rmtree(tmp)
        raise
    return target


def read_verified_file(path: Path, sha256: str) -> bytes:
    """The bytes of ``path``, checked against ``sha256``.

    Raises
    ------
    DataError
        If the file is missing or its SHA-256 differs.
    """
    if not path.is_file():
        raise DataError(f"saved allocator file {path} does not exist")
    data = path.read_bytes()
    if sha256_bytes(data) != sha256:
        raise DataError(
            f"saved allocator file {path} fails its SHA-256 check (changed or damaged); "
            "refusing to load it"
        )
    return data
