"""The run directory of the runner: creating it, committing units, assembling the tables.

The file formats and their verification are :mod:`factorgym.experiments.results_store`'s; this
module decides what goes where during a run (see the layout there).
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import platform
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from factorgym._files import remove_stale_temps
from factorgym._version import __version__
from factorgym.errors import DataError, OutputError
from factorgym.experiments.results_store import (
    MANIFEST,
    atomic_write_bytes,
    read_json,
    read_table,
    sha256_bytes,
    unit_paths,
    write_json,
    write_table,
)
from factorgym.experiments.units import BENCHMARK, UnitResult
from factorgym.panel import FactorPanel

if TYPE_CHECKING:
    from factorgym.experiments.config import ExperimentConfig
    from factorgym.experiments.runner import ExperimentPlan

__all__ = [
    "assemble",
    "clean_temporaries",
    "data_record",
    "default_run_dir",
    "now",
    "package_versions",
    "prepare_run_dir",
    "read_unit",
    "read_unit_replay",
    "store_unit",
    "unit_done",
]

_VERSIONED = (
    "factorgym",
    "numpy",
    "pandas",
    "scipy",
    "scikit-learn",
    "gymnasium",
    "stable-baselines3",
    "sb3-contrib",
    "torch",
    "hmmlearn",
    "skfolio",
    "pyarrow",
    "joblib",
    "threadpoolctl",
    "ray",
)


def now() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def package_versions() -> dict[str, str | None]:
    """Versions of Python and of the packages results depend on."""
    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in _VERSIONED:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = None
    out["factorgym"] = __version__
    return out


def data_record(panel: FactorPanel) -> dict[str, Any]:
    """The data's content hash, period, assets, kind and provenance (for the manifest)."""
    prov = panel.provenance
    return {
        "content_hash": panel.content_hash,
        "start": str(panel.start),
        "end": str(panel.end),
        "n_months": panel.n_months,
        "assets": list(panel.assets),
        "kind": panel.kind,
        "provenance": {
            "source": prov.source,
            "vintage": prov.vintage,
            "units_converted": prov.units_converted,
            "rf_source": prov.rf_source,
            "notes": prov.notes,
        },
    }


def default_run_dir(config: ExperimentConfig) -> Path:
    """``output.directory/NAME-YYYYMMDD-HHMMSS`` (with a suffix if it exists)."""
    base = Path(config.output.directory).expanduser()
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    candidate = base / f"{config.name}-{stamp}"
    i = 2
    while candidate.exists():
        candidate = base / f"{config.name}-{stamp}-{i}"
        i += 1
    return candidate


def prepare_run_dir(run_dir: Path, overwrite: bool) -> None:
    """Create ``run_dir``; replace an existing run only with ``overwrite`` (never other folders)."""
    if run_dir.exists():
        if not overwrite:
            raise OutputError(
                f"`--out` {str(run_dir)!r} already exists; pass --overwrite to replace it, or "
                f"--resume {run_dir} to finish the run in it"
            )
        if not run_dir.is_dir():
            raise OutputError(f"`--out` {str(run_dir)!r} is a file, not a run directory")
        if any(run_dir.iterdir()) and not (run_dir / MANIFEST).is_file():
            raise OutputError(
                f"`--out` {str(run_dir)!r} is not empty and holds no {MANIFEST}: it is not a "
                "factorgym run directory, refusing to delete it"
            )
        shutil.rmtree(run_dir)
    try:
        run_dir.mkdir(parents=True)
    except OSError as exc:
        raise OutputError(
            f"`--out` {str(run_dir)!r} cannot be created: {exc.strerror or exc}"
        ) from exc


def clean_temporaries(run_dir: Path) -> list[Path]:
    """Remove temporary files a killed run left behind (never a committed file).

    Uses the one rule of :func:`factorgym._files.remove_stale_temps` (ours, and its writer is no
    longer running) in every folder of the run.
    """
    removed = []
    for folder in [run_dir, *sorted(p for p in run_dir.rglob("*") if p.is_dir())]:
        removed.extend(remove_stale_temps(folder))
    return removed


