"""The Ray backend gives the same tables as the local one (a local Ray started by the command)."""

from __future__ import annotations

import json

import pytest
from exp_testing import run_cli, tiny_config_text

from factorgym.experiments import load_config, run_experiment


@pytest.mark.slow
def test_local_ray_and_joblib_agree(tmp_path):
    cfg = tmp_path / "tiny.toml"
    cfg.write_text(tiny_config_text(tmp_path / "runs"))
    local = run_experiment(load_config(cfg), run_dir=tmp_path / "local")
    out = run_cli(
        "run",
        str(cfg),
        "--backend",
        "ray",
        "--jobs",
        "2",
        "--out",
        str(tmp_path / "ray"),
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    manifest = json.loads((tmp_path / "ray" / "manifest.json").read_text())
    assert manifest["config"]["runner"]["backend"] == "ray"
    assert {k: v["sha256"] for k, v in manifest["tables"].items()} == {
        k: v["sha256"] for k, v in local.manifest["tables"].items()
    }
