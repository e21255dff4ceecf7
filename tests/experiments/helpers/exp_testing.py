"""Helpers of the experiments tests (on sys.path through the helpers folder)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HELPERS = Path(__file__).resolve().parent
ROOT = Path(__file__).resolve().parents[3]
STANDIN = "factorgym_standins"


def tiny_config_text(out: Path, *, extra: str = "", agents: str | None = None) -> str:
    """A small walk-forward config on synthetic data with the stand-in allocators."""
    agents = (
        agents
        or f"""
[agents.fixed]
kind = "{STANDIN}:FixedWeights"
seeds = [0]

[agents.random]
kind = "{STANDIN}:RandomWeights"
concentration = 2.0

[agents.trend]
kind = "{STANDIN}:TrendFollower"
learning_rate = 0.5
"""
    )
    return f"""
name = "tiny"
description = "tiny test experiment"
seeds = [0, 1]

[data]
source = "synthetic"
n_months = 240
n_assets = 3
seed = 7

[env]
costs = "central"
lookback = 6
vol_lookback = 6

[splits]
method = "walk_forward"
train_size = 60
validation_size = 12
test_size = 48
purge = 1

[output]
directory = "{out}"
{extra}
{agents}
"""


def subprocess_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(HELPERS), str(ROOT)] + [env.get("PYTHONPATH", "")])
    env["COLUMNS"] = "160"
    return env


def run_cli(
    *args: str, timeout: float = 300, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "factorgym.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=subprocess_env(),
        cwd=cwd,
    )


_STANDIN_KINDS = ("FixedWeights", "TrendFollower", "RandomWeights")


def standin_version(text: str) -> str:
    """A shipped config with every ``[agents.NAME]`` run by a stand-in allocator.

    The names stay (so ``[quick.agents.*]`` overrides still apply); baselines cycle through the
    stand-in kinds and ``ppo`` becomes FakePPO (seeded random weights).
    """
    import re

    count = 0

    def repl(match: re.Match[str]) -> str:
        nonlocal count
        name = match.group(1)
        kind = "FakePPO" if name == "ppo" else _STANDIN_KINDS[count % 3]
        count += 1
        return f'{match.group(0)}\nkind = "{STANDIN}:{kind}"'

    return re.sub(r"^\[agents\.([A-Za-z0-9_-]+)\]", repl, text, flags=re.MULTILINE)
