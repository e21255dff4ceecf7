"""Fixtures of the experiments tests: the stand-in allocators' folder on the path, tiny configs."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

HELPERS = Path(__file__).resolve().parent / "helpers"
if str(HELPERS) not in sys.path:
    sys.path.insert(0, str(HELPERS))
# worker processes (joblib/loky, Ray) start with this folder on their path too, so that the
# stand-in allocators (`factorgym_standins:...` kinds) import there
_paths = os.environ.get("PYTHONPATH", "").split(os.pathsep)
if str(HELPERS) not in _paths:
    os.environ["PYTHONPATH"] = os.pathsep.join([str(HELPERS), *filter(None, _paths)])

from exp_testing import tiny_config_text  # noqa: E402


@pytest.fixture()
def tiny_config_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text(tiny_config_text(tmp_path / "runs"))
    return path
