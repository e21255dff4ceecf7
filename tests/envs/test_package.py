"""The public surface of factorgym.envs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import factorgym.envs as envs


def test_all_is_sorted_and_importable():
    assert list(envs.__all__) == sorted(
        envs.__all__, key=lambda s: (not s.isupper(), not s[0].isupper(), s)
    )
    for name in envs.__all__:
        assert getattr(envs, name) is not None


def test_unknown_attribute_raises():
    with pytest.raises(AttributeError, match="has no attribute 'FactorTimingEnv2'"):
        envs.FactorTimingEnv2  # noqa: B018


def test_no_print_in_library_code():
    root = Path(envs.__file__).parent
    for path in root.glob("*.py"):
        assert "print(" not in path.read_text(), path.name


def test_benchmark_script_runs():
    script = Path(__file__).parents[2] / "benchmarks" / "bench_env.py"
    out = subprocess.run(
        [sys.executable, str(script), "--steps", "200", "--repeats", "1"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "ratio to floor" in out and "batched N=1024" in out
