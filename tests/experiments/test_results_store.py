"""Results store: atomic writes, deterministic Parquet, verified reads."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

from factorgym.errors import DataError, OutputError
from factorgym.experiments.results_store import (
    atomic_write_bytes,
    read_json,
    read_manifest,
    read_table,
    sha256_bytes,
    table_bytes,
    write_json,
    write_manifest,
    write_table,
)


def _frame():
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {"agent": ["a"] * 5, "month": [f"2000-0{i}" for i in range(1, 6)], "x": rng.normal(size=5)}
    )


def test_parquet_bytes_are_deterministic_and_verified(tmp_path):
    a, b = table_bytes(_frame()), table_bytes(_frame())
    assert a == b
    sha = write_table(_frame(), tmp_path / "t.parquet")
    assert sha == sha256_bytes(a)
    pd.testing.assert_frame_equal(read_table(tmp_path / "t.parquet", sha), _frame())
    (tmp_path / "t.parquet").write_bytes(a[:-1])
    with pytest.raises(DataError, match=r"results table '.*t.parquet' does not match its recorded"):
        read_table(tmp_path / "t.parquet", sha)
    with pytest.raises(DataError, match=r"results table missing: '.*nope.parquet'"):
        read_table(tmp_path / "nope.parquet", sha)


def test_atomic_write_leaves_no_partial_file(tmp_path, monkeypatch):
    target = tmp_path / "sub" / "f.bin"
    atomic_write_bytes(target, b"old")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OutputError, match="disk full"):
        atomic_write_bytes(target, b"new content")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in target.parent.iterdir()) == ["f.bin"]


def test_manifest_digest_and_json_errors(tmp_path):
    write_manifest(tmp_path, {"status": "running", "x": [1, 2]})
    body = read_manifest(tmp_path)
    assert body["x"] == [1, 2] and body["format"] == "factorgym.run/1"
    text = (tmp_path / "manifest.json").read_text().replace('"running"', '"complete"')
    (tmp_path / "manifest.json").write_text(text)
    with pytest.raises(DataError, match=r"manifest.json' does not match its recorded digest"):
        read_manifest(tmp_path)
    write_json(tmp_path / "manifest.json", {"format": "other"})
    with pytest.raises(DataError, match=r"is not a factorgym run manifest"):
        read_manifest(tmp_path)
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(DataError, match=r"results file '.*bad.json' is not valid JSON"):
        read_json(tmp_path / "bad.json")
    with pytest.raises(DataError, match=r"results file missing: '.*none.json'"):
        read_json(tmp_path / "none.json")
