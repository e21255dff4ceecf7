from __future__ import annotations

import random
import resource
import signal
import subprocess
import sys
import time
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
    frame = pd.read_csv(out, comment="#")
    assert list(frame.columns) == ["date", "MktRF", "SMB", "HML", "Mom", "RF"]
    again = factorgym.load(out, units="decimal")
    # bit for bit: kind, names, months, returns and rf hash the same
    assert again.content_hash == factorgym.load("french", start="2000-01").content_hash


def test_export_errors(tmp_path, capsys):
    assert main(["data", "export", "french", str(tmp_path / "x.txt")]) == 2
    assert "`OUT` must be a path ending in .csv, got '" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["data", "export", "french"])


def test_bad_start_end_exits_2(capsys):
    assert main(["data", "show", "french", "--start", "2010-01", "--end", "2000-01"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("factorgym: error: `start` must not be after `end`")


# ----------------------------------------------------------------------------- data safety
def _one_line_error(capsys, code, *argv):
    assert main(list(argv)) == code
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("factorgym: error: "), captured.err
    assert "Traceback" not in captured.err
    return lines[0]


def test_export_refuses_an_existing_file_without_force(tmp_path, capsys):
    keep = tmp_path / "keep.csv"
    keep.write_text("my precious results\n")
    err = _one_line_error(capsys, 2, "data", "export", "french", str(keep))
    assert "`OUT` must not exist unless overwriting is asked for (--force" in err
    assert keep.read_text() == "my precious results\n"
    assert main(["data", "export", "french", str(keep), "--force"]) == 0
    assert factorgym.load(keep, units="decimal") == factorgym.load("french")


def test_export_never_writes_over_its_input_even_with_force(tmp_path, capsys):
    same = tmp_path / "same.csv"
    assert main(["data", "export", "french", str(same)]) == 0
    before = same.read_bytes()
    for extra in ([], ["--force"]):
        err = _one_line_error(
            capsys,
            2,
            "data",
            "export",
            str(same),
            str(same),
            "--units",
            "decimal",
            "--start",
            "2017-01",
            *extra,
        )
        assert "`OUT` must not be one of the inputs" in err
    assert same.read_bytes() == before
    # also through another spelling of the same file
    alias = tmp_path / "sub" / ".." / "same.csv"
    (tmp_path / "sub").mkdir()
    err = _one_line_error(
        capsys, 2, "data", "export", str(same), str(alias), "--units", "decimal", "--force"
    )
    assert "must not be one of the inputs" in err and same.read_bytes() == before


def test_options_may_come_before_the_output_file(tmp_path, capsys):
    out = tmp_path / "out.csv"
    assert main(["data", "export", "french", "--start", "1990-01", str(out)]) == 0
    assert factorgym.load(out, units="decimal").n_months == 327
    assert main(["data", "show", "--start", "2000-01", "french", "--end", "2000-12"]) == 0
    assert "2000-01..2000-12  (12 months)" in capsys.readouterr().out


def _folder_named(tmp_path, name):
    path = tmp_path / name
    path.mkdir()
    return str(path)


def _under_a_file(tmp_path, name):
    (tmp_path / "afile").write_text("x")
    return str(tmp_path / "afile" / name)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            lambda t: ["data", "show", _folder_named(t, "some_dir") + "/"],
            r"`source` must be a file, got the directory '.*some_dir'",
        ),
        (
            lambda t: ["data", "export", "french", _folder_named(t, "adir.csv")],
            r"`OUT` must be a file, got the directory '.*adir.csv'",
        ),
        (
            lambda t: ["data", "export", "french", _under_a_file(t, "x.csv")],
            r"`OUT`: cannot write '.*afile/x.csv': '.*afile' is a file, not a folder",
        ),
        (
            lambda t: ["data", "export", "french", "/proc/no-such-dir/x.csv"],
            r"`OUT`: cannot write '/proc/no-such-dir/x.csv': No such file or directory",
        ),
        (
            lambda t: ["data", "show", "synthetic", "--seed", "-1"],
            "`seed` must be an int >= 0, got -1",
        ),
        (
            lambda t: ["data", "export", "synthetic", str(t / "x.csv"), "--n-months", "200000"],
            r"`n_months` must be an int >= 2 and <= 96480 \(months 1960-01..9999-12",
        ),
        (
            lambda t: [
                "data",
                "show",
                str(KENFRENCH_DIR / "F-F_Research_Data_Factors_to_201703.CSV"),
                "--rf",
                "0.001",
            ],
            r"the files have an RF column and `rf`=0.001 \(--rf\) was given too",
        ),
        (
            lambda t: ["data", "show", "french", "--start", "1990"],
            r"`start` must be a month such as '1990-01'.*got '1990'",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, argv, message):
    import re

    err = _one_line_error(capsys, 2, *argv(tmp_path))
    assert re.search(message, err), err
    assert not (tmp_path / "x.csv").exists()  # nothing left behind


def test_tidy_file_with_rf_column_and_rf_option(tmp_path, capsys):
    out = tmp_path / "t.csv"
    assert main(["data", "export", "french", str(out), "--start", "2000-01"]) == 0
    err = _one_line_error(
        capsys, 2, "data", "show", str(out), "--units", "decimal", "--rf", "0.001"
    )
    assert "t.csv has a risk-free column 'RF' and `rf`=0.001 (--rf) was given too" in err


def test_a_failed_write_keeps_the_old_file(tmp_path):
    """`ulimit -f 4`: the write fails half way; the old file stays whole, no temp is left."""
    target = tmp_path / "keep.csv"
    assert main(["data", "export", "french", str(target), "--start", "2016-01"]) == 0
    before = target.read_bytes()

    def limit_file_size():
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "factorgym.cli",
            "data",
            "export",
            "synthetic",
            str(target),
            "--n-months",
            "2000",
            "--force",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limit_file_size,
    )
    assert out.returncode == 2, out.stderr
    assert out.stderr.strip().splitlines() == [
        f"factorgym: error: `OUT`: cannot write {str(target)!r}: File too large"
    ]
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["keep.csv"]


