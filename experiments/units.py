"""One unit of work: fit one agent with one seed on one fold, then run it through the test env.

A :class:`UnitTask` carries everything the unit needs (the fold's env specs, the agent's kind and
hyper-parameters, the seed), so it runs the same in this process, in a joblib worker or in a Ray
task on another machine; :func:`run_unit` returns the unit's results as data (tables and model
file bytes) and writes nothing: the driver stores them.

Every unit runs with one BLAS/OpenMP thread (threadpoolctl) and one torch thread, so that it
does not oversubscribe the cores shared with the other workers and its sums are taken in the
same order wherever it runs.
"""

from __future__ import annotations

import importlib
import json
import math
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from factorgym.envs.env_spec import EnvSpec
from factorgym.errors import ConfigError
from factorgym.experiments.agent_registry import build_allocator
from factorgym.experiments.config import AgentConfig
from factorgym.experiments.feature_pipeline import REGIME_BLOCK
from factorgym.experiments.fold_envs import FoldEnvs
from factorgym.experiments.replay import replay_unit

__all__ = [
    "BENCHMARK",
    "EqualWeightBenchmark",
    "UnitResult",
    "UnitTask",
    "annualised_sharpe",
    "run_unit",
]

#: Agent label of the 1/N benchmark unit run on every fold.
BENCHMARK = "benchmark_1n"
_ROLLOUT = "factorgym.agents.rollout"


def annualised_sharpe(excess: np.ndarray, periods_per_year: int = 12) -> float:
    """``mean / std * sqrt(periods_per_year)`` of excess returns (``ddof=1``); NaN if undefined.

    Sharpe (1966, 1994); annualised by ``sqrt(periods_per_year)`` as in Lo (2002), eq. 5 for
    i.i.d. returns.
    """
    x = np.asarray(excess, dtype=np.float64)
    if x.size < 2:
        return float("nan")
    sd = float(np.std(x, ddof=1))
    if not sd > 0.0:
        return float("nan")
    return float(np.mean(x)) / sd * math.sqrt(periods_per_year)


class EqualWeightBenchmark:
    """The benchmark of every agent: fixed benchmark weights (default 1/N), rebalanced monthly.

    It runs through the same test env as the agents, so it pays the same costs and impact.
    It implements the Allocator protocol (``output="weights"``) and has nothing to fit.
    """

    name = BENCHMARK
    output = "weights"
    contender = False

    def __init__(self) -> None:
        self._weights: np.ndarray | None = None

    @property
    def params(self) -> dict[str, Any]:
        """No parameters."""
        return {}

    def fit(
        self,
        train_env_factory: EnvSpec,
        *,
        validation_env_factory: EnvSpec | None = None,
        seed: int | None = None,
    ) -> EqualWeightBenchmark:
        """Read the benchmark weights of the spec (its config's, or 1/N)."""
        n = train_env_factory.panel.n_assets
        bw = train_env_factory.config.benchmark_weights
        self._weights = np.full(n, 1.0 / n) if bw is None else np.asarray(bw, dtype=np.float64)
        return self

    def act(self, obs: np.ndarray, info: Mapping[str, Any]) -> np.ndarray:
        """The benchmark weights."""
        if self._weights is None:
            raise ConfigError("EqualWeightBenchmark: call fit() before act()")
        return self._weights.copy()


@dataclass(frozen=True, eq=False)
class UnitTask:
    """Everything one (fold, agent, seed) unit needs.

    Attributes
    ----------
    fold : int
    agent : AgentConfig or None
        ``None`` for the 1/N benchmark unit.
    seed : int
    envs : FoldEnvs
    save_model : bool
        Return the fitted allocator's saved files.
    replay : bool
        Also replay the test decisions at other AUM and cost levels.
    """

    fold: int
    agent: AgentConfig | None
    seed: int
    envs: FoldEnvs
    save_model: bool = True
    replay: bool = True

    @property
    def label(self) -> str:
        """The agent's label (``BENCHMARK`` for the benchmark unit)."""
        return BENCHMARK if self.agent is None else self.agent.name

    @property
    def key(self) -> tuple[int, str, int]:
        """``(fold, agent, seed)``."""
        return (self.fold, self.label, self.seed)


@dataclass(frozen=True, eq=False)
class UnitResult:
    """What a unit produced.

    Attributes
    ----------
    key : (int, str, int)
        ``(fold, agent, seed)``.
    records : DataFrame
        The test months (one row per month earned; CPCV: per test group and month).
    ledger : dict
        The unit's trial-ledger row.
    model_files : dict of str to bytes
        Files of the saved allocator, by path relative to its folder.
    seconds : float
        Wall time of the unit.
    replay : dict of str to DataFrame
        The unit's test decisions replayed at other AUM (``"capacity"``) and cost levels
        (``"cost_sensitivity"``), from :func:`factorgym.experiments.replay.replay_unit`.
    """

    key: tuple[int, str, int]
    records: pd.DataFrame
    ledger: dict[str, Any]
    model_files: dict[str, bytes] = field(default_factory=dict)
    seconds: float = 0.0
    replay: dict[str, pd.DataFrame] = field(default_factory=dict)


