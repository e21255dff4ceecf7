from __future__ import annotations

import io
import logging
import os
import pickle
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from factorgym import ConfigError
from factorgym.feature_cache import FeatureCache, cache_key

KEY_PARTS = {"panel": "h1", "builder": "unit-test", "n": 2}


def test_key_is_order_independent_and_exact():
    assert cache_key(a=1, b=0.1) == cache_key(b=0.1, a=1)
    assert cache_key(a=0.1) != cache_key(a=0.1000000000000001)
    assert cache_key(x=np.arange(3)) != cache_key(x=np.arange(3) + 1)
    with pytest.raises(ConfigError, match="cache key parts must be .* got object"):
        cache_key(x=object())


def test_memory_and_disk_reuse(tmp_path):
    calls = []

    def compute():
        calls.append(1)
        return pd.DataFrame({"p": [0.1, 0.9]})

    cache = FeatureCache(tmp_path)
    a = cache.get_or_compute(compute, panel="h1", n=2)
    a.iloc[0, 0] = 99.0  # mutating a returned frame must not corrupt the cache
    b = cache.get_or_compute(compute, panel="h1", n=2)
    assert b.iloc[0, 0] == 0.1 and len(calls) == 1 and cache.hits == 1
    fresh = FeatureCache(tmp_path)  # a new process: reads from disk
    c = fresh.get_or_compute(compute, panel="h1", n=2)
    assert len(calls) == 1 and c.iloc[0, 0] == 0.1
    cache.get_or_compute(compute, panel="h2", n=2)
    assert len(calls) == 2 and cache.misses == 2
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".npz", ".npz"]


def test_compute_must_return_a_frame():
    with pytest.raises(ConfigError, match="must return a pandas DataFrame, got list"):
        FeatureCache().get_or_compute(lambda: [1, 2], k=1)


# ----------------------------------------------------------------------------- exact round trip
def _feature_frame() -> pd.DataFrame:
    """Shaped like the builders' frames: PeriodIndex 'month', float64 columns, NaN warm-up."""
    rng = np.random.default_rng(0)
    months = pd.period_range("1990-01", periods=48, freq="M").rename("month")
    values = rng.normal(size=(48, 3))
    values[:12] = np.nan
    values[20, 1] = -0.0
    values[21, 2] = 5e-324
    return pd.DataFrame(values, index=months, columns=["regime_p1", "regime_p0", "z"])


def _bits(frame: pd.DataFrame) -> list[bytes]:
    out = []
    for c in frame.columns:
        col = frame[c]
        values = col.array.asi8 if isinstance(col.dtype, pd.PeriodDtype) else col.to_numpy()
        assert values.dtype != object
        out.append(np.asarray(values).tobytes())
    return out


def _assert_identical(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert list(a.columns) == list(b.columns) and a.index.equals(b.index)
    assert a.index.name == b.index.name and type(a.index) is type(b.index)
    assert [str(t) for t in a.dtypes] == [str(t) for t in b.dtypes]
    assert _bits(a) == _bits(b)  # bit for bit, NaN payloads and -0.0 included


def _from_disk(tmp_path, frame: pd.DataFrame) -> pd.DataFrame:
    FeatureCache(tmp_path).get_or_compute(lambda: frame, **KEY_PARTS)
    return FeatureCache(tmp_path).get_or_compute(_never, **KEY_PARTS)


def _never() -> pd.DataFrame:
    raise AssertionError("recomputed although a good entry is on disk")


def test_feature_frames_round_trip_bit_for_bit(tmp_path):
    frame = _feature_frame()
    _assert_identical(_from_disk(tmp_path, frame), frame)


def test_mixed_dtypes_like_the_refit_log_round_trip(tmp_path):
    months = pd.period_range("1990-01", periods=4, freq="M")
    log = pd.DataFrame(
        {
            "month": months,
            "train_start": months - 3,
            "n_train": np.arange(4, dtype=np.int64),
            "log_likelihood": [1.5, -2.25, np.nan, 3.0],
            "converged": [True, False, True, True],
            "stamp": pd.date_range("2000-01-31", periods=4, freq="ME"),
        }
    ).set_index("month")
    _assert_identical(_from_disk(tmp_path, log), log)


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame({"p": [0.1, 0.9]}),  # RangeIndex
        pd.DataFrame(np.eye(2), columns=[3, 7]),  # int column names
        pd.DataFrame({"a": [1.0]}, index=pd.DatetimeIndex(["2000-01-31"], name="d", freq="ME")),
        pd.DataFrame({"a": np.arange(3, dtype=np.float32)}, index=pd.Index([5, 6, 7])),
        pd.DataFrame(index=pd.period_range("2000-01", periods=2, freq="M")),  # no columns
    ],
)
def test_other_frames_round_trip(tmp_path, frame):
    _assert_identical(_from_disk(tmp_path, frame), frame)


