"""Fixtures of the experiments tests: stand-in allocators, tiny configs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

SHIM = Path(__file__).resolve().parent / "shim"
if str(SHIM) not in sys.path:
    sys.path.insert(0, str(SHIM))

import factorgym_standins  # noqa: E402
from exp_testing import tiny_config_text  # noqa: E402

factorgym_standins.install_rollout_finder()


@pytest.fixture()
def tiny_config_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text(tiny_config_text(tmp_path / "runs"))
    return path