def _frame_of(rollout: Any) -> pd.DataFrame:
    """The per-month table of a Rollout (``frame``; ``records`` in the original interface)."""
    frame = getattr(rollout, "frame", None)
    if frame is None:
        frame = rollout.records
    if not isinstance(frame, pd.DataFrame):
        raise ConfigError(
            f"run_allocator must return a Rollout with a DataFrame of months, got "
            f"{type(frame).__name__}"
        )
    return frame.reset_index(drop=True)


def _limit_torch_threads() -> None:
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(1)


def _regime_columns(frame: pd.DataFrame, spec: EnvSpec) -> pd.DataFrame:
    """Regime probabilities at each record's decision month (the information acted on)."""
    regimes = spec.features.get(REGIME_BLOCK)
    if regimes is None:
        return frame
    cols = [c for c in regimes.columns if str(c).startswith("regime_")]
    decided = pd.PeriodIndex(pd.to_datetime(frame["decision_date"]), freq="M")
    values = regimes[cols].reindex(decided)
    out = frame.copy()
    for c in cols:
        out[str(c)] = values[c].to_numpy()
    return out


def _run_window(run_allocator: Any, allocator: Any, spec: EnvSpec, seed: int) -> pd.DataFrame:
    return _frame_of(run_allocator(allocator, spec, seed=seed))


def run_unit(task: UnitTask) -> UnitResult:
    """Fit the task's agent on the fold's training window and run it through every test window.

    The validation window (if any) is handed to ``fit`` for early stopping and scored afterwards
    (annualised Sharpe ratio of net excess returns) for the trial ledger.

    Raises
    ------
    ConfigError
        For an agent whose kind or parameters are invalid.
    """
    t0 = time.perf_counter()
    run_allocator = importlib.import_module(_ROLLOUT).run_allocator
    envs = task.envs
    with threadpool_limits(limits=1):
        if task.agent is None:
            allocator: Any = EqualWeightBenchmark()
            kind = "factorgym.experiments.units:EqualWeightBenchmark"
        else:
            allocator = build_allocator(task.agent)
            kind = task.agent.kind
        _limit_torch_threads()
        # a declared upper bound (contender=False, e.g. a hindsight oracle) sees the whole panel
        train = envs.train if allocator.contender else envs.oracle_train
        allocator.fit(train, validation_env_factory=envs.validation, seed=task.seed)
        _limit_torch_threads()
        val_sharpe = float("nan")
        val_months = 0
        if envs.validation is not None:
            val = _run_window(run_allocator, allocator, envs.validation, task.seed)
            val_sharpe = annualised_sharpe((val["net_return"] - val["rf"]).to_numpy())
            val_months = len(val)
        parts = []
        for window in envs.tests:
            frame = _run_window(run_allocator, allocator, window.spec, task.seed)
            frame = _regime_columns(frame, window.spec)
            frame.insert(0, "path", window.path)
            parts.append(frame)
        records = pd.concat(parts, ignore_index=True)
        model_files = _saved_files(allocator) if task.save_model else {}
    records.insert(0, "seed", task.seed)
    records.insert(0, "agent", task.label)
    records.insert(0, "fold", task.fold)
    params = dict(allocator.params)
    ledger = {
        "fold": task.fold,
        "agent": task.label,
        "kind": kind,
        "seed": task.seed,
        "contender": bool(allocator.contender),
        "params": json.dumps(params, sort_keys=True, default=repr),
        "validation_sharpe": val_sharpe,
        "validation_months": val_months,
        "test_sharpe": annualised_sharpe((records["net_return"] - records["rf"]).to_numpy()),
        "test_months": len(records),
    }
    replay = replay_unit(envs, records) if task.replay else {}
    return UnitResult(task.key, records, ledger, model_files, time.perf_counter() - t0, replay)


def _saved_files(allocator: Any) -> dict[str, bytes]:
    """The files ``allocator.save`` writes, by relative path.

    Empty for an allocator without ``save`` or without fitted state (``requires_fit = False``:
    a rule that computes everything from the history at each decision has no model to save).
    """
    save = getattr(allocator, "save", None)
    if save is None or not getattr(allocator, "requires_fit", True):
        return {}
    with tempfile.TemporaryDirectory(prefix="factorgym-model-") as tmp:
        save(Path(tmp) / "model")
        root = Path(tmp)
        return {
            str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
        }
