"""Every refusal of the experiments package, one message each (the ones not covered elsewhere)."""

from __future__ import annotations

import datetime as dt
import tomllib

import pandas as pd
import pytest
from exp_testing import STANDIN, tiny_config_text

from factorgym.errors import ConfigError, DataError, OutputError
from factorgym.experiments import load_config, parse_config, run_experiment
from factorgym.experiments.agent_registry import build_allocator
from factorgym.experiments.config import AgentConfig, deep_merge
from factorgym.experiments.config_values import FrozenMap
from factorgym.experiments.results_store import read_manifest, unit_paths, write_manifest
from factorgym.experiments.runner import plan_experiment, resume_experiment
from factorgym.experiments.units import EqualWeightBenchmark, _frame_of


@pytest.fixture()
def base(tmp_path):
    return tomllib.loads(tiny_config_text(tmp_path / "runs"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"data": 5}, r"`data` must be a table, got 5"),
        ({"data": {"start": 1990}}, r"`data.start` must be a month such as '1990-01', got 1990"),
        (
            {"data": {"end": "1990/01"}},
            r"`data.end` must be a month such as '1990-01'.*got '1990/01'",
        ),
        ({"name": "bad name!"}, r"`name` must be a name matching"),
        ({"name": ""}, r"`name` must be a non-empty string, got ''"),
        ({"description": 3}, r"`description` must be a string, got 3"),
        ({"data": {"assets": "MktRF"}}, r"`data.assets` must be a non-empty list of strings"),
        ({"data": {"assets": ["A", "A"]}}, r"`data.assets` must be a list of distinct strings"),
        ({"data": {"n_months": 10}}, r"`data.n_months` must be an int >= 24, got 10"),
        ({"data": {"source": "files"}}, r"`data.paths` must be a non-empty list of files when"),
        ({"data": {"source": "etf", "rf": 0.5}}, r"`data.rf` must be a finite number >= -0.1 and"),
        (
            {"data": {"source": "files", "paths": [__file__], "table": True}},
            r"`data.table` must be a table index \(int\) or a title substring \(str\), got True",
        ),
        ({"splits": {"purg": 1}}, r"`splits.purg` is not a known key .*did you mean 'purge'"),
        ({"features": {"regimes": 5}}, r"`features.regimes` must be a table, got 5"),
        (
            {"features": {"forecasts": {"use_regimes": 1}}},
            r"`features.forecasts.use_regimes` must be True or False, got 1",
        ),
        (
            {"agents": {"trend": {"opts": {"when": dt.date(2000, 1, 1)}}}},
            r"`agents.trend.opts.when` must be a number, bool, string, or a list or table of them",
        ),
        (
            {"agents": {"trend": {"opts": {"a": [1, float("inf")]}}}},
            r"`agents.trend.opts.a\[1\]` must be a finite number, got inf",
        ),
        ({"quick": {"quick": {}}}, r"`quick.quick` is not allowed \(overrides do not nest\)"),
        ({"runner": {"backend": "dask"}}, r"`runner.backend` must be one of \('local', 'ray'\)"),
        ({"output": {"save_models": "yes"}}, r"`output.save_models` must be True or False"),
    ],
)
def test_parse_refusals(base, change, message):
    # a table naming its source replaces [data]; anything else merges into the tiny config
    data = change.get("data")
    doc = (
        {**base, **change}
        if isinstance(data, dict) and "source" in data
        else deep_merge(base, change)
    )
    with pytest.raises(ConfigError, match=message):
        parse_config(doc)


