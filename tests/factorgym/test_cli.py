from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import factorgym
from factorgym.cli import main

KENFRENCH_DIR = Path(__file__).parents[1] / "fixtures" / "kenfrench"


def _run(*args):
    return subprocess.run(
        [sys.executable, "-m", "factorgym.cli", *args], capture_output=True, text=True, timeout=120
    )


def test_version_and_show_french_in_a_subprocess():
    out = _run("--version")
    assert out.returncode == 0 and out.stdout.strip() == f"factorgym {factorgym.__version__}"
    out = _run("data", "show", "french")
    assert out.returncode == 0, out.stderr
    assert "1949-01..2017-03  (819 months)" in out.stdout
    assert "MktRF" in out.stdout and "0.527" in out.stdout  # hand-checked Sharpe


def test_error_is_one_line_without_traceback():
    out = _run("data", "show", "french", "--assets", "Momentum")
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        "factorgym: error: `assets`: unknown asset 'Momentum'; the panel holds "
        "['MktRF', 'SMB', 'HML', 'Mom']; did you mean 'Mom'?"
    ]
    assert "Traceback" not in out.stderr


def test_list_names_every_source(capsys):
    assert main(["data", "list"]) == 0
    text = capsys.readouterr().out
    for name in ("french", "etf", "synthetic", "<path.CSV>", "<path.csv|.parquet>"):
        assert name in text


def test_show_ken_french_files_and_options(capsys):
    files = [
        str(KENFRENCH_DIR / "F-F_Research_Data_Factors_to_201703.CSV"),
        str(KENFRENCH_DIR / "F-F_Momentum_Factor_to_201703.CSV"),
    ]
    assert main(["data", "show", *files, "--start", "1990-01", "--end", "1990-12"]) == 0
    assert "1990-01..1990-12  (12 months)" in capsys.readouterr().out
    assert main(["data", "show", "french", "--universe", "industries"]) == 0
    assert "NoDur" in capsys.readouterr().out


def test_export_round_trips(tmp_path, capsys):
    out = tmp_path / "sub" / "french.csv"
    assert main(["data", "export", "french", str(out), "--start", "2000-01"]) == 0
    assert "wrote 207 months x 4 assets" in capsys.readouterr().out
    frame = pd.read_csv(out)
    assert list(frame.columns) == ["date", "MktRF", "SMB", "HML", "Mom", "RF"]
    again = factorgym.load(out, units="decimal")
    assert again.months.equals(factorgym.load("french", start="2000-01").months)
    pd.testing.assert_frame_equal(
        again.to_frame(), factorgym.load("french", start="2000-01").to_frame(), rtol=1e-9
    )


def test_export_errors(tmp_path, capsys):
    assert main(["data", "export", "french", str(tmp_path / "x.txt")]) == 2
    assert "`OUT` must end in .csv" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["data", "export", "french"])


def test_bad_start_end_exits_2(capsys):
    assert main(["data", "show", "french", "--start", "2010-01", "--end", "2000-01"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("factorgym: error: `start` must not be after `end`")
