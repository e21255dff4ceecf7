"""The runner: out-of-sample stitching, ledger, manifest, determinism, resume, refusals."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from exp_testing import STANDIN, tiny_config_text

from factorgym.errors import ConfigError, DataError, OutputError
from factorgym.experiments import load_config, load_run, parse_config, run_experiment
from factorgym.experiments.backends import RAY_MISSING, execute
from factorgym.experiments.config import deep_merge
from factorgym.experiments.results_store import read_manifest, unit_paths, write_manifest
from factorgym.experiments.runner import plan_experiment, resume_experiment
from factorgym.experiments.units import BENCHMARK


def _hashes(results) -> dict[str, str]:
    return {k: v["sha256"] for k, v in results.manifest["tables"].items()}


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny")
    path = root / "tiny.toml"
    path.write_text(tiny_config_text(root / "runs"))
    config = load_config(path)
    events = []
    results = run_experiment(config, run_dir=root / "run", progress=events.append)
    return config, results, events


def test_units_tables_and_manifest(tiny_run):
    config, res, events = tiny_run
    n_folds = res.manifest["folds"]
    assert n_folds == 4
    # 1 benchmark + fixed x1 seed + random x2 + trend x2 = 6 units per fold
    assert res.manifest["units"] == 6 * n_folds == len(res.ledger)
    kinds = [e.kind for e in events]
    assert kinds[0] == "planned" and kinds[-2:] == ["assembled", "report"]
    assert events[-1].message == str(res.run_dir / "report" / "report.html")
    assert sum(e.kind == "unit" for e in events) == 6 * n_folds
    series = res.returns.groupby(["agent", "seed"]).size()
    assert series.to_dict() == {
        (BENCHMARK, 0): 173,
        ("fixed", 0): 173,
        ("random", 0): 173,
        ("random", 1): 173,
        ("trend", 0): 173,
        ("trend", 1): 173,
    }
    m = res.manifest
    assert m["status"] == "complete" and m["experiment_hash"] == config.experiment_hash
    assert m["data"]["content_hash"] == config.data.load().content_hash
    assert m["data"]["provenance"]["source"] == "synthetic"
    assert m["seeds"] == {"fixed": [0], "random": [0, 1], "trend": [0, 1]}
    assert m["versions"]["numpy"] == np.__version__ and m["versions"]["pyarrow"]
    assert m["started_at"] <= m["finished_at"]
    assert m["config"]["splits"]["test_size"] == 48
    assert (res.run_dir / "config.toml").read_text() == Path(config.source).read_text()


def test_replay_tables_and_report_are_part_of_the_run(tiny_run, tmp_path):
    config, res, _ = tiny_run
    tables = res.manifest["tables"]
    assert set(tables) == {"returns", "ledger", "folds", "capacity", "cost_sensitivity"}
    capacity = load_run(res.run_dir)  # every listed table verified on load
    assert capacity.manifest["tables"]["capacity"]["rows"] > 0
    cap = pd.read_parquet(res.run_dir / tables["capacity"]["path"])
    assert set(cap["agent"]) == set(res.returns["agent"])  # 1/N too: the edge is over it
    assert sorted(cap["level"].unique())[0] == 1e7 and sorted(cap["level"].unique())[-1] == 1e11
    report = res.run_dir / "report"
    assert {p.name for p in report.iterdir()} >= {"report.html", "summary.csv", "summary.json"}
    # a run killed while its report was written gets it back on resume
    copy = tmp_path / "copy"
    import shutil

    shutil.copytree(res.run_dir, copy)
    (copy / "report" / "summary.json").unlink()
    events = []
    resume_experiment(copy, progress=events.append)
    assert (copy / "report" / "summary.json").is_file() and events[-1].kind == "report"
    # and [output] report = false, replay = false write neither
    bare = parse_config(
        deep_merge(
            tomllib.loads(Path(config.source).read_text()),
            {"output": {"report": False, "replay": False}},
        )
    )
    out = run_experiment(bare, run_dir=tmp_path / "bare")
    assert set(out.manifest["tables"]) == {"returns", "ledger", "folds"}
    assert not (out.run_dir / "report").exists()


def test_test_months_are_out_of_sample_and_stitched(tiny_run):
    _, res, _ = tiny_run
    folds = res.folds
    for _, frame in res.returns.groupby(["agent", "seed"]):
        months = pd.PeriodIndex(frame["month"], freq="M")
        assert months.is_monotonic_increasing and months.is_unique
        assert (months[1:] - months[:-1] == months.freq).all()  # one gap-free series
    for fold, rows in folds.groupby("fold"):
        test = rows[rows.role == "test"].iloc[0]
        got = res.returns.loc[(res.returns.fold == fold) & (res.returns.agent == "fixed"), "month"]
        assert got.min() == test.start and got.max() == test.end
        for role in ("train", "validation"):
            other = rows[rows.role == role].iloc[0]
            assert other.end < test.start  # no training or validation month is tested
            # the purge: one month between training/validation and the next block
            assert pd.Period(other.end, "M") + 1 < pd.Period(test.start, "M")


def test_benchmark_is_one_over_n_after_the_same_costs(tiny_run):
    _, res, _ = tiny_run
    r = res.returns
    fixed = r[r.agent == "fixed"].set_index("month")
    bench = r[r.agent == BENCHMARK].set_index("month")
    # the 1/N stand-in and the benchmark unit trade identically in the same env
    np.testing.assert_array_equal(fixed["net_return"], bench["net_return"])
    np.testing.assert_array_equal(fixed["benchmark_net_return"], bench["net_return"])
    assert (bench["cost_total"] > 0).all()
    trend = r[r.agent == "trend"].set_index(["seed", "month"])
    for seed in (0, 1):
        np.testing.assert_array_equal(trend.loc[seed, "benchmark_net_return"], bench["net_return"])
    w = bench[[c for c in bench.columns if c.startswith("target_weights:")]].to_numpy()
    np.testing.assert_allclose(w, 1.0 / 3.0, rtol=0, atol=1e-15)


def test_ledger_has_every_trial_with_validation_scores(tiny_run):
    config, res, _ = tiny_run
    led = res.ledger
    assert set(led.columns) >= {
        "experiment_hash",
        "fold",
        "agent",
        "kind",
        "seed",
        "contender",
        "params",
        "validation_sharpe",
        "validation_months",
        "test_sharpe",
        "test_months",
    }
    assert (led.experiment_hash == config.experiment_hash).all()
    assert (led.validation_months == 12).all() and np.isfinite(led.validation_sharpe).all()
    trend = led[led.agent == "trend"]
    assert json.loads(trend.params.iloc[0]) == {"delay": 0.0, "learning_rate": 0.5}
    assert trend.kind.iloc[0] == f"{STANDIN}:TrendFollower"
    assert (
        not led[led.agent == "fixed"].contender.any() and led[led.agent == "random"].contender.all()
    )
    # seeds change a seeded agent's validation score, not a deterministic one's
    rnd = led[led.agent == "random"].pivot(index="fold", columns="seed", values="validation_sharpe")
    assert (rnd[0] != rnd[1]).all()


def test_models_are_saved_with_hashes(tiny_run):
    _, res, _ = tiny_run
    _, commit, models = unit_paths(res.run_dir, 2, "trend", 1)
    record = json.loads(commit.read_text())
    assert list(record["models"]) == ["model"]
    saved = json.loads((models / "model").read_text())
    assert len(saved["weights"]) == 3
    assert not unit_paths(res.run_dir, 2, "fixed", 0)[2].exists()  # nothing to save


def test_same_config_same_tables_and_jobs_do_not_matter(tiny_run, tmp_path):
    config, first, _ = tiny_run
    again = run_experiment(config, run_dir=tmp_path / "again")
    assert _hashes(again) == _hashes(first)
    parallel = run_experiment(
        parse_config(
            deep_merge(tomllib.loads(Path(config.source).read_text()), {"runner": {"jobs": 2}})
        ),
        run_dir=tmp_path / "parallel",
    )
    assert _hashes(parallel) == _hashes(first)
    pd.testing.assert_frame_equal(parallel.returns, first.returns)


class _Interrupt(Exception):
    pass


def test_interrupted_run_resumes_to_identical_tables(tiny_run, tmp_path):
    config, first, _ = tiny_run
    run_dir = tmp_path / "partial"

    def stop_after_seven(event):
        if event.kind == "unit" and event.done == 7:
            raise _Interrupt

    with pytest.raises(_Interrupt):
        run_experiment(config, run_dir=run_dir, progress=stop_after_seven)
    assert read_manifest(run_dir)["status"] == "running"
    with pytest.raises(DataError, match=r"is not complete \(status 'running'\)"):
        load_run(run_dir)
    events = []
    resumed = resume_experiment(run_dir, progress=events.append)
    assert events[0].done == 7 and sum(e.kind == "unit" for e in events) == 24 - 7
    assert _hashes(resumed) == _hashes(first)
    assert len(resumed.manifest["resumed_at"]) == 1
    # resuming a complete run does nothing and returns the same tables
    assert _hashes(resume_experiment(run_dir)) == _hashes(first)


def test_tampered_or_truncated_tables_are_refused_with_their_path(tiny_run, tmp_path):
    config, _, _ = tiny_run
    res = run_experiment(config, run_dir=tmp_path / "r")
    returns = res.run_dir / "tables" / "returns.parquet"
    data = returns.read_bytes()
    returns.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataError, match=r"results table '.*tables/returns.parquet' does not match"):
        load_run(res.run_dir)
    returns.write_bytes(data)
    assert len(load_run(res.run_dir).returns) == len(res.returns)
    # a damaged unit file stops a resume before any work
    manifest = read_manifest(res.run_dir)
    manifest["status"] = "running"
    write_manifest(res.run_dir, manifest)
    unit = unit_paths(res.run_dir, 1, "random", 0)[0]
    unit.write_bytes(unit.read_bytes()[:-10])
    with pytest.raises(DataError, match=r"units/fold-001/random/seed-0.parquet' does not match"):
        resume_experiment(res.run_dir)
    # an edited manifest is refused
    text = (res.run_dir / "manifest.json").read_text().replace('"running"', '"complete"')
    (res.run_dir / "manifest.json").write_text(text)
    with pytest.raises(DataError, match=r"manifest.json' does not match its recorded digest"):
        load_run(res.run_dir)


def test_run_directory_is_never_overwritten_without_the_flag(tiny_run, tmp_path):
    config, _, _ = tiny_run
    target = tmp_path / "run"
    run_experiment(config, run_dir=target)
    with pytest.raises(OutputError, match=r"`--out` '.*run' already exists; pass --overwrite"):
        run_experiment(config, run_dir=target)
    run_experiment(config, run_dir=target, overwrite=True)
    other = tmp_path / "precious"
    other.mkdir()
    (other / "thesis.tex").write_text("do not delete")
    with pytest.raises(OutputError, match=r"holds no manifest.json: it is not a factorgym run"):
        run_experiment(config, run_dir=other, overwrite=True)
    assert (other / "thesis.tex").read_text() == "do not delete"
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(OutputError, match=r"`--out` '.*a-file/run' cannot be created"):
        run_experiment(config, run_dir=blocker / "run")


def test_resume_refuses_another_config_and_changed_data(tmp_path):
    panel_frame = pd.DataFrame(
        np.random.default_rng(3).normal(0.005, 0.04, size=(200, 3)),
        index=pd.period_range("1970-01", periods=200, freq="M").to_timestamp("M"),
        columns=["A", "B", "C"],
    )
    panel_frame.index.name = "date"
    panel_frame["RF"] = 0.002
    csv = tmp_path / "returns.csv"
    panel_frame.to_csv(csv)
    text = tiny_config_text(tmp_path / "runs").replace(
        'source = "synthetic"\nn_months = 240\nn_assets = 3\nseed = 7',
        f'paths = ["{csv}"]\nunits = "decimal"',
    )
    text = text.replace("train_size = 60", "train_size = 48")
    cfg_path = tmp_path / "c.toml"
    cfg_path.write_text(text)
    config = load_config(cfg_path)

    def stop(event):
        if event.kind == "unit" and event.done == 2:
            raise _Interrupt

    with pytest.raises(_Interrupt):
        run_experiment(config, run_dir=tmp_path / "run", progress=stop)
    other = load_config(cfg_path, overrides={"seeds": [5]})
    with pytest.raises(ConfigError, match=r"`CONFIG` describes another experiment"):
        resume_experiment(tmp_path / "run", config=other)
    panel_frame.iloc[150, 0] += 0.01
    panel_frame.to_csv(csv)
    with pytest.raises(DataError, match=r"the data changed since the run in '.*run' began"):
        resume_experiment(tmp_path / "run")
    with pytest.raises(ConfigError, match=r"`--resume` '.*nowhere' holds no manifest.json"):
        resume_experiment(tmp_path / "nowhere")


def test_cpcv_run_gives_one_series_per_path(tmp_path):
    text = (
        tiny_config_text(tmp_path / "runs")
        .replace(
            'method = "walk_forward"\ntrain_size = 60\nvalidation_size = 12\n'
            "test_size = 48\npurge = 1",
            'method = "cpcv"\nn_groups = 4\nn_test_groups = 2\npurge = 1\nembargo = 2\n'
            "validation_size = 6",
        )
        .replace("[env]", "[env]\nnormalize = true")
    )
    path = tmp_path / "cpcv.toml"
    path.write_text(text)
    config = load_config(path)
    plan = plan_experiment(config)
    for fe in plan.folds:  # a test block before the training window runs to the window's end
        for t in fe.tests:
            end = max(t.end, fe.train_window[1])
            assert t.spec.panel.end == end and t.spec.config.window[1] == str(t.end)
            assert t.spec.config.normalize_window[1] == str(fe.train_window[1])
    res = run_experiment(config, run_dir=tmp_path / "run", plan=plan)
    assert res.manifest["folds"] == 6
    r = res.returns
    months = res.manifest["earnable"]
    n_earnable = pd.Period(months[1], "M").ordinal - pd.Period(months[0], "M").ordinal + 1
    for (agent, seed, path_id), frame in r.groupby(["agent", "seed", "path"]):
        assert path_id in (0, 1, 2)  # C(4,2) * 2 / 4 = 3 paths
        assert frame["month"].is_unique and len(frame) == n_earnable, (agent, seed, path_id)
    assert r["benchmark_net_return"].notna().all()


def test_regime_probabilities_are_recorded_at_the_decision_month(tmp_path):
    extra = "\n[features.regimes]\nn_states = 2\nmin_train = 48\nrefit_every = 24\nn_restarts = 1\n"
    path = tmp_path / "reg.toml"
    path.write_text(
        tiny_config_text(tmp_path / "runs", extra=extra).replace(
            "train_size = 60", "train_size = 36"
        )
    )
    config = load_config(path)
    plan = plan_experiment(config)
    regimes = plan.features["regime"]
    assert plan.earnable[0] == regimes.dropna().index[0] + 1  # first month after the warm-up
    res = run_experiment(config, run_dir=tmp_path / "run", plan=plan)
    r = res.returns[res.returns.agent == "fixed"]
    decided = pd.PeriodIndex(pd.to_datetime(r["decision_date"]), freq="M")
    np.testing.assert_array_equal(r["regime_p0"], regimes["regime_p0"].reindex(decided))
    np.testing.assert_allclose(r["regime_p0"] + r["regime_p1"], 1.0, atol=1e-12)
    # frames are cached under output.directory (the run directory was given with run_dir)
    assert any((tmp_path / "runs" / "feature-cache").iterdir())


def test_action_output_agents_and_unknown_kinds(tmp_path):
    agents = f'\n[agents.acts]\nkind = "{STANDIN}:RandomActions"\n'
    path = tmp_path / "a.toml"
    path.write_text(tiny_config_text(tmp_path / "runs", agents=agents))
    res = run_experiment(load_config(path), run_dir=tmp_path / "run")
    acts = res.returns[res.returns.agent == "acts"]
    assert len(acts) == 2 * 173 and acts["turnover"].gt(0).all()
    path.write_text(tiny_config_text(tmp_path / "runs", agents="\n[agents.nope]\n"))
    with pytest.raises(ConfigError, match=r"`agents.nope.kind` must be one of \[.*\] or "):
        plan_experiment(load_config(path))


def test_ray_missing_is_one_clear_error_before_anything_is_written(
    monkeypatch, capsys, tiny_config_file
):
    import sys

    from factorgym.cli import main

    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` raises ImportError
    with pytest.raises(ConfigError, match=r'needs Ray.*pip install "factorgym\[ray\]"') as info:
        execute([object()], lambda r: None, backend="ray")  # type: ignore[list-item]
    assert str(info.value) == RAY_MISSING
    out = tiny_config_file.parent / "run"
    assert main(["run", str(tiny_config_file), "--backend", "ray", "--out", str(out)]) == 2
    assert capsys.readouterr().err == f"factorgym: error: {RAY_MISSING}\n"
    config = load_config(tiny_config_file, overrides={"runner": {"backend": "ray"}})
    with pytest.raises(ConfigError, match=r"needs Ray"):
        run_experiment(config, run_dir=out)
    assert not out.exists() and not (tiny_config_file.parent / "runs").exists()
    with pytest.raises(ConfigError, match=r"`backend` must be one of \('local', 'ray'\)"):
        execute([object()], lambda r: None, backend="dask")  # type: ignore[list-item]


def test_only_declared_upper_bounds_see_the_future(tmp_path):
    oracle = f'\n[agents.oracle]\nkind = "{STANDIN}:FutureReader"\n'
    path = tmp_path / "o.toml"
    path.write_text(tiny_config_text(tmp_path / "runs", agents=oracle))
    res = run_experiment(load_config(path), run_dir=tmp_path / "run")
    r = res.returns
    best = r[r.agent == "oracle"]
    bench = r[r.agent == BENCHMARK]
    assert best["gross_return"].mean() > 3 * bench["gross_return"].mean()  # it sees t + 1
    assert not res.ledger[res.ledger.agent == "oracle"].contender.any()
    assert not unit_paths(res.run_dir, 0, "oracle", 0)[2].exists()  # no fitted state, no model
    cheat = f'\n[agents.cheat]\nkind = "{STANDIN}:FutureReader"\ncontender = true\n'
    path.write_text(tiny_config_text(tmp_path / "runs", agents=cheat))
    with pytest.raises(DataError, match=r"future_reader: no month after 1964-06 in its panel"):
        run_experiment(load_config(path), run_dir=tmp_path / "cheat")
