"""Optional quantstats tear sheets: one HTML file per agent, its net returns against 1/N's.

quantstats draws with pyplot and asks for fonts the machine may not have (its "Arial" gives
one ``findfont`` log line per figure); here it runs on the Agg backend with those log lines and
its warnings held back, the figures it opened are closed afterwards, and the one external link
of its page (a favicon URL) is replaced by an inline empty icon, so the file opens offline.
Each file is written atomically. The tear sheets are a familiar second view; the report's
numbers (Sharpe of returns over rf, the tests) are the official ones -- here rf is not
subtracted.
"""

from __future__ import annotations

import contextlib
import logging
import re
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from factorgym.evaluation.run_series import RunView
from factorgym.experiments.results_store import atomic_write_bytes

__all__ = ["write_tearsheets"]

_EXTERNAL_ICON = re.compile(r'<link[^>]*rel="(?:shortcut )?icon"[^>]*>', re.IGNORECASE)


@contextlib.contextmanager
def _quiet_agg() -> Iterator[None]:
    """Pyplot on Agg, font-lookup log lines and warnings held back, new figures closed."""
    from matplotlib import pyplot as plt

    font_log = logging.getLogger("matplotlib.font_manager")
    level = font_log.level
    backend = plt.get_backend()
    before = set(plt.get_fignums())
    font_log.setLevel(logging.ERROR)
    plt.switch_backend("agg")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for num in set(plt.get_fignums()) - before:
            plt.close(num)
        font_log.setLevel(level)
        if backend.lower() != "agg":
            with contextlib.suppress(Exception):  # an interactive backend may be unavailable
                plt.switch_backend(backend)


def _safe_name(agent: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", agent) or "agent"


def write_tearsheets(view: RunView, folder: Path, *, periods_per_year: int = 12) -> list[Path]:
    """A quantstats tear sheet of every agent against 1/N, written to ``folder/AGENT.html``.

    Parameters
    ----------
    view : RunView
    folder : Path
        Created if missing; existing files of the same names are replaced (the caller
        checks ``--force``).
    periods_per_year : int

    Returns
    -------
    list of Path
        The files written.
    """
    with _quiet_agg():
        import quantstats as qs

        index = view.months.to_timestamp(how="end").normalize()
        bench = pd.Series(view.benchmark.to_numpy(), index=index, name="1/N")
        out = []
        for agent in view.agents:
            series = pd.Series(view.net[agent].to_numpy(), index=index, name=agent)
            with tempfile.TemporaryDirectory(prefix="factorgym-tearsheet-") as tmp:
                path = Path(tmp) / "sheet.html"
                qs.reports.html(
                    series,
                    benchmark=bench,
                    rf=0.0,
                    title=f"{agent} vs 1/N (net of costs, out of sample)",
                    output=str(path),
                    periods_per_year=periods_per_year,
                    download_filename=f"{_safe_name(agent)}.html",
                )
                page = path.read_text(encoding="utf-8")
            page = _EXTERNAL_ICON.sub('<link rel="icon" href="data:,">', page)
            target = folder / f"{_safe_name(agent)}.html"
            atomic_write_bytes(target, page.encode("utf-8"))
            out.append(target)
    return out