def test_load_refuses_non_utf8(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_bytes(b'name = "\xff"\n')
    with pytest.raises(ConfigError, match=r"`CONFIG` '.*bad.toml' is not UTF-8 text"):
        load_config(path)


def test_frozen_map_is_read_only():
    m = FrozenMap({"a": 1})
    with pytest.raises(AttributeError, match="FrozenMap is read-only"):
        m.b = 2  # type: ignore[attr-defined]
    assert dict(m) == {"a": 1} and len(m) == 1


@pytest.mark.parametrize(
    ("kind", "params", "message"),
    [
        ("math:pi", {}, r"`agents.a.kind` must name a class or factory, got 'math:pi'"),
        ("datetime:date", {"year": "x"}, r"`agents.a`: TypeError: "),
        ("builtins:dict", {}, r"`agents.a.kind` 'builtins:dict' must build an Allocator .*lacks"),
        (
            f"{STANDIN}:BadOutput",
            {},
            r"`agents.a.kind` 'factorgym_standins:BadOutput': `output` must be 'weights' or "
            r"'action', got 'probabilities'",
        ),
    ],
)
def test_allocator_build_refusals(kind, params, message):
    with pytest.raises(ConfigError, match=message):
        build_allocator(AgentConfig("a", kind, FrozenMap(params)))


def test_plan_refusals(tmp_path, base):
    agents = {"agents": {"ls": {"kind": f"{STANDIN}:NeedsLongShort"}}}
    cfg = parse_config({**base, **agents})
    with pytest.raises(ConfigError, match=r"`agents.ls`: allocator 'needs_long_short' cannot run"):
        plan_experiment(cfg)
    cpcv = {"splits": {"method": "cpcv", "n_groups": 60, "n_test_groups": 2, "embargo": 3}}
    with pytest.raises(ConfigError, match=r"`splits.n_groups` must leave groups longer than"):
        plan_experiment(parse_config({**base, **cpcv}))
    warm = {"features": {"regimes": {"min_train": 190, "n_restarts": 1}}}
    with pytest.raises(
        ConfigError,
        match=r"`splits`: `X` has 50 samples, too few .*the data "
        r"give 50 earnable months",
    ):
        plan_experiment(parse_config(deep_merge(base, warm)))
    normalize = {"env": {"normalize": True}, "splits": {"train_size": 30, "validation_size": 6}}
    with pytest.raises(ConfigError, match=r"`env.normalize_window` must span at least 36 months"):
        plan_experiment(parse_config(deep_merge(base, normalize)))
    # with a training window of 36 months or more it runs, with one normaliser per fold
    ok = parse_config(deep_merge(base, {"env": {"normalize": True}}))
    assert ok.normalize and not ok.env.normalize and ok.experiment_dict()["env"]["normalize"]
    spec = plan_experiment(ok).folds[0].tests[0].spec
    assert spec.config.normalize and spec.config.normalize_window == ("1960-06", "1964-05")
    good = parse_config(base)
    with pytest.raises(ConfigError, match=r"`plan` must be the plan of `config`"):
        run_experiment(parse_config(base), plan=plan_experiment(good))
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(OutputError, match=r"`--out` '.*file' is a file, not a run directory"):
        run_experiment(good, run_dir=target, overwrite=True)


def test_resume_refuses_a_damaged_commit_or_a_manifest_whose_config_was_swapped(tmp_path, base):
    cfg = parse_config(base)
    res = run_experiment(cfg, run_dir=tmp_path / "run")
    manifest = read_manifest(res.run_dir)
    manifest["status"] = "running"
    manifest["config_document"]["seeds"] = [9]  # digest recomputed: a consistent-looking edit
    write_manifest(res.run_dir, manifest)
    with pytest.raises(DataError, match=r"manifest.json': its config does not match its hash"):
        resume_experiment(res.run_dir)
    manifest["config_document"]["seeds"] = [0, 1]
    write_manifest(res.run_dir, manifest)
    commit = unit_paths(res.run_dir, 0, "fixed", 0)[1]
    commit.write_text('{"fold": 0}')
    with pytest.raises(DataError, match=r"unit record '.*seed-0.json' is damaged"):
        resume_experiment(res.run_dir)


def test_unit_helpers_refuse_misuse():
    with pytest.raises(ConfigError, match=r"EqualWeightBenchmark: call fit\(\) before act\(\)"):
        EqualWeightBenchmark().act(None, {})  # type: ignore[arg-type]

    class Odd:
        frame = None
        records = [1, 2]

    with pytest.raises(ConfigError, match=r"run_allocator must return a Rollout with a DataFrame"):
        _frame_of(Odd())

    class Old:
        records = pd.DataFrame({"a": [1]})

    assert list(_frame_of(Old()).columns) == ["a"]  # the interface's original name


def test_table_parameters_reach_the_allocator_as_dicts_and_check_env_waits_for_fit(base):
    agents = {"checked": {"kind": f"{STANDIN}:FittedCheck", "weights": [0.2, 0.3, 0.1]}}
    cfg = parse_config({**base, "agents": agents})
    plan = plan_experiment(cfg)  # NotFittedError from check_env before fit: checked later
    assert len(plan.tasks) > 0
    agent = AgentConfig("x", "builtins:dict", FrozenMap({"t": FrozenMap({"a": (1, 2)})}))
    with pytest.raises(ConfigError, match=r"must build an Allocator"):
        build_allocator(agent)
    from factorgym.experiments.agent_registry import _as_given

    assert _as_given(agent.params) == {"t": {"a": [1, 2]}}
