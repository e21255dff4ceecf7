"""report.html, summary.csv/json: content, self-containment, figures, overwrite protection, CLI."""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from exp_testing import run_cli
from matplotlib.figure import Figure
from PIL import Image

from factorgym.errors import ConfigError, DataError
from factorgym.evaluation import figures
from factorgym.evaluation.report import REPORT_FILES, analyze_run, write_report
from factorgym.evaluation.robustness import level_summary
from factorgym.evaluation.run_series import optional_table, run_view
from factorgym.experiments import load_run
from factorgym.experiments.units import BENCHMARK

IMG = re.compile(r'<img alt="([^"]*)" src="([^"]*)"')


def _images(page: str) -> dict[str, str]:
    return {alt: src for alt, src in IMG.findall(page)}


def assert_nontrivial_png(uri: str) -> None:
    """The image decodes, is a reasonable size and holds more than one colour."""
    assert uri.startswith("data:image/png;base64,")
    data = base64.b64decode(uri.split(",", 1)[1], validate=True)
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.format == "PNG"
    assert image.width >= 300 and image.height >= 200
    colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 50  # lines, text, fills: not a blank frame


@pytest.fixture(scope="module")
def regime_report(regime_run: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("report")
    files = write_report(regime_run, out, reps=200)
    return files, files.html.read_text(encoding="utf-8")


def test_report_files_are_written(regime_report) -> None:
    files, page = regime_report
    assert sorted(p.name for p in files.folder.iterdir()) == sorted(REPORT_FILES)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    doc = json.loads(files.json.read_text(), parse_constant=lambda c: pytest.fail(c))
    assert doc["format"] == "factorgym.report/1"
    assert doc["verdict"]["text"] in page.replace("&#x27;", "'")
    assert set(doc["agents"]) == {BENCHMARK, "fixed", "random", "trend"}
    assert doc["tests"]["n_trials"] == 4 and doc["tests"]["spa_pvalue"] is not None
    csv = pd.read_csv(files.csv, index_col=0)
    assert list(csv.index) == [BENCHMARK, "fixed", "random", "trend"]
    for col in ("sharpe", "sharpe_ci_low", "dsr", "sharpe_diff_p_holm", "significant"):
        assert col in csv.columns


def test_report_is_self_contained(regime_report) -> None:
    _, page = regime_report
    assert "<script" not in page.lower()
    assert not re.search(r"""(src|href)\s*=\s*["'](?!data:|#)""", page)
    assert "http://" not in page and "https://" not in page
    assert "@import" not in page and "url(" not in page


def test_every_embedded_image_is_a_real_figure(regime_report) -> None:
    _, page = regime_report
    images = _images(page)
    assert set(images) == {
        "wealth curves",
        "drawdowns",
        "weights over time",
        "regime probabilities",
        "cost sensitivity",
        "capacity curve",
        "attribution",
        "rolling",
    }
    for uri in images.values():
        assert_nontrivial_png(uri)


def test_report_sections_and_numbers(regime_run: Path, regime_report) -> None:
    _, page = regime_report
    for section in (
        "verdict",
        "summary",
        "performance",
        "significance",
        "wealth",
        "weights",
        "regimes",
        "subperiods",
        "costs",
        "capacity",
        "attribution",
        "monitoring",
        "forecasts",
        "folds",
    ):
        assert f'<section id="{section}">' in page
    assert "Decision rule." in page and "Holm-adjusted one-sided Ledoit-Wolf" in page
    assert "paper portfolio at scale" in page
    assert "Break-even AUM" in page and "Break-even cost multiplier" in page
    assert "Sharpe ratio by regime" in page and "Average executed weights by regime" in page
    assert "feature importance: the runner keeps no fitted forecaster" in page
    data = analyze_run(load_run(regime_run), reps=200)
    assert f"{data.significance.table.loc['trend', 'sharpe']:.2f}" in page


def test_report_without_replay_tables_says_so(tiny_run: Path, tmp_path: Path) -> None:
    files = write_report(tiny_run, tmp_path / "r", reps=50)
    page = files.html.read_text(encoding="utf-8")
    assert "the run has no capacity table" in page and "--replay" in page
    assert "the run has no cost-sensitivity table" in page
    assert "capacity curve" not in _images(page)
    assert "the run recorded no regime probabilities" in page
    for uri in _images(page).values():
        assert_nontrivial_png(uri)
    doc = json.loads(files.json.read_text())
    assert doc["agents"]["random"]["break_even_aum"] == "n/a (no replay table)"


def test_an_existing_report_is_not_overwritten(tiny_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "r"
    write_report(tiny_run, out, reps=20)
    before = (out / "report.html").read_bytes()
    with pytest.raises(ConfigError, match=r"already holds a report \(report.html, summary.csv"):
        write_report(tiny_run, out, reps=20)
    assert (out / "report.html").read_bytes() == before
    (out / "report.html").unlink()
    with pytest.raises(ConfigError, match=r"already holds a report \(summary.csv"):
        write_report(tiny_run, out, reps=20)
    files = write_report(tiny_run, out, reps=20, force=True)
    assert files.html.exists()
    assert not list(out.glob(".*.tmp"))


def test_a_damaged_or_unfinished_run_is_refused(tiny_run: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(tiny_run, copy, ignore=shutil.ignore_patterns("report"))
    table = copy / "tables" / "returns.parquet"
    table.write_bytes(table.read_bytes()[:-20])
    with pytest.raises(DataError, match="does not match its recorded SHA-256"):
        write_report(copy, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    with pytest.raises(DataError, match="results file missing"):
        write_report(tmp_path / "nothing")


def test_figures_refuse_to_embed_an_empty_frame() -> None:
    fig = Figure()
    fig.add_subplot().plot([], [])
    assert not figures.has_data(fig)
    with pytest.raises(DataError, match="refusing to embed a figure without data"):
        figures.png_data_uri(fig)
    one_point = Figure()
    one_point.add_subplot().plot([1.0], [2.0])
    assert not figures.has_data(one_point)


def test_every_figure_function_draws_data(regime_run: Path) -> None:
    results = load_run(regime_run)
    view = run_view(results)
    cap = level_summary(optional_table(results, "capacity"))  # type: ignore[arg-type]
    built = {
        "wealth": figures.wealth_figure(view),
        "drawdown": figures.drawdown_figure(view),
        "weights": figures.weights_figure(view, [BENCHMARK, *view.agents]),
        "regimes": figures.regime_figure(view),
        "capacity": figures.capacity_figure(cap, view),
    }
    for name, fig in built.items():
        assert fig is not None, name
        assert figures.has_data(fig), name
        axes = [ax for ax in fig.get_axes() if ax.get_visible()]
        assert all(ax.get_xlabel() or ax.get_title() for ax in axes), name
        assert_nontrivial_png(figures.png_data_uri(fig))
    from factorgym.evaluation.attribution import asset_excess_returns, return_attribution
    from factorgym.evaluation.run_series import run_panel

    att = return_attribution(view, asset_excess_returns(run_panel(results.manifest)))
    fig = figures.attribution_figure(att, view.assets, frame_without=["trend"])
    assert fig is not None and figures.has_data(fig)
    lo, hi = fig.get_axes()[0].get_xlim()
    assert lo < 0.0 < hi
    assert_nontrivial_png(figures.png_data_uri(fig))
    assert figures.weights_figure(view, []) is None
    assert figures.capacity_figure(cap.iloc[:0], view) is None


def test_cli_report_with_replay(tiny_run: Path, tmp_path: Path) -> None:
    copy = tmp_path / "run"
    shutil.copytree(tiny_run, copy, ignore=shutil.ignore_patterns("report"))
    proc = run_cli("report", str(copy), "--replay", "--reps", "50", timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("verdict: No agent beats 1/N after the same costs")
    assert f"report:  {copy / 'report' / 'report.html'}" in proc.stdout
    assert "warning" not in proc.stderr.lower() and "findfont" not in proc.stderr
    page = (copy / "report" / "report.html").read_text(encoding="utf-8")
    images = _images(page)
    assert "capacity curve" in images and "cost sensitivity" in images
    assert "drift is measured on the assets' returns" not in page  # features were rebuilt
    again = run_cli("report", str(copy), timeout=300)
    assert again.returncode == 2
    assert "already holds a report" in again.stderr and "--force" in again.stderr


def test_cli_refuses_a_missing_run(tmp_path: Path) -> None:
    proc = run_cli("report", str(tmp_path / "missing"), timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.startswith("factorgym: error: results file missing")


@pytest.mark.slow
def test_tearsheets_are_written_quietly_and_offline(tiny_run: Path, tmp_path: Path) -> None:
    copy = tmp_path / "run"
    shutil.copytree(tiny_run, copy, ignore=shutil.ignore_patterns("report"))
    proc = run_cli("report", str(copy), "--tearsheets", "--reps", "20", timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # no font or other warnings reach the user
    assert "findfont" not in proc.stdout
    sheets = sorted((copy / "report" / "tearsheets").glob("*.html"))
    assert [p.name for p in sheets] == ["fixed.html", "random.html", "trend.html"]
    page = sheets[1].read_text(encoding="utf-8")
    assert "random vs 1/N" in page
    assert "qtpylib.io" not in page and '<link rel="icon" href="data:,">' in page


def test_level_summary_matches_the_capacity_table_at_the_runs_aum(regime_run: Path) -> None:
    results = load_run(regime_run)
    view = run_view(results)
    cap = level_summary(optional_table(results, "capacity"))  # type: ignore[arg-type]
    from factorgym.evaluation.metrics import sharpe_ratio

    direct = float(sharpe_ratio(view.net["trend"], rf=view.rf))
    np.testing.assert_allclose(cap.loc[(1e8, "trend"), "sharpe"], direct, rtol=1e-10)


def test_ledger_trials_without_returns_are_still_counted(tiny_run: Path) -> None:
    import dataclasses

    results = load_run(tiny_run)
    base = analyze_run(results, reps=20)
    extra = results.ledger.loc[results.ledger["agent"] == "trend"].head(1).assign(seed=9)
    more = dataclasses.replace(results, ledger=pd.concat([results.ledger, extra]))
    data = analyze_run(more, reps=20)
    assert data.significance.n_trials == base.significance.n_trials + 1 == 5
    assert any("lists 1 contender agent x seed trial" in n for n in data.notes["significance"])
    # a non-contender's ledger rows never count
    fixed = results.ledger.loc[results.ledger["agent"] == "fixed"].head(1).assign(seed=9)
    same = analyze_run(dataclasses.replace(results, ledger=pd.concat([results.ledger, fixed])))
    assert same.significance.n_trials == 4