def test_frames_the_disk_format_cannot_hold_are_refused(tmp_path):
    cache = FeatureCache(tmp_path)
    with pytest.raises(ConfigError, match=r"column 'x' has dtype (object|str)"):
        cache.get_or_compute(lambda: pd.DataFrame({"x": ["a", "b"]}), k=1)
    with pytest.raises(ConfigError, match="cannot store a frame with a MultiIndex"):
        cache.get_or_compute(lambda: pd.DataFrame({("a", "b"): [1.0]}), k=2)
    with pytest.raises(ConfigError, match="stores column names that are str or int, got 1.5"):
        cache.get_or_compute(lambda: pd.DataFrame({1.5: [1.0]}), k=3)
    assert list(tmp_path.iterdir()) == []
    # memory-only caches hold any frame
    assert FeatureCache().get_or_compute(lambda: pd.DataFrame({"x": ["a"]}), k=1).shape == (1, 1)


def test_the_builders_frames_round_trip_exactly(tmp_path, french_small):
    from factorgym.forecasts import EnsembleForecaster, WalkForwardForecaster
    from factorgym.regimes import RealizedVolatility, RegimeFeatures, Turbulence

    fast = {"min_train": 48, "refit_every": 12, "n_restarts": 1, "n_iter": 20}
    made = {
        "regime": RegimeFeatures(**fast).compute(french_small, cache=FeatureCache(tmp_path)),
        "turbulence": Turbulence(24).compute(french_small, cache=FeatureCache(tmp_path)),
        "vol": RealizedVolatility().compute(french_small, cache=FeatureCache(tmp_path)),
    }
    builder = RegimeFeatures(**fast)
    disk = FeatureCache(tmp_path)
    again = {
        "regime": builder.compute(french_small, cache=disk),
        "turbulence": Turbulence(24).compute(french_small, cache=disk),
        "vol": RealizedVolatility().compute(french_small, cache=disk),
    }
    assert disk.misses == 0 and disk.hits == 4  # frame + refit log, turbulence, vol
    for name, frame in made.items():
        assert isinstance(frame.index, pd.PeriodIndex) and frame.index.name == "month"
        _assert_identical(again[name], frame)
    first_log = RegimeFeatures(**fast)
    first_log.compute(french_small)  # no cache: computed
    _assert_identical(builder.refits_, first_log.refits_)
    template = WalkForwardForecaster("ridge", min_train_months=24, refit_every=12, cv_splits=3)
    fitted = EnsembleForecaster(("ridge",), cache=FeatureCache(tmp_path), forecaster=template)
    fitted.fit(french_small)
    reread = FeatureCache(tmp_path)
    cached = EnsembleForecaster(("ridge",), cache=reread, forecaster=template).fit(french_small)
    assert reread.hits == 1 and reread.misses == 0
    _assert_identical(cached.member_forecasts_["ridge"], fitted.member_forecasts_["ridge"])


