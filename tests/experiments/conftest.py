"""Fixtures of the experiments tests: stand-in allocators, tiny configs."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

SHIM = Path(__file__).resolve().parent / "shim"
if str(SHIM) not in sys.path:
    sys.path.insert(0, str(SHIM))
# worker processes (joblib/loky, Ray) start with the shim too: its sitecustomize installs the
# stand-in rollout there, and `factorgym_standins` is importable
_paths = os.environ.get("PYTHONPATH", "").split(os.pathsep)
if str(SHIM) not in _paths:
    os.environ["PYTHONPATH"] = os.pathsep.join([str(SHIM), *filter(None, _paths)])

import factorgym_standins  # noqa: E402
from exp_testing import tiny_config_text  # noqa: E402

factorgym_standins.install_rollout_finder()


@pytest.fixture()
def tiny_config_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text(tiny_config_text(tmp_path / "runs"))
    return path
