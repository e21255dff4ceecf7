"""The Allocator protocol, flat parameters, feasibility bounds and baseline persistence."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from factorgym.agents import (
    BASELINES,
    Allocator,
    FunctionAllocator,
    HindsightOracle,
    RegimeStateAllocation,
    StaticWeights,
    VolatilityManaged,
    WeightBounds,
    make_allocator,
    run_allocator,
)
from factorgym.agents.base import flatten_params
from factorgym.agents.persistence import read_document, write_document, write_folder
from factorgym.envs import ActionSpec, EnvConfig
from factorgym.errors import ConfigError, DataError, OutputError
from tests.agents._hand import hand_spec


def test_import_does_not_load_torch():
    code = (
        "import sys, factorgym.agents as A; "
        "A.EqualWeight(); A.run_allocator; A.make_allocator('dgu_tangency'); "
        "assert 'torch' not in sys.modules and 'stable_baselines3' not in sys.modules, "
        "sorted(m for m in sys.modules if m.startswith(('torch', 'stable')))"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("name", sorted(BASELINES))
def test_every_baseline_is_an_allocator_with_flat_params(name):
    alloc = make_allocator(name)
    assert isinstance(alloc, Allocator)
    assert alloc.output == "weights" and isinstance(alloc.name, str)
    assert alloc.contender is (name != "hindsight_oracle")
    for key, value in alloc.params.items():
        assert isinstance(key, str)
        assert value is None or isinstance(value, (bool, int, float, str))
    assert alloc.__doc__ and len(alloc.__doc__) > 80  # every rule states its definition


def test_flatten_params():
    flat = flatten_params(
        {"a": 1, "w": (0.5, 0.25), "h": {"lr": 1e-3, "arch": [64, 64]}, "o": object}
    )
    assert flat["a"] == 1 and flat["w[0]"] == 0.5 and flat["w[1]"] == 0.25
    assert flat["h.lr"] == 1e-3 and flat["h.arch[1]"] == 64
    assert flat["o"].startswith("<class")
    assert StaticWeights((0.2, 0.3)).params == {
        "weights[0]": 0.2,
        "weights[1]": 0.3,
        "name": "static",
    }


def test_weight_bounds_against_action_modes():
    lo = ActionSpec.from_config(EnvConfig(), 3)
    ls = ActionSpec.from_config(
        EnvConfig(action_mode="long_short", max_weight=0.5, max_gross=1.5), 3
    )
    nocash = ActionSpec.from_config(EnvConfig(allow_cash=False), 3)
    assert WeightBounds(True, 1.0, 1.0).mismatches(lo) == []
    assert WeightBounds(True, 1.0, 1.0, fully_invested=True).mismatches(nocash) == []
    assert "allow_cash" in WeightBounds(True, 1.0, 1.0).mismatches(nocash)[0]
    assert len(WeightBounds(False, 1.0, 3.0).mismatches(lo)) == 2
    assert WeightBounds(False, 0.5, 1.5).mismatches(ls) == []
    assert WeightBounds(False, 0.6, 1.6).mismatches(ls) == [
        "needs max_weight >= 0.6, env has 0.5",
        "needs max_gross >= 1.6, env has 1.5",
    ]


def test_argument_checks():
    with pytest.raises(ConfigError, match="`name` must be one of"):
        make_allocator("nope")
    with pytest.raises(ConfigError, match="`window` must be an int >= 2, got 1"):
        make_allocator("dgu_tangency", window=1)
    with pytest.raises(ConfigError, match="`weights` must be a non-empty sequence of numbers"):
        StaticWeights(())
    with pytest.raises(ConfigError, match=r"`weights\[0\]` must be a finite number >= 0"):
        make_allocator("buy_and_hold", weights=(-0.1, 0.5))
    with pytest.raises(ConfigError, match="`name` must be a non-empty str"):
        StaticWeights((0.5,), name="")
    with pytest.raises(ConfigError, match="`lookback` must be an int >= 1"):
        make_allocator("ts_factor_momentum", lookback=0)
    with pytest.raises(ConfigError, match="`long_only` must be True or False"):
        make_allocator("xs_factor_momentum", long_only="yes")
    with pytest.raises(ConfigError, match="`target_volatility` must be a finite number > 0"):
        make_allocator("volatility_target", target_volatility=0.0)
    with pytest.raises(ConfigError, match="`panel` must be a FactorPanel or None"):
        HindsightOracle("french")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="`train_env_factory` must be an EnvSpec"):
        make_allocator("equal_weight").fit("train")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="`validation_env_factory` must be an EnvSpec"):
        VolatilityManaged().fit(_spec(), validation_env_factory=3)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="`fn` must be callable"):
        FunctionAllocator(3)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="`bounds` must be a WeightBounds when output='weights'"):
        FunctionAllocator(lambda o, i: o, output="weights")
    with pytest.raises(ConfigError, match="`output` must be one of"):
        FunctionAllocator(lambda o, i: o, output="probs")


def _spec():
    from tests.agents._hand import make_hand_panel

    return hand_spec(make_hand_panel(), window=("2000-08", None))


# ----------------------------------------------------------------------------- persistence
@pytest.mark.parametrize("name", sorted(set(BASELINES) - {"hindsight_oracle"}))
def test_baseline_save_load_round_trip_gives_identical_weights(name, tmp_path, french_panel):
    import pandas as pd

    from factorgym.envs import EnvSpec

    rng = np.random.default_rng(5)
    months = french_panel.months.rename("month")
    p = rng.uniform(size=len(months))
    feats = {
        "regime": pd.DataFrame({"regime_p0": 1 - p, "regime_p1": p}, index=months),
        "forecast": pd.DataFrame(
            rng.normal(0.004, 0.01, (len(months), 4)), index=months, columns=french_panel.assets
        ),
    }
    alloc = make_allocator(name)
    mode = (
        "long_only"
        if not alloc.weight_bounds(4).mismatches(ActionSpec.from_config(EnvConfig(), 4))
        else "long_short"
    )
    spec = EnvSpec(french_panel, feats, EnvConfig(action_mode=mode, window=("1990-01", "1990-12")))
    alloc.fit(spec.replace(window=("1980-01", "1989-12")))
    path = tmp_path / f"{name}.json"
    alloc.save(path)
    back = type(alloc).load(path)
    assert back.params == alloc.params
    a = run_allocator(alloc, spec).weights("target_weights").to_numpy()
    b = run_allocator(back, spec).weights("target_weights").to_numpy()
    assert_array_equal(a, b)


def test_save_refuses_to_overwrite_and_load_verifies(tmp_path):
    rule = RegimeStateAllocation()
    rule.allocations_ = np.array([[0.5, 0.5], [0.0, 0.1]])
    rule.train_window_ = ("1990-01", "1999-12")
    path = tmp_path / "rule.json"
    rule.save(path)
    with pytest.raises(OutputError, match="must not exist unless overwriting is asked for"):
        rule.save(path)
    rule.save(path, overwrite=True)
    assert not [p for p in tmp_path.iterdir() if p.name != "rule.json"]  # no temp files left
    back = RegimeStateAllocation.load(path)
    assert_array_equal(back.allocations_, rule.allocations_)

    doc = json.loads(path.read_text())
    doc["body"]["state"]["allocations_"]["__ndarray__"][0] = 0.9  # tamper
    path.write_text(json.dumps(doc))
    with pytest.raises(DataError, match="fails its SHA-256 check"):
        RegimeStateAllocation.load(path)
    with pytest.raises(DataError, match="must be a 'factorgym.agents.volatility_managed"):
        _wrong_kind(tmp_path)
    with pytest.raises(DataError, match="does not exist"):
        RegimeStateAllocation.load(tmp_path / "missing.json")
    (tmp_path / "junk.json").write_text("{not json")
    with pytest.raises(DataError, match="is not valid JSON"):
        RegimeStateAllocation.load(tmp_path / "junk.json")
    (tmp_path / "alien.json").write_text(json.dumps({"format": "other"}))
    with pytest.raises(DataError, match="must have format 'factorgym.allocator/1'"):
        RegimeStateAllocation.load(tmp_path / "alien.json")
    with pytest.raises(OutputError, match="cannot write .*No such file or directory"):
        rule.save(tmp_path / "no" / "such" / "rule.json")
    with pytest.raises(OutputError, match="must be a file, got the directory"):
        rule.save(tmp_path)


def _wrong_kind(tmp_path):
    rule = RegimeStateAllocation()
    rule.allocations_ = np.ones((1, 1))
    rule.train_window_ = ("1990-01", "1990-12")
    rule.save(tmp_path / "kind.json")
    VolatilityManaged.load(tmp_path / "kind.json")


def test_unfitted_or_unsavable_allocators():
    from factorgym.errors import NotFittedError

    with pytest.raises(NotFittedError, match="not fitted yet"):
        VolatilityManaged().save("/tmp/never-written.json")
    with pytest.raises(ConfigError, match="holds the future returns"):
        HindsightOracle().save("/tmp/never-written.json")
    with pytest.raises(ConfigError, match="wraps code, which is not saved"):
        FunctionAllocator(lambda o, i: o).save("/tmp/never-written.json")


def test_folder_writes_are_atomic_and_verified(tmp_path):
    target = tmp_path / "model"
    write_folder(target, {"a.bin": b"1", "b.json": b"{}"})
    with pytest.raises(OutputError, match="must not exist unless overwriting is asked for"):
        write_folder(target, {"a.bin": b"2"})
    write_folder(target, {"a.bin": b"2"}, overwrite=True)
    assert sorted(p.name for p in target.iterdir()) == ["a.bin"]
    assert (target / "a.bin").read_bytes() == b"2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]  # nothing left behind
    with pytest.raises(ConfigError, match="file names must be plain names"):
        write_folder(tmp_path / "x", {"../evil": b""})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]
    (tmp_path / "f").write_bytes(b"")
    with pytest.raises(OutputError, match="must be a folder, got the existing file"):
        write_folder(tmp_path / "f", {"a": b""}, overwrite=True)
    with pytest.raises(OutputError, match="its parent folder does not exist"):
        write_folder(tmp_path / "no" / "x", {"a": b""})
    write_document(tmp_path / "d.json", "k", {"v": np.array([[1.5, 2.0]]), "t": (1, "a")})
    body = read_document(tmp_path / "d.json", "k")
    assert_array_equal(body["v"], [[1.5, 2.0]]) and body["t"] == (1, "a")
    with pytest.raises(ConfigError, match="saved values must be"):
        write_document(tmp_path / "e.json", "k", {"v": object()})
    with pytest.raises(ConfigError, match="`overwrite` must be True or False"):
        write_document(tmp_path / "f.json", "k", {}, overwrite="yes")  # type: ignore[arg-type]
