"""Configs: shipped files parse, bad configs give one clear message and write nothing."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from exp_testing import STANDIN, tiny_config_text

from factorgym.cli import main
from factorgym.errors import ConfigError, DataError
from factorgym.experiments import load_config, parse_config, shipped_configs
from factorgym.experiments.config import deep_merge, prefixed, shipped_config_path
from factorgym.experiments.runner import config_document, plan_experiment

SHIPPED = ("default", "etf", "industries", "quick", "synthetic")


def test_every_shipped_config_parses_with_and_without_quick():
    assert tuple(shipped_configs()) == SHIPPED
    for name in SHIPPED:
        cfg = load_config(name)
        quick = load_config(name, quick=True)
        assert cfg.name == name and cfg.description
        assert cfg.experiment_hash != quick.experiment_hash
        assert shipped_config_path(name).read_text().startswith("#")
    default = load_config("default")
    assert default.data.source == "french" and default.data.start is None
    assert [a.name for a in default.agents][-1] == "ppo"
    assert default.seeds_of(default.agents[-1]) == (0, 1, 2)
    assert default.features.regimes is not None and default.features.forecasts is not None
    quick = load_config("default", quick=True)
    assert quick.splits.params["max_folds"] == 2 and quick.features.regimes["n_restarts"] == 1
    assert quick.seeds_of(quick.agents[-1]) == (0,)


def test_document_round_trip_keeps_the_experiment_hash(tiny_config_file):
    cfg = load_config(tiny_config_file)
    again = parse_config(config_document(cfg), name="x")
    assert again.experiment_hash == cfg.experiment_hash
    assert again.to_dict()["env"] == cfg.to_dict()["env"]
    for name in SHIPPED:
        shipped = load_config(name)
        assert parse_config(config_document(shipped)).experiment_hash == shipped.experiment_hash


def test_runner_settings_do_not_change_the_experiment_hash(tiny_config_file):
    a = load_config(tiny_config_file)
    b = load_config(tiny_config_file, overrides={"runner": {"jobs": 2}})
    assert b.runner.jobs == 2 and a.experiment_hash == b.experiment_hash
    c = load_config(tiny_config_file, overrides={"data": {"start": "1965-01"}})
    assert c.data.start == "1965-01" and c.experiment_hash != a.experiment_hash


def test_data_override_with_paths_replaces_the_data_table(tmp_path):
    kf = Path(__file__).parents[1] / "fixtures" / "kenfrench"
    files = [str(kf / "F-F_Research_Data_Factors_to_201703.CSV")]
    cfg = load_config("default", overrides={"data": {"paths": files, "start": "1990-01"}})
    assert cfg.data.source == "files" and cfg.data.paths == (str(Path(files[0]).resolve()),)
    assert "universe" not in cfg.data.options and cfg.data.start == "1990-01"


def test_deep_merge_and_prefixed():
    assert deep_merge({"a": {"b": 1, "c": 2}, "d": 1}, {"a": {"c": 3}}) == {
        "a": {"b": 1, "c": 3},
        "d": 1,
    }
    msg = str(prefixed(ConfigError("`lookback` must be an int >= 1, got 0"), "env"))
    assert msg == "`env.lookback` must be an int >= 1, got 0"
    assert str(prefixed(DataError("no name here"), "data")) == "`data`: no name here"


def _edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


# Each case: (id, edit of the tiny config text, expected one-line message pattern)
BAD_CONFIGS = [
    (
        "unknown top-level key",
        lambda t: _edit(t, "seeds = [0, 1]", "sedes = [0, 1]"),
        r"`sedes` is not a known key \(allowed: .*\); did you mean 'seeds'\?",
    ),
    (
        "unknown env field",
        lambda t: _edit(t, "lookback = 6", "lookbak = 6"),
        r"`env.lookbak` is not an EnvConfig field; did you mean 'lookback'",
    ),
    (
        "env wrong type",
        lambda t: _edit(t, "lookback = 6", 'lookback = "6"'),
        r"`env.lookback` must be an int >= 1, got '6'",
    ),
    (
        "env impossible value",
        lambda t: _edit(t, 'costs = "central"', 'costs = "cheap"'),
        r"`env.costs` must be one of \('zero', 'low', 'central', 'high'\), got 'cheap'",
    ),
    (
        "env window owned by the runner",
        lambda t: _edit(t, "[env]", '[env]\nwindow = ["1990-01", "2000-12"]'),
        r"`env.window` is set by the runner for every fold",
    ),
    (
        "agent negative learning rate",
        lambda t: _edit(t, "learning_rate = 0.5", "learning_rate = -1"),
        r"`agents.trend.learning_rate` must be a finite number > 0, got -1",
    ),
    (
        "agent unknown parameter",
        lambda t: _edit(t, "learning_rate = 0.5", "learnin_rate = 0.5"),
        r"`agents.trend.learnin_rate` is not a parameter of this allocator .*did you mean "
        r"'learning_rate'\?",
    ),
    (
        "agent unknown kind",
        lambda t: _edit(t, f'kind = "{STANDIN}:TrendFollower"', f'kind = "{STANDIN}:Trend"'),
        r"`agents.trend.kind` must name an importable allocator 'package.module:Class', got "
        r"'factorgym_standins:Trend'",
    ),
    (
        "agent infeasible weights",
        lambda t: _edit(t, "seeds = [0]\n", "seeds = [0]\nweights = [0.7, 0.7, 0.1]\n"),
        r"`agents.fixed.weights` must be non-negative numbers summing to <= 1, "
        r"got \[0.7, 0.7, 0.1\]",
    ),
    (
        "agent bad seeds",
        lambda t: _edit(t, "seeds = [0]\n", "seeds = [0, 0]\n"),
        r"`agents.fixed.seeds` must be a sequence of distinct ints >= 0, got \[0, 0\]",
    ),
    (
        "negative seed",
        lambda t: _edit(t, "seeds = [0, 1]", "seeds = [-1]"),
        r"`seeds\[0\]` must be an int >= 0, got -1",
    ),
    (
        "test size zero",
        lambda t: _edit(t, "test_size = 48", "test_size = 0"),
        r"`splits.test_size` must be an int >= 1, got 0",
    ),
    (
        "unknown split method",
        lambda t: _edit(t, 'method = "walk_forward"', 'method = "kfold"'),
        r"`splits.method` must be one of \('walk_forward', 'cpcv'\), got 'kfold'",
    ),
    (
        "cpcv option under walk-forward",
        lambda t: _edit(t, "purge = 1", "purge = 1\nn_groups = 6"),
        r"`splits.n_groups` is an option of method 'cpcv', not of 'walk_forward'",
    ),
    (
        "training window longer than the data",
        lambda t: _edit(t, "train_size = 60", "train_size = 600"),
        r"`splits.train_size` must leave test months: train_size \+ purge \+ 1 = 602 months, but "
        r"the data hold 240 months",
    ),
    (
        "start after end",
        lambda t: _edit(t, "seed = 7", 'seed = 7\nstart = "1990-01"\nend = "1980-01"'),
        r"`data.start` must not be after `data.end`, got 1990-01 > 1980-01",
    ),
    (
        "missing data file",
        lambda t: _edit(
            t,
            'source = "synthetic"\nn_months = 240\nn_assets = 3\nseed = 7',
            'paths = ["no-such-file.CSV"]',
        ),
        r"`data.paths\[0\]` must be an existing file, got 'no-such-file.CSV'",
    ),
    (
        "option of another source",
        lambda t: _edit(t, "seed = 7", 'seed = 7\nuniverse = "factors"'),
        r"`data.universe` is not an option of source 'synthetic'",
    ),
    (
        "regime states zero",
        lambda t: _edit(t, "[splits]", "[features.regimes]\nn_states = 0\n\n[splits]"),
        r"`features.regimes.n_states` must be (an int )?>= 1, got 0",
    ),
    (
        "unknown regime option",
        lambda t: _edit(t, "[splits]", "[features.regimes]\nn_stats = 2\n\n[splits]"),
        r"`features.regimes.n_stats` is not a known key .*did you mean 'n_states'",
    ),
    (
        "runner jobs zero",
        lambda t: t + "\n[runner]\njobs = 0\n",
        r"`runner.jobs` must be an int >= 1 and <= 1024, got 0",
    ),
    (
        "invalid TOML",
        lambda t: _edit(t, "seeds = [0, 1]", "seeds = [0, 1"),
        r"`CONFIG` '.*tiny.toml' is not valid TOML",
    ),
]


@pytest.mark.parametrize(("case", "edit", "message"), BAD_CONFIGS, ids=[c[0] for c in BAD_CONFIGS])
def test_bad_config_one_clear_line_exit_2_nothing_written(tmp_path, capsys, case, edit, message):
    out_root = tmp_path / "runs"
    path = tmp_path / "tiny.toml"
    path.write_text(edit(tiny_config_text(out_root)))
    run_dir = tmp_path / "the-run"
    code = main(["run", str(path), "--out", str(run_dir)])
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert code == 2, captured.err
    assert len(lines) == 1, lines
    assert lines[0].startswith("factorgym: error: ")
    assert re.search(message, lines[0]), lines[0]
    assert not run_dir.exists() and not out_root.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny.toml"]


def test_bad_configs_are_at_least_ten_distinct_messages():
    assert len({m for _, _, m in BAD_CONFIGS}) >= 10


def test_parse_errors_name_the_key_path(tmp_path):
    base = tomllib.loads(tiny_config_text(tmp_path))
    with pytest.raises(ConfigError, match=r"`agents` must be a table with at least one"):
        parse_config({k: v for k, v in base.items() if k != "agents"})
    with pytest.raises(ConfigError, match=r"`agents.1x` must be named by a letter"):
        parse_config(deep_merge(base, {"agents": {"1x": {}}}))
    with pytest.raises(ConfigError, match=r"`agents.fixed.lr` must be a finite number, got nan"):
        parse_config(deep_merge(base, {"agents": {"fixed": {"lr": float("nan")}}}))
    with pytest.raises(ConfigError, match=r"`seeds` must be a non-empty sequence of ints >= 0"):
        parse_config(deep_merge(base, {"seeds": []}))
    with pytest.raises(ConfigError, match=r"`quick` table missing: config 'x' has no \[quick\]"):
        parse_config(base, name="x", quick=True)
    with pytest.raises(ConfigError, match=r"`quick.sedes` is not a known key"):
        parse_config(deep_merge(base, {"quick": {"sedes": [0]}}))
    with pytest.raises(ConfigError, match=r"`runner.ray_address` must be unset unless"):
        parse_config(deep_merge(base, {"runner": {"ray_address": "auto"}}))
    with pytest.raises(ConfigError, match=r"`data.paths` must be absent when source='synthetic'"):
        parse_config(deep_merge(base, {"data": {"paths": ["x.csv"]}}))
    with pytest.raises(ConfigError, match=r"`features.forecasts.use_regimes` must be false"):
        parse_config(deep_merge(base, {"features": {"forecasts": {"use_regimes": True}}}))
    with pytest.raises(ConfigError, match=r"`output.directory` must be a folder \(it is a file\)"):
        (tmp_path / "f").write_text("")
        parse_config(deep_merge(base, {"output": {"directory": str(tmp_path / "f")}}))
    with pytest.raises(ConfigError, match=r"`CONFIG` must be one of the shipped configs"):
        load_config("defualt")
    with pytest.raises(ConfigError, match=r"`CONFIG` must be an existing .toml file"):
        load_config(tmp_path / "missing.toml")


def test_feature_errors_name_the_key_path_before_anything_is_written(tmp_path):
    base = tomllib.loads(tiny_config_text(tmp_path / "runs"))
    cfg = parse_config(deep_merge(base, {"features": {"forecasts": {"min_train_months": 3}}}))
    with pytest.raises(ConfigError, match=r"`features.forecasts.min_train_months` must be an int"):
        plan_experiment(cfg)
    assert not (tmp_path / "runs").exists()