# ---------------------------------------------------------------------- units
def store_unit(run_dir: Path, result: UnitResult) -> None:
    """Commit one unit: model files, its months (Parquet), then its commit record (last)."""
    fold, agent, seed = result.key
    records_path, commit_path, models_dir = unit_paths(run_dir, fold, agent, seed)
    models = {}
    for rel, data in sorted(result.model_files.items()):
        atomic_write_bytes(models_dir / rel, data)
        models[rel] = sha256_bytes(data)
    sha = write_table(result.records, records_path)
    replay = {}
    for name, frame in sorted(result.replay.items()):
        path = records_path.with_suffix(f".{name}.parquet")
        replay[name] = {"path": str(path.relative_to(run_dir)), "sha256": write_table(frame, path)}
    write_json(
        commit_path,
        {
            "fold": fold,
            "agent": agent,
            "seed": seed,
            "records": {"path": str(records_path.relative_to(run_dir)), "sha256": sha},
            "replay": replay,
            "ledger": result.ledger,
            "models": models,
            "seconds": round(result.seconds, 3),
            "finished_at": now(),
        },
    )


def unit_done(run_dir: Path, key: tuple[int, str, int]) -> bool:
    """Whether the unit has a commit record."""
    _, commit_path, _ = unit_paths(run_dir, *key)
    return commit_path.is_file()


def read_unit(run_dir: Path, key: tuple[int, str, int]) -> tuple[pd.DataFrame, dict[str, Any]]:
    """A committed unit's months (hash-verified) and its ledger row."""
    commit = _commit(run_dir, key)
    entry = commit["records"]
    return read_table(run_dir / entry["path"], entry["sha256"]), commit["ledger"]


def read_unit_replay(run_dir: Path, key: tuple[int, str, int]) -> dict[str, pd.DataFrame]:
    """A committed unit's replay tables (hash-verified; empty if it has none)."""
    replay = _commit(run_dir, key).get("replay", {})
    return {name: read_table(run_dir / e["path"], e["sha256"]) for name, e in replay.items()}


def _commit(run_dir: Path, key: tuple[int, str, int]) -> dict[str, Any]:
    _, commit_path, _ = unit_paths(run_dir, *key)
    commit = read_json(commit_path)
    if (
        not isinstance(commit, dict)
        or not isinstance(commit.get("records"), dict)
        or "ledger" not in commit
        or not isinstance(commit.get("replay", {}), dict)
    ):
        raise DataError(f"unit record {str(commit_path)!r} is damaged (missing fields)")
    return commit


# ---------------------------------------------------------------------- assembly
def assemble(run_dir: Path, plan: ExperimentPlan) -> dict[str, dict[str, Any]]:
    """Write the returns, ledger and folds tables from the unit files, in the plan's order."""
    order = {BENCHMARK: 0} | {a.name: i + 1 for i, a in enumerate(plan.config.agents)}
    parts = []
    ledger_rows = []
    replay_parts: dict[str, list[pd.DataFrame]] = {}
    for task in plan.tasks:
        frame, ledger = read_unit(run_dir, task.key)
        parts.append(frame)
        ledger_rows.append(ledger)
        for name, table in read_unit_replay(run_dir, task.key).items():
            replay_parts.setdefault(name, []).append(table)
    returns = pd.concat(parts, ignore_index=True)
    returns.insert(
        3, "month", pd.PeriodIndex(pd.to_datetime(returns["date"]), freq="M").astype(str)
    )
    bench = returns.loc[returns["agent"] == BENCHMARK, ["fold", "path", "month", "net_return"]]
    bench = bench.rename(columns={"net_return": "benchmark_net_return"})
    returns = returns.merge(bench, on=["fold", "path", "month"], how="left", validate="m:1")
    returns["_order"] = returns["agent"].map(order)
    returns = returns.sort_values(
        ["_order", "seed", "path", "month", "fold"], kind="mergesort"
    ).drop(columns="_order")
    returns = returns.reset_index(drop=True)
    ledger = pd.DataFrame(ledger_rows)
    ledger.insert(0, "experiment_hash", plan.config.experiment_hash)
    folds = pd.DataFrame([row for fe in plan.folds for row in fe.windows()])
    named = [("returns", returns), ("ledger", ledger), ("folds", folds)]
    named += [(k, pd.concat(v, ignore_index=True)) for k, v in sorted(replay_parts.items())]
    tables = {}
    for name, frame in named:
        rel = f"tables/{name}.parquet"
        sha = write_table(frame, run_dir / rel)
        tables[name] = {"path": rel, "sha256": sha, "rows": len(frame)}
    return tables
