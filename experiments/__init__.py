"""Purged splits, experiment configs, the resumable runner and the results store.

>>> from factorgym.experiments import load_config, run_experiment, load_run
>>> config = load_config("quick")                        # a shipped config, or a .toml path
>>> results = run_experiment(config)                     # doctest: +SKIP
>>> results.returns.groupby("agent").net_return.mean()   # doctest: +SKIP
"""

from __future__ import annotations

if __name__ != "factorgym.experiments":  # experiments/ is not a package of its own
    raise ImportError(f"import factorgym.experiments, not {__name__} (one import path per module)")

from factorgym.experiments.combinatorial_purged_cv import CombinatorialPurgedCV
from factorgym.experiments.config import (
    AgentConfig,
    DataConfig,
    ExperimentConfig,
    FeaturesConfig,
    OutputConfig,
    RunnerConfig,
    SplitConfig,
    load_config,
    parse_config,
    shipped_configs,
)
from factorgym.experiments.folds import Fold
from factorgym.experiments.purged_walk_forward import PurgedWalkForward
from factorgym.experiments.results_store import RunResults, load_run
from factorgym.experiments.runner import plan_experiment, resume_experiment, run_experiment
from factorgym.experiments.summary import summarize

__all__ = [
    "AgentConfig",
    "CombinatorialPurgedCV",
    "DataConfig",
    "ExperimentConfig",
    "FeaturesConfig",
    "Fold",
    "OutputConfig",
    "PurgedWalkForward",
    "RunResults",
    "RunnerConfig",
    "SplitConfig",
    "load_config",
    "load_run",
    "parse_config",
    "plan_experiment",
    "resume_experiment",
    "run_experiment",
    "shipped_configs",
    "summarize",
]
