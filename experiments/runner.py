"""The experiment runner: every agent x seed on every fold, out of sample, resumable.

For every fold the runner builds the train / validation / test env specs
(:mod:`~factorgym.experiments.fold_envs`) from point-in-time features
(:mod:`~factorgym.experiments.feature_pipeline`), fits each agent with each seed on the training
window (the validation window goes to ``fit`` for early stopping and is scored for the trial
ledger), then runs it through the fold's test env; the 1/N benchmark runs through the same test
env and pays the same costs. The out-of-sample months of each agent x seed are stitched across
folds into one series (one per backtest path with CPCV).

Each (fold, agent, seed) unit is committed to the run directory as soon as it finishes
(:mod:`~factorgym.experiments.results_store`); :func:`resume_experiment` runs only the units
without a valid commit, and the final tables are assembled from the unit files in a fixed order,
so a run killed at any point and resumed gives the same tables as an uninterrupted run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from factorgym.errors import ConfigError, DataError, NotFittedError
from factorgym.experiments.agent_registry import build_allocator
from factorgym.experiments.backends import check_backend, execute
from factorgym.experiments.config import ExperimentConfig, parse_config, prefixed
from factorgym.experiments.feature_pipeline import compute_features
from factorgym.experiments.fold_envs import FoldEnvs, earnable_months, fold_envs
from factorgym.experiments.results_store import (
    MANIFEST,
    RunResults,
    atomic_write_bytes,
    load_run,
    read_manifest,
    write_manifest,
)
from factorgym.experiments.run_directory import (
    assemble,
    clean_temporaries,
    data_record,
    default_run_dir,
    now,
    package_versions,
    prepare_run_dir,
    read_unit,
    store_unit,
    unit_done,
)
from factorgym.experiments.units import UnitResult, UnitTask
from factorgym.feature_cache import FeatureCache
from factorgym.panel import FactorPanel

__all__ = [
    "ExperimentPlan",
    "ProgressEvent",
    "plan_experiment",
    "resume_experiment",
    "run_experiment",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProgressEvent:
    """A progress report of the runner.

    Attributes
    ----------
    kind : {"planned", "unit", "assembled", "report"}
        ``planned``: units are known (``total``, ``done`` already finished by an earlier run);
        ``unit``: one more unit finished (``key``, ``seconds``); ``assembled``: tables written;
        ``report``: the report was written (``message`` = its path) or not (``message`` = why).
    total, done : int
        Units in the run, units finished so far.
    key : (int, str, int), optional
        ``(fold, agent, seed)`` of the unit just finished.
    seconds : float
        Its wall time.
    n_folds : int
    """

    kind: str
    total: int
    done: int
    key: tuple[int, str, int] | None = None
    seconds: float = 0.0
    n_folds: int = 0
    message: str = ""


ProgressCallback = Callable[[ProgressEvent], None]


@dataclass(frozen=True, eq=False)
class ExperimentPlan:
    """Everything a run needs, validated, before anything is written.

    Attributes
    ----------
    config : ExperimentConfig
    panel : FactorPanel
    features : dict of str to DataFrame
    earnable : PeriodIndex
        Months an env can earn (the samples the splitter splits).
    folds : tuple of FoldEnvs
    tasks : tuple of UnitTask
        In the fixed order of the tables: fold, then the benchmark and the agents in config
        order, then seeds.
    """

    config: ExperimentConfig
    panel: FactorPanel
    features: dict[str, pd.DataFrame]
    earnable: pd.PeriodIndex
    folds: tuple[FoldEnvs, ...]
    tasks: tuple[UnitTask, ...]


def _feature_cache(config: ExperimentConfig) -> FeatureCache:
    folder = config.output.feature_cache
    if folder is None:
        folder = str(Path(config.output.directory) / "feature-cache")
    return FeatureCache(Path(folder).expanduser())


def _precheck_sizes(config: ExperimentConfig, n_months: int) -> None:
    """Refuse split sizes the panel cannot hold, before any feature is computed."""
    p = config.splits.params
    if config.splits.method == "walk_forward":
        need = int(p["train_size"]) + int(p.get("purge", 1)) + 1
        if need > n_months - 1:
            raise ConfigError(
                f"`splits.train_size` must leave test months: train_size + purge + 1 = {need} "
                f"months, but the data hold {n_months} months ({config.data.start or 'start'}.."
                f"{config.data.end or 'end'}), got train_size={p['train_size']}"
            )
    else:
        g = int(p["n_groups"])
        per = int(p.get("purge", 1)) + int(p.get("embargo", 0)) + int(p.get("validation_size", 0))
        if g * (per + 1) > n_months - 1:
            raise ConfigError(
                f"`splits.n_groups` must leave groups longer than purge + embargo + "
                f"validation_size ({per}) in {n_months} months, got n_groups={g}"
            )


def _check_env_fit(allocator: Any, spec: Any, name: str) -> None:
    check = getattr(allocator, "check_env", None)
    if check is None:
        return
    try:
        check(spec())
    except NotFittedError:  # it checks against what it learned: run_allocator does, after fit
        return
    except ConfigError as exc:
        raise ConfigError(f"`agents.{name}`: {exc}") from exc


def plan_experiment(config: ExperimentConfig) -> ExperimentPlan:
    """Load the data, validate the agents, compute the features and build every fold's envs.

    Nothing is written except feature frames to the feature cache.

    Raises
    ------
    ConfigError
        For anything in the config the data, the splitter, the env or an allocator refuses
        (naming the key path).
    """
    panel = config.data.load()
    allocators = {a.name: build_allocator(a) for a in config.agents}
    _precheck_sizes(config, panel.n_months)
    features = compute_features(panel, config.features, _feature_cache(config))
    try:
        earnable = earnable_months(panel, features, config.env)
    except ConfigError as exc:
        raise prefixed(exc, "env") from exc
    splitter = config.splits.splitter()
    try:
        folds = list(splitter.folds(np.arange(len(earnable))))
    except DataError as exc:
        raise ConfigError(
            f"`splits`: {exc} (the data give {len(earnable)} earnable months, "
            f"{earnable[0]}..{earnable[-1]}, after the features' warm-up)"
        ) from exc
    try:
        envs = tuple(
            fold_envs(panel, features, config.env, f, earnable, normalize=config.normalize)
            for f in folds
        )
    except ConfigError as exc:
        raise prefixed(exc, "env") from exc
    for name, allocator in allocators.items():
        _check_env_fit(allocator, envs[0].train, name)
    save = config.output.save_models
    replay = config.output.replay
    tasks: list[UnitTask] = []
    for fe in envs:
        tasks.append(UnitTask(fe.fold.index, None, 0, fe, save_model=False, replay=replay))
        for agent in config.agents:
            for seed in config.seeds_of(agent):
                tasks.append(
                    UnitTask(fe.fold.index, agent, seed, fe, save_model=save, replay=replay)
                )
    return ExperimentPlan(config, panel, features, earnable, envs, tuple(tasks))


def config_document(config: ExperimentConfig) -> dict[str, Any]:
    """A document :func:`parse_config` turns back into the same experiment (same hash)."""
    exp = config.experiment_dict()
    exp["env"] = {k: v for k, v in exp["env"].items() if k not in ("window", "normalize_window")}
    return {
        "name": config.name,
        "description": config.description,
        **exp,
        "output": {k: v for k, v in config.output.to_dict().items() if v is not None},
        "runner": {k: v for k, v in config.runner.to_dict().items() if v is not None},
    }


# ---------------------------------------------------------------------- entry points
def _execute(
    run_dir: Path,
    plan: ExperimentPlan,
    manifest: dict[str, Any],
    progress: ProgressCallback | None,
) -> RunResults:
    pending = [t for t in plan.tasks if not unit_done(run_dir, t.key)]
    for task in plan.tasks:  # refuse a damaged commit before doing any work
        if unit_done(run_dir, task.key):
            read_unit(run_dir, task.key)
    total = len(plan.tasks)
    done = total - len(pending)
    n_folds = len(plan.folds)
    if progress is not None:
        progress(ProgressEvent("planned", total, done, n_folds=n_folds))

    def on_result(result: UnitResult) -> None:
        nonlocal done
        store_unit(run_dir, result)
        done += 1
        if progress is not None:
            progress(ProgressEvent("unit", total, done, result.key, result.seconds, n_folds))

    runner = plan.config.runner
    execute(
        pending, on_result, backend=runner.backend, jobs=runner.jobs, ray_address=runner.ray_address
    )
    manifest["tables"] = assemble(run_dir, plan)
    manifest["status"] = "complete"
    manifest["finished_at"] = now()
    write_manifest(run_dir, manifest)
    if progress is not None:
        progress(ProgressEvent("assembled", total, done, n_folds=n_folds))
    results = load_run(run_dir)
    _ensure_report(results, plan.config, progress)
    return results


REPORT_FILES = ("report.html", "summary.csv", "summary.json")


def _ensure_report(
    results: RunResults, config: ExperimentConfig, progress: ProgressCallback | None
) -> None:
    """Write ``RUN_DIR/report`` unless the config turns it off or it is already complete.

    The report folder belongs to the run, so an incomplete one (a run killed while writing
    it) is rewritten. A run too short for the statistics (``DataError``) keeps its tables and
    gets no report; the reason is logged and passed on as a ``"report"`` progress event.
    """
    if not config.output.report:
        return
    folder = results.run_dir / "report"
    if all((folder / name).is_file() for name in REPORT_FILES):
        return
    from factorgym.evaluation.report import write_report

    try:
        write_report(results.run_dir, results=results, force=True)
    except DataError as exc:
        logger.warning("no report for %s: %s", results.run_dir, exc)
        if progress is not None:
            progress(ProgressEvent("report", 0, 0, message=f"no report: {exc}"))
        return
    if progress is not None:
        progress(ProgressEvent("report", 0, 0, message=str(folder / "report.html")))


def run_experiment(
    config: ExperimentConfig,
    *,
    run_dir: str | Path | None = None,
    overwrite: bool = False,
    progress: ProgressCallback | None = None,
    plan: ExperimentPlan | None = None,
) -> RunResults:
    """Run an experiment into a new run directory.

    Parameters
    ----------
    config : ExperimentConfig
    run_dir : path, optional
        The run directory (default: ``output.directory/NAME-YYYYMMDD-HHMMSS``). It must not
        exist unless ``overwrite``.
    overwrite : bool
        Replace an existing run directory (only one that holds a run manifest, or is empty).
    progress : callable, optional
        Receives a :class:`ProgressEvent` at each step.
    plan : ExperimentPlan, optional
        A plan made by :func:`plan_experiment` for this config (else made here).

    Returns
    -------
    RunResults
        The verified tables.

    Raises
    ------
    ConfigError
        For an invalid config (nothing is written) or an existing run directory.
    """
    check_backend(config.runner.backend)
    if plan is None:
        plan = plan_experiment(config)
    elif plan.config is not config:
        raise ConfigError("`plan` must be the plan of `config`")
    target = default_run_dir(config) if run_dir is None else Path(run_dir).expanduser()
    prepare_run_dir(target, overwrite)
    if config.source is not None and Path(config.source).is_file():
        atomic_write_bytes(target / "config.toml", Path(config.source).read_bytes())
    manifest: dict[str, Any] = {
        "run_id": target.name,
        "status": "running",
        "experiment_hash": config.experiment_hash,
        "config": config.to_dict(),
        "config_document": config_document(config),
        "data": data_record(plan.panel),
        "seeds": {a.name: list(config.seeds_of(a)) for a in config.agents},
        "units": len(plan.tasks),
        "folds": len(plan.folds),
        "earnable": [str(plan.earnable[0]), str(plan.earnable[-1])],
        "versions": package_versions(),
        "started_at": now(),
        "resumed_at": [],
    }
    write_manifest(target, manifest)
    return _execute(target, plan, manifest, progress)


def resume_experiment(
    run_dir: str | Path,
    *,
    config: ExperimentConfig | None = None,
    runner: dict[str, Any] | None = None,
    progress: ProgressCallback | None = None,
) -> RunResults:
    """Finish a run: run the units without a valid commit, then assemble the tables.

    Parameters
    ----------
    run_dir : path
        A run directory written by :func:`run_experiment`.
    config : ExperimentConfig, optional
        Must describe the same experiment as the run's manifest (default: the manifest's).
    runner : dict, optional
        ``[runner]`` settings for this session (``jobs``, ``backend``, ``ray_address``).
    progress : callable, optional

    Raises
    ------
    DataError
        If the manifest or a committed unit is damaged, or the data changed since the run began.
    ConfigError
        If ``config`` describes another experiment.
    """
    root = Path(run_dir).expanduser()
    if runner and runner.get("backend") is not None:
        check_backend(runner["backend"])
    if not (root / MANIFEST).is_file():
        raise ConfigError(f"`--resume` {str(root)!r} holds no {MANIFEST}: not a factorgym run")
    manifest = read_manifest(root)
    doc = dict(manifest["config_document"])
    if runner:
        doc["runner"] = {k: v for k, v in runner.items() if v is not None}
    stored = parse_config(doc, name=str(doc.get("name", "experiment")))
    if config is not None and config.experiment_hash != manifest["experiment_hash"]:
        raise ConfigError(
            f"`CONFIG` describes another experiment than the run in {str(root)!r} (hash "
            f"{config.experiment_hash[:12]} != {manifest['experiment_hash'][:12]}); resume "
            "without CONFIG, or start a new run"
        )
    if stored.experiment_hash != manifest["experiment_hash"]:
        raise DataError(f"{str(root / MANIFEST)!r}: its config does not match its hash")
    plan = plan_experiment(stored)
    if plan.panel.content_hash != manifest["data"]["content_hash"]:
        raise DataError(
            f"the data changed since the run in {str(root)!r} began (content hash "
            f"{plan.panel.content_hash[:12]} != {manifest['data']['content_hash'][:12]}); "
            "refusing to mix them"
        )
    if manifest.get("status") == "complete":
        results = load_run(root)
        _ensure_report(results, stored, progress)
        return results
    clean_temporaries(root)
    manifest["resumed_at"] = list(manifest.get("resumed_at", [])) + [now()]
    write_manifest(root, manifest)
    return _execute(root, plan, manifest, progress)
