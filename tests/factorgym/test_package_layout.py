"""One import path: `factorgym.envs` is one module object however Python or pytest starts.

The design card keeps envs/, agents/, regimes/, ... at the repository root; `factorgym/` holds a
symlink to each, so a source checkout has the installed package's layout and nothing else needs
to extend `factorgym.__path__`. A bare `import envs` is refused at run time (the folder's
`__init__` checks its own name) and by the lint (ruff TID251).

The four ways: Python started in the checkout's root or elsewhere, with the package installed as
a wheel or in editable mode. Each install goes into its own throw-away virtual environment that
sees this environment's third-party packages but not its factorgym.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SUBPACKAGES = ("envs", "agents", "regimes", "forecasts", "experiments", "evaluation")

PROBE = f"""
import importlib, sys
import factorgym
import factorgym.envs.config as config_module
from factorgym.envs import EnvConfig, FactorTimingEnv
for name in {SUBPACKAGES!r}:
    importlib.import_module("factorgym." + name)
assert EnvConfig is config_module.EnvConfig, "two EnvConfig classes"
FactorTimingEnv(config=config_module.EnvConfig())
for bad in ("envs", "envs.config", "factorgym.factorgym", "factorgym.tests", "factorgym.tests.x"):
    try:
        importlib.import_module(bad)
    except ImportError:
        continue
    raise SystemExit(f"{{bad}} must not be importable")
assert not any(m == "envs" or m.startswith("envs.") for m in sys.modules), "bare envs loaded"
print(factorgym.__file__)
"""

_IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", "runs"
)


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=600)


def _shadow_site_packages(dest: Path) -> Path:
    """Links to this environment's third-party packages, without any factorgym."""
    dest.mkdir()
    purelib = Path(sysconfig.get_paths()["purelib"])
    for entry in purelib.iterdir():
        if "factorgym" in entry.name.lower():
            continue
        (dest / entry.name).symlink_to(entry)
    return dest


def _new_venv(path: Path, shadow: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    python = path / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(site) / "zz_shadow.pth").write_text(f"{shadow}\n")
    return python


def _pip_install(python: Path, src: Path, *, editable: bool) -> None:
    # build in the current environment's setuptools when it is new enough (no network needed)
    isolation = ["--no-build-isolation"] if _setuptools_ok() else []
    cmd = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps"]
    cmd += isolation + (["-e", str(src)] if editable else [str(src)])
    out = _run(cmd, src)
    assert out.returncode == 0, out.stderr[-3000:]


def _setuptools_ok() -> bool:
    if importlib.util.find_spec("setuptools") is None:
        return False
    import setuptools

    return int(setuptools.__version__.split(".")[0]) >= 68


@pytest.fixture(scope="module")
def installs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """A copy of the checkout and two environments: wheel-installed and editable."""
    base = tmp_path_factory.mktemp("layout")
    src = base / "checkout"
    shutil.copytree(ROOT, src, symlinks=True, ignore=_IGNORE)
    shadow = _shadow_site_packages(base / "shadow")
    out = {}
    for kind, editable in (("wheel", False), ("editable", True)):
        python = _new_venv(base / f"venv-{kind}", shadow)
        _pip_install(python, src, editable=editable)
        out[kind] = (python, src)
    shutil.rmtree(src / "build", ignore_errors=True)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["wheel", "editable"])
@pytest.mark.parametrize("start", ["root", "elsewhere"])
def test_one_module_object_whichever_way_python_starts(installs, kind, start, tmp_path):
    python, src = installs[kind]
    cwd = src if start == "root" else tmp_path
    out = _run([str(python), "-c", PROBE], cwd)
    assert out.returncode == 0, out.stderr[-3000:]
    where = Path(out.stdout.strip()).resolve().parent
    if start == "root" or kind == "editable":
        assert where == src / "factorgym"  # the checkout's code, edits seen at once
    else:
        assert "site-packages" in where.parts  # the installed wheel, outside any checkout


@pytest.mark.parametrize("start", ["root", "elsewhere"])
def test_subpackages_import_from_this_environment(start, tmp_path):
    out = _run([sys.executable, "-c", PROBE], ROOT if start == "root" else tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]


def test_bare_import_of_a_design_card_folder_is_refused_at_run_time():
    out = _run([sys.executable, "-c", "from envs.config import EnvConfig"], ROOT)
    assert out.returncode != 0
    assert "ImportError: import factorgym.envs, not envs" in out.stderr


def test_bare_import_is_refused_by_the_lint(tmp_path):
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import envs\nfrom regimes.filtered_hmm import FilteredGaussianHMM\n"
        "from factorgym.envs import EnvConfig\n"
    )
    out = _run(
        [
            ruff,
            "check",
            "--config",
            str(ROOT / "pyproject.toml"),
            "--select",
            "TID251",
            "--output-format",
            "concise",
            "--no-cache",
            str(bad),
        ],
        tmp_path,
    )
    assert out.returncode == 1
    lines = [line for line in out.stdout.splitlines() if "TID251" in line]
    assert len(lines) == 2, out.stdout
    assert "`envs` is banned" in lines[0] and "`regimes` is banned" in lines[1]


def test_pytest_header_names_the_copy_under_test():
    out = _run([sys.executable, "-m", "pytest", "--co", "tests/factorgym/test_panel.py"], ROOT)
    header = [line for line in out.stdout.splitlines() if "under test" in line]
    assert header == [f"factorgym {_version()} under test: {ROOT / 'factorgym'} (this checkout)"]


def _version() -> str:
    import factorgym

    return factorgym.__version__
