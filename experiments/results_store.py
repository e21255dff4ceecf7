"""The results directory of a run: atomic writes, content hashes, verified reads.

Layout of ``RUN_DIR``::

    manifest.json            resolved config, versions, data hash and provenance, seeds, times,
                             and the SHA-256 of every table (the manifest hashes itself too)
    config.toml              the configuration file as given (when read from a file)
    units/fold-003/ppo/seed-1.parquet   one finished (fold, agent, seed) unit: its test months
    units/fold-003/ppo/seed-1.json      its commit record: the parquet's SHA-256, ledger row,
                                        model file hashes (written last: the unit is done)
    models/fold-003/ppo/seed-1/...      the fitted allocator (``allocator.save``)
    tables/returns.parquet   out-of-sample months of every agent x seed, stitched across folds
    tables/ledger.parquet    the trial ledger (every agent x seed x fold, validation score)
    tables/folds.parquet     the fold windows

Every file is written with :func:`factorgym._files.atomic_write_bytes` (a temporary file in
its folder, ``fsync``, ``os.replace``, ``fsync`` of the folder), so a run killed at any instant
leaves each file either complete or absent; temporaries a killed run left behind are removed on
resume (:func:`factorgym._files.remove_stale_temps`). What is read back is checked against its
recorded SHA-256; a table that does not match is refused with its path.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from factorgym._files import atomic_write_bytes as _atomic_write_bytes
from factorgym.errors import DataError

__all__ = [
    "MANIFEST",
    "MANIFEST_FORMAT",
    "RunResults",
    "atomic_write_bytes",
    "load_run",
    "read_json",
    "read_manifest",
    "read_table",
    "sha256_bytes",
    "table_bytes",
    "unit_paths",
    "write_json",
    "write_manifest",
    "write_table",
]

MANIFEST = "manifest.json"
MANIFEST_FORMAT = "factorgym.run/1"
TABLES = ("returns", "ledger", "folds")


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, creating its folder (:mod:`factorgym._files`).

    Raises
    ------
    OutputError
        If the operating system refuses the write (the target is then unchanged).
    """
    _atomic_write_bytes(path, data, make_folder=True)


def _json_bytes(obj: object) -> bytes:
    return (json.dumps(obj, indent=2, sort_keys=True, allow_nan=True) + "\n").encode()


def write_json(path: str | os.PathLike[str], obj: object) -> None:
    """Write ``obj`` as JSON, atomically."""
    atomic_write_bytes(path, _json_bytes(obj))


def read_json(path: str | os.PathLike[str]) -> Any:
    """Read a JSON file (``DataError`` naming the path if it is missing or not JSON)."""
    p = Path(path)
    try:
        return json.loads(p.read_bytes())
    except FileNotFoundError as exc:
        raise DataError(f"results file missing: {str(p)!r}") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"results file {str(p)!r} is not valid JSON ({exc})") from exc


def table_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as Parquet bytes (no index; the same frame always gives the same bytes)."""
    buffer = io.BytesIO()
    frame.to_parquet(buffer, engine="pyarrow", index=False, compression="zstd")
    return buffer.getvalue()


def write_table(frame: pd.DataFrame, path: str | os.PathLike[str]) -> str:
    """Write ``frame`` as Parquet atomically; returns the file's SHA-256."""
    data = table_bytes(frame)
    atomic_write_bytes(path, data)
    return sha256_bytes(data)


def read_table(path: str | os.PathLike[str], sha256: str) -> pd.DataFrame:
    """Read a Parquet table after checking its SHA-256.

    Raises
    ------
    DataError
        If the file is missing or its content does not match ``sha256`` (tampered, truncated
        or replaced): the path is named and the table is not read.
    """
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError as exc:
        raise DataError(f"results table missing: {str(p)!r}") from exc
    actual = sha256_bytes(data)
    if actual != sha256:
        raise DataError(
            f"results table {str(p)!r} does not match its recorded SHA-256 (expected "
            f"{sha256[:16]}..., got {actual[:16]}...): it was modified or truncated; refusing "
            "to read it"
        )
    return pd.read_parquet(io.BytesIO(data), engine="pyarrow")


def _manifest_digest(body: Mapping[str, Any]) -> str:
    clean = {k: v for k, v in body.items() if k != "manifest_sha256"}
    blob = json.dumps(clean, sort_keys=True, separators=(",", ":"), allow_nan=True)
    return sha256_bytes(blob.encode())


def write_manifest(run_dir: str | os.PathLike[str], body: Mapping[str, Any]) -> None:
    """Write ``manifest.json`` (with its own digest) atomically."""
    out = dict(body)
    out["format"] = MANIFEST_FORMAT
    out["manifest_sha256"] = _manifest_digest(out)
    write_json(Path(run_dir) / MANIFEST, out)


def read_manifest(run_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """Read and verify ``manifest.json``.

    Raises
    ------
    DataError
        If it is missing, not JSON, of another format, or does not match its own digest.
    """
    path = Path(run_dir) / MANIFEST
    body = read_json(path)
    if not isinstance(body, dict) or body.get("format") != MANIFEST_FORMAT:
        raise DataError(f"{str(path)!r} is not a factorgym run manifest ({MANIFEST_FORMAT})")
    if body.get("manifest_sha256") != _manifest_digest(body):
        raise DataError(
            f"{str(path)!r} does not match its recorded digest: it was edited or damaged; "
            "refusing to use it"
        )
    return body


def unit_paths(
    run_dir: str | os.PathLike[str], fold: int, agent: str, seed: int
) -> tuple[Path, Path, Path]:
    """``(records.parquet, commit.json, models folder)`` of one unit."""
    root = Path(run_dir)
    stem = Path(f"fold-{fold:03d}") / agent / f"seed-{seed}"
    return (
        root / "units" / stem.with_suffix(".parquet"),
        root / "units" / stem.with_suffix(".json"),
        root / "models" / stem,
    )


@dataclass(frozen=True, eq=False)
class RunResults:
    """The verified tables of a finished run.

    Attributes
    ----------
    run_dir : Path
    manifest : dict
        The verified manifest.
    returns : DataFrame
        Out-of-sample months of every agent x seed (x path for CPCV), stitched across folds.
    ledger : DataFrame
        The trial ledger: one row per (fold, agent, seed) with its validation score.
    folds : DataFrame
        Train, validation and test windows of every fold.
    """

    run_dir: Path
    manifest: dict[str, Any]
    returns: pd.DataFrame
    ledger: pd.DataFrame
    folds: pd.DataFrame


def load_run(run_dir: str | os.PathLike[str]) -> RunResults:
    """Load a finished run, verifying the manifest and every table's SHA-256.

    Raises
    ------
    DataError
        If the run is not complete, or a file is missing or does not match its hash.
    """
    root = Path(run_dir)
    manifest = read_manifest(root)
    if manifest.get("status") != "complete":
        raise DataError(
            f"run {str(root)!r} is not complete (status {manifest.get('status')!r}); "
            f"finish it with `factorgym run --resume {root}`"
        )
    tables = {}
    for name in TABLES:
        entry = manifest["tables"][name]
        tables[name] = read_table(root / entry["path"], entry["sha256"])
    return RunResults(root, manifest, tables["returns"], tables["ledger"], tables["folds"])