_EXPORT_AFTER_READY = (
    "import sys\n"
    "import factorgym.cli\n"
    "from factorgym.data import synthetic_market\n"
    "print('ready', flush=True)\n"
    "sys.exit(factorgym.cli.main(sys.argv[1:]))\n"
)


@pytest.mark.slow
def test_kill_9_during_export_leaves_old_or_complete_new_file(tmp_path):
    """kill -9 at random moments of `data export`: the target is never a part of a file."""
    target = tmp_path / "victim.csv"
    old = b"old content\n"
    n_months = "30000"
    argv = ["data", "export", "synthetic", str(target), "--n-months", n_months, "--force"]
    # how long the export takes once imported, to spread the kills over it
    target.write_bytes(old)
    proc = subprocess.Popen(
        [sys.executable, "-c", _EXPORT_AFTER_READY, *argv], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "ready"
    t0 = time.perf_counter()
    assert proc.wait(timeout=300) == 0
    duration = time.perf_counter() - t0
    proc.stdout.close()
    complete = target.read_bytes()
    assert factorgym.load(target, units="decimal").n_months == 30000
    rng = random.Random(0)
    outcomes = {"old": 0, "new": 0}
    for _ in range(24):
        target.write_bytes(old)
        proc = subprocess.Popen(
            [sys.executable, "-c", _EXPORT_AFTER_READY, *argv], stdout=subprocess.PIPE, text=True
        )
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 1.1 * duration))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        proc.stdout.close()
        data = target.read_bytes()
        assert data in (old, complete), f"a partial file of {len(data)} bytes"
        outcomes["old" if data == old else "new"] += 1
        # whatever a killed writer left is a temporary file, removed by the next export
        leftovers = [p for p in tmp_path.iterdir() if p.name != "victim.csv"]
        assert all(p.name.startswith(".victim.csv.") and p.name.endswith(".tmp") for p in leftovers)
    print(f"kill -9 outcomes over 24 tries (export ~{duration:.2f} s): {outcomes}")
    assert outcomes["old"] > 0  # the kills did land during the export
    assert main(["data", "export", "synthetic", str(target), "--n-months", "24", "--force"]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["victim.csv"]


@pytest.mark.parametrize("killed_in", ["write", "fsync", "replace"])
def test_kill_9_at_each_step_of_the_write_keeps_the_old_file(tmp_path, killed_in):
    """Deterministic companion of the random test: the writer dies inside os.<killed_in>."""
    target = tmp_path / "victim.csv"
    target.write_bytes(b"old content\n")
    code = (
        "import os, signal, sys\n"
        f"real = os.{killed_in}\n"
        "def killed(*args):\n"
        "    if args and isinstance(args[-1], memoryview):  # os.write: half the data, then die\n"
        "        real(args[0], bytes(args[-1][: len(args[-1]) // 2]))\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "import factorgym.cli\n"
        f"os.{killed_in} = killed\n"
        "sys.exit(factorgym.cli.main(sys.argv[1:]))\n"
    )
    argv = ["data", "export", "synthetic", str(target), "--n-months", "600", "--force"]
    proc = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert target.read_bytes() == b"old content\n"
    (temp,) = [p for p in tmp_path.iterdir() if p.name != "victim.csv"]
    assert temp.name.startswith(".victim.csv.") and temp.name.endswith(".tmp")
    assert main(argv) == 0  # the next export replaces the file and removes the dead temp
    assert [p.name for p in tmp_path.iterdir()] == ["victim.csv"]
    assert factorgym.load(target, units="decimal").n_months == 600