# ----------------------------------------------------------------------------- bad entries
class _Counter:
    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame, self.calls = frame, 0

    def __call__(self) -> pd.DataFrame:
        self.calls += 1
        return self.frame


def _entry(tmp_path) -> Path:
    FeatureCache(tmp_path).get_or_compute(_feature_frame, **KEY_PARTS)
    (path,) = tmp_path.glob("*.npz")
    assert path.name == f"{cache_key(**KEY_PARTS)}.npz"
    return path


def _npz_members(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as npz:
        return {k: npz[k] for k in npz.files}


def _save_npz(path: Path, members: dict[str, np.ndarray]) -> None:
    buf = io.BytesIO()
    np.savez(buf, **members)
    path.write_bytes(buf.getvalue())


class _Marker:
    """Unpickling this creates a file: proof that code ran."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def _other_keys_entry(tmp_path, path: Path) -> None:
    other = tmp_path / "other"
    FeatureCache(other).get_or_compute(_feature_frame, panel="h2", builder="unit-test", n=2)
    path.write_bytes(next(other.glob("*.npz")).read_bytes())


def _two_rows(path: Path) -> None:
    members = _npz_members(path)
    _save_npz(path, {k: (v if k == "header" else v[:2]) for k, v in members.items()})


def _one_float(path: Path) -> None:
    members = _npz_members(path)
    members["c0"] = members["c0"].copy()
    members["c0"][30] = np.nextafter(members["c0"][30], np.inf)  # one ulp
    _save_npz(path, members)


def _object_array(path: Path, marker: Path) -> None:
    members = _npz_members(path)
    members["c0"] = np.array([_Marker(str(marker))] * 48, dtype=object)  # pickled inside the .npy
    _save_npz(path, members)


def _pickle_under_the_entry_name(path: Path, marker: Path) -> None:
    path.write_bytes(pickle.dumps(_Marker(str(marker))))


def _header_edited(path: Path) -> None:
    members = _npz_members(path)
    text = members["header"].tobytes().replace(b'"regime_p1"', b'"regime_p9"')
    members["header"] = np.frombuffer(text, dtype=np.uint8)
    _save_npz(path, members)


CORRUPTIONS = {
    "truncated": (lambda p, m, t: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2])),
    "empty": (lambda p, m, t: p.write_bytes(b"")),
    "random bytes": (lambda p, m, t: p.write_bytes(np.random.default_rng(1).bytes(4000))),
    "random after zip magic": (
        lambda p, m, t: p.write_bytes(b"PK\x03\x04" + np.random.default_rng(2).bytes(4000))
    ),
    "another key's entry": (lambda p, m, t: _other_keys_entry(t, p)),
    "two rows": (lambda p, m, t: _two_rows(p)),
    "one float changed": (lambda p, m, t: _one_float(p)),
    "header changed": (lambda p, m, t: _header_edited(p)),
    "crafted object array": (lambda p, m, t: _object_array(p, m)),
    "crafted pickle": (lambda p, m, t: _pickle_under_the_entry_name(p, m)),
    "a zip without a header": (lambda p, m, t: _save_npz(p, {"c0": np.zeros(3)})),
}
REASONS = {
    "truncated": "not a readable .npz archive",
    "empty": "not an .npz archive: an empty file",
    "random bytes": "not an .npz archive: 4000 bytes that are not a zip archive",
    "random after zip magic": "not a readable .npz archive",
    "another key's entry": "it holds the entry of key .*, not this key",
    "two rows": r"array shapes .* do not match the header's 48 rows",
    "one float changed": "checksum mismatch",
    "header changed": "checksum mismatch",
    "crafted object array": "not a readable .npz archive .*(pickle|Object arrays)",
    "crafted pickle": "not an .npz archive",
    "a zip without a header": "no header",
}


@pytest.mark.parametrize("corruption", sorted(CORRUPTIONS))
def test_bad_entries_are_reported_deleted_and_recomputed(tmp_path, caplog, corruption):
    path = _entry(tmp_path)
    marker = tmp_path.parent / f"marker-{os.getpid()}-{corruption.replace(' ', '_')}"
    CORRUPTIONS[corruption](path, marker, tmp_path)
    cache = FeatureCache(tmp_path)
    compute = _Counter(_feature_frame())
    with caplog.at_level(logging.WARNING, logger="factorgym.feature_cache"):
        frame = cache.get_or_compute(compute, **KEY_PARTS)
    assert compute.calls == 1 and cache.rejected == 1 and cache.misses == 1
    _assert_identical(frame, _feature_frame())
    (record,) = [r for r in caplog.records if r.name == "factorgym.feature_cache"]
    assert record.levelno == logging.WARNING
    message = record.getMessage()
    assert str(path) in message and "deleted, recomputing" in message
    assert re.search(REASONS[corruption], message), message
    assert not marker.exists()  # nothing was executed
    # the bad entry was replaced by a good one
    _assert_identical(FeatureCache(tmp_path).get_or_compute(_never, **KEY_PARTS), _feature_frame())


def test_old_pickles_are_never_loaded(tmp_path, caplog):
    key = cache_key(**KEY_PARTS)
    marker = tmp_path.parent / f"marker-{os.getpid()}-pkl"
    (tmp_path / f"{key}.pkl").write_bytes(pickle.dumps(_Marker(str(marker))))
    (tmp_path / "other.pkl").write_bytes(pickle.dumps([1, 2, 3]))  # a pickled list
    compute = _Counter(_feature_frame())
    with caplog.at_level(logging.WARNING, logger="factorgym.feature_cache"):
        frame = FeatureCache(tmp_path).get_or_compute(compute, **KEY_PARTS)
    assert compute.calls == 1 and isinstance(frame, pd.DataFrame)
    assert not marker.exists()
    assert any("2 pickled entries" in r.getMessage() for r in caplog.records)
    assert (tmp_path / "other.pkl").exists()  # reported, not deleted: not ours to judge


def test_zip_members_are_only_arrays(tmp_path):
    path = _entry(tmp_path)
    with zipfile.ZipFile(path) as z:
        names = sorted(z.namelist())
    assert names == ["c0.npy", "c1.npy", "c2.npy", "header.npy", "index.npy"]


def test_stale_temporary_files_are_removed_on_next_use(tmp_path):
    import subprocess
    import sys

    from factorgym._files import _host

    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    key = cache_key(**KEY_PARTS)
    stale = tmp_path / f".{key}.npz.{_host()}.{proc.pid}.abcd1234.tmp"
    stale.write_bytes(b"PK\x03\x04 partial")
    live = tmp_path / f".{key}.npz.{_host()}.{os.getpid()}.abcd1234.tmp"
    live.write_bytes(b"PK\x03\x04 partial")
    FeatureCache(tmp_path).get_or_compute(_feature_frame, panel="other")
    assert not stale.exists() and live.exists()


def test_a_killed_writer_leaves_no_entry_only_a_temp_that_is_cleaned(tmp_path):
    import signal
    import subprocess
    import sys

    code = (
        "import os, signal, numpy as np, pandas as pd\n"
        "import factorgym._files as f\n"
        "real = os.replace\n"
        "def killed(*a, **k):\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "f.os.replace = killed\n"
        "from factorgym.feature_cache import FeatureCache\n"
        f"cache = FeatureCache({str(tmp_path)!r})\n"
        "cache.get_or_compute(lambda: pd.DataFrame({'a': [1.0]}), k=1)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL
    (temp,) = list(tmp_path.iterdir())
    assert temp.name.endswith(".tmp") and not list(tmp_path.glob("*.npz"))
    compute = _Counter(pd.DataFrame({"a": [1.0]}))
    FeatureCache(tmp_path).get_or_compute(compute, k=1)
    assert compute.calls == 1
    assert [p.suffix for p in tmp_path.iterdir()] == [".npz"]
