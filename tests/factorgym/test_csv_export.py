"""write_csv and the loader's check of an export: exact, atomic, never over a file it must not."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from factorgym import DataError, FactorPanel, load
from factorgym.data import write_csv
from factorgym.errors import OutputError

KENFRENCH_DIR = Path(__file__).parents[1] / "fixtures" / "kenfrench"


def _panel(kind="excess") -> FactorPanel:
    rng = np.random.default_rng(5)
    values = rng.normal(0.004, 0.05, size=(36, 3))
    values[0, 0] = 0.1 + 0.2  # 0.30000000000000004: needs all 17 digits
    values[1, 1] = -0.0
    values[2, 2] = 5e-324  # the smallest subnormal
    return FactorPanel(
        values,
        np.linspace(0.001, 0.004, 36),
        pd.period_range("1999-11", periods=36, freq="M"),
        ["A", "B,comma", 'C"quote'],
        kind=kind,
    )


@pytest.mark.parametrize("kind", ["excess", "total"])
def test_round_trip_is_bit_exact_and_keeps_the_kind(tmp_path, kind):
    panel = _panel(kind)
    path = write_csv(panel, tmp_path / "p.csv")
    back = load(path, units="decimal")
    assert back.content_hash == panel.content_hash  # kind, names, months, returns, rf: bit for bit
    assert back.kind == kind and back.provenance.vintage == "factorgym export"
    assert np.array_equal(back.returns.view(np.uint64), panel.returns.view(np.uint64))
    # pandas reads it as a plain tidy CSV once told about the comment lines
    frame = pd.read_csv(path, comment="#")
    assert list(frame.columns) == ["date", "A", "B,comma", 'C"quote', "RF"] and len(frame) == 36


def test_embedded_french_round_trip_is_exact(tmp_path):
    panel = load("french", universe="industries")
    back = load(write_csv(panel, tmp_path / "ind.csv"), units="decimal")
    assert back.content_hash == panel.content_hash and back.kind == "total"


def test_the_last_line_holds_row_count_and_checksum(tmp_path):
    data = write_csv(_panel(), tmp_path / "p.csv").read_bytes()
    lines = data.decode().splitlines()
    assert lines[0].startswith("# factorgym export v1: units=decimal kind=excess rf=RF;")
    assert lines[1] == 'date,A,"B,comma","C""quote",RF'
    body_end = data.rstrip(b"\n").rfind(b"\n") + 1
    digest = hashlib.sha256(data[:body_end]).hexdigest()
    assert lines[-1] == f"# end of factorgym export: rows=36 sha256={digest}"


def test_existing_file_needs_overwrite(tmp_path):
    target = tmp_path / "keep.csv"
    target.write_text("precious")
    with pytest.raises(OutputError, match=r"`path` must not exist unless overwriting is asked for"):
        write_csv(_panel(), target)
    assert target.read_text() == "precious"
    write_csv(_panel(), target, overwrite=True)
    assert load(target, units="decimal") == _panel()


def test_never_over_an_input_even_with_overwrite(tmp_path):
    path = write_csv(_panel(), tmp_path / "same.csv")
    before = path.read_bytes()
    panel = load(path, units="decimal", start="2001-01")
    assert panel.provenance.files == (str(path.resolve()),)
    with pytest.raises(OutputError, match=r"`path` must not be one of the inputs"):
        write_csv(panel, path, overwrite=True)
    ken = load(KENFRENCH_DIR / "F-F_Research_Data_Factors_to_201703.CSV")
    with pytest.raises(OutputError, match="must not be one of the inputs"):
        write_csv(ken, tmp_path / "other.csv", inputs=[tmp_path / "other.csv"])
    assert path.read_bytes() == before


def test_argument_errors(tmp_path):
    from factorgym import ConfigError

    with pytest.raises(ConfigError, match=r"`path` must be a path ending in .csv, got '.*p.txt'"):
        write_csv(_panel(), tmp_path / "p.txt")
    with pytest.raises(DataError, match="`panel` must be a factorgym.FactorPanel, got DataFrame"):
        write_csv(pd.DataFrame(), tmp_path / "p.csv")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="`overwrite` must be True or False, got 'yes'"):
        write_csv(_panel(), tmp_path / "p.csv", overwrite="yes")  # type: ignore[arg-type]
    clash = FactorPanel(
        np.zeros((3, 1)), 0.0, pd.period_range("2000-01", periods=3, freq="M"), ["RF"]
    )
    with pytest.raises(DataError, match=r"asset names must not be 'RF' or 'date'.*\['RF'\]"):
        write_csv(clash, tmp_path / "p.csv")
    assert not (tmp_path / "p.csv").exists()


def _export(tmp_path) -> Path:
    return write_csv(_panel(), tmp_path / "victim.csv")


def test_a_copy_cut_at_a_row_boundary_is_refused(tmp_path):
    data = _export(tmp_path).read_bytes()
    lines = data.split(b"\n")
    cut = tmp_path / "cut.csv"
    cut.write_bytes(b"\n".join(lines[:12]) + b"\n")  # first line, names, 10 whole rows
    with pytest.raises(
        DataError,
        match=r"cut.csv is a factorgym export cut short: its last line must be '# end of "
        r"factorgym export: rows=... sha256=...', but the file ends after 10 data rows",
    ):
        load(cut, units="decimal")


@pytest.mark.parametrize("fraction", [0.01, 0.3, 0.5, 0.77, 0.999])
def test_a_copy_cut_anywhere_is_refused(tmp_path, fraction):
    data = _export(tmp_path).read_bytes()
    cut = tmp_path / "cut.csv"
    cut.write_bytes(data[: max(int(len(data) * fraction), 1)])
    with pytest.raises(DataError, match="cut.csv is a factorgym export cut short"):
        load(cut, units="decimal")


def test_a_changed_value_or_dropped_row_is_refused(tmp_path):
    path = _export(tmp_path)
    text = path.read_text()
    lines = text.split("\n")
    changed = tmp_path / "changed.csv"
    first_row = lines[2].split(",")
    first_row[1] = "0.5"
    changed.write_text("\n".join([*lines[:2], ",".join(first_row), *lines[3:]]))
    with pytest.raises(
        DataError,
        match=r"changed.csv was changed after it was exported: it holds 36 data rows \(the export "
        r"wrote 36\) and its SHA-256 does not match",
    ):
        load(changed, units="decimal")
    dropped = tmp_path / "dropped.csv"
    dropped.write_text("\n".join([*lines[:5], *lines[6:]]))
    with pytest.raises(DataError, match=r"holds 35 data rows \(the export wrote 36\)"):
        load(dropped, units="decimal")
    crlf = tmp_path / "crlf.csv"
    crlf.write_bytes(text.replace("\n", "\r\n").encode())
    with pytest.raises(DataError, match="crlf.csv was changed after it was exported"):
        load(crlf, units="decimal")


def test_declared_units_and_kind_are_checked(tmp_path):
    path = _export(tmp_path)
    with pytest.raises(DataError, match=r"victim.csv is a factorgym export in units='decimal'"):
        load(path, units="percent")
    with pytest.raises(DataError, match=r"export of a kind='excess' panel, but kind='total'"):
        load(path, units="decimal", kind="total")
    assert load(path, units="decimal", kind="excess").kind == "excess"
    other = tmp_path / "v9.csv"
    other.write_bytes(path.read_bytes().replace(b"export v1:", b"export v9:", 1))
    with pytest.raises(DataError, match=r"v9.csv: unknown factorgym export header"):
        load(other, units="decimal")
