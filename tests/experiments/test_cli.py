"""`factorgym run` and `factorgym configs` end to end, in subprocesses."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from exp_testing import run_cli, standin_version, subprocess_env, tiny_config_text

from factorgym.cli import main
from factorgym.experiments import load_config, load_run, run_experiment
from factorgym.experiments.config import shipped_config_path

KF = Path(__file__).parents[1] / "fixtures" / "kenfrench"


def _tables(run_dir: Path) -> dict[str, str]:
    manifest = json.loads((run_dir / "manifest.json").read_text())
    return {k: v["sha256"] for k, v in manifest["tables"].items()}


def test_configs_list_show_check(capsys, tmp_path):
    assert main(["configs"]) == 0
    out = capsys.readouterr().out
    for name in ("default", "quick", "etf", "industries", "synthetic"):
        assert f"{name}  " in out
    assert main(["configs", "show", "default"]) == 0
    assert capsys.readouterr().out == shipped_config_path("default").read_text()
    path = tmp_path / "t.toml"
    path.write_text(tiny_config_text(tmp_path / "runs"))
    assert main(["configs", "check", str(path)]) == 0
    assert capsys.readouterr().out.startswith("tiny: valid (3 agents, 5 agent-seeds, splits walk")
    assert main(["configs", "show", "nope"]) == 2
    assert "`CONFIG` must be one of the shipped configs" in capsys.readouterr().err
    assert not (tmp_path / "runs").exists()


def test_run_on_downloaded_ken_french_files_from_1990(tmp_path):
    """The default config (stand-in agents) on Ken French CSVs as downloaded, from 1990."""
    cfg = tmp_path / "default-standin.toml"
    cfg.write_text(
        standin_version(shipped_config_path("default").read_text()).replace(
            'directory = "runs"', f'directory = "{tmp_path / "runs"}"'
        )
    )
    out = run_cli(  # --data paths relative to where the command runs
        "run",
        str(cfg),
        "--data",
        "F-F_Research_Data_Factors_to_201703.CSV",
        "F-F_Momentum_Factor_to_201703.CSV",
        "--start",
        "1990-01",
        "--out",
        str(tmp_path / "run"),
        cwd=KF,
    )
    assert out.returncode == 0, out.stderr
    assert "default: out of sample 2011-" in out.stdout and "benchmark_1n" in out.stdout
    res = load_run(tmp_path / "run")
    data = res.manifest["data"]
    assert data["start"] == "1990-01" and data["end"] == "2017-03"
    assert data["assets"] == ["MktRF", "SMB", "HML", "Mom"]
    assert "F-F_Research_Data_Factors_to_201703.CSV" in data["provenance"]["source"]
    assert res.manifest["folds"] == 2 and set(res.returns.agent) >= {"ppo", "benchmark_1n"}
    assert {"regime_p0", "regime_p1"} <= set(res.returns.columns)


def test_cli_errors_are_one_line_with_exit_code_2(tmp_path):
    cfg = tmp_path / "t.toml"
    cfg.write_text(tiny_config_text(tmp_path / "runs"))
    out = run_cli("run", str(cfg), "--jobs", "0")
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        "factorgym: error: `--jobs` must be an int >= 1, got 0"
    ]
    out = run_cli("run", "--resume", str(tmp_path), "--start", "1990-01")
    assert out.returncode == 2 and "`--resume` finishes a run as it was configured" in out.stderr
    out = run_cli("run", str(cfg), "--units", "decimal")
    assert out.returncode == 2 and "`--units`/`--kind` apply to --data files only" in out.stderr
    assert not (tmp_path / "runs").exists()


@pytest.mark.slow
def test_kill_9_mid_run_then_resume_gives_identical_tables(tmp_path):
    text = tiny_config_text(tmp_path / "runs").replace(
        "learning_rate = 0.5", "learning_rate = 0.5\ndelay = 0.5"
    )
    cfg = tmp_path / "slow.toml"
    cfg.write_text(text)
    reference = run_experiment(load_config(cfg), run_dir=tmp_path / "reference")
    run_dir = tmp_path / "killed"
    proc = subprocess.Popen(
        [sys.executable, "-m", "factorgym.cli", "run", str(cfg), "--out", str(run_dir)],
        env=subprocess_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    commits: list[Path] = []
    while time.monotonic() < deadline and proc.poll() is None:
        commits = list((run_dir / "units").rglob("*.json")) if run_dir.exists() else []
        if len(commits) >= 8:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the run finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    done = len(list((run_dir / "units").rglob("*.json")))
    assert 8 <= done < 24
    assert json.loads((run_dir / "manifest.json").read_text())["status"] == "running"
    assert not (run_dir / "tables").exists()
    out = run_cli("run", "--resume", str(run_dir))
    assert out.returncode == 0, out.stderr
    assert f"resuming: {done} of 24 units already done" in out.stderr
    assert _tables(run_dir) == {k: v["sha256"] for k, v in reference.manifest["tables"].items()}
    assert not list(run_dir.rglob(".*.tmp"))


@pytest.mark.slow
def test_factorgym_run_quick_with_the_real_agents_and_its_timing(tmp_path):
    """`factorgym run --quick`: the default config's [quick] overrides, every baseline and PPO."""
    t0 = time.perf_counter()
    out = run_cli("run", "--quick", "--out", str(tmp_path / "q"), cwd=tmp_path)
    seconds = time.perf_counter() - t0
    assert out.returncode == 0, out.stderr[-3000:]
    assert seconds < 90, seconds
    res = load_run(tmp_path / "q")
    assert res.manifest["folds"] == 2 and res.manifest["config"]["quick"] is True
    agents = set(res.returns.agent)
    assert {"ppo", "equal_weight", "forecast_tilt", "hindsight_oracle", "benchmark_1n"} <= agents
    assert not res.ledger.set_index("agent").loc["hindsight_oracle", "contender"].any()
    assert "default: out of sample 1994-02..2004-01, 2 folds" in out.stdout
