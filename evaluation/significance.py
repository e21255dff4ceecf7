"""The significance table: is each agent's out-of-sample edge over 1/N real, after every trial.

One row per agent, every number from the statistics layer of :mod:`factorgym.evaluation`:

- ``sharpe`` with a stationary-bootstrap interval (:func:`bootstrap_sharpe_ci`), ``psr``
  (:func:`probabilistic_sharpe_ratio` against 0);
- ``dsr``: the PSR against ``SR_0``, the Sharpe ratio the best of the run's trials would show
  by luck (:func:`deflated_sharpe_ratio` of every contender trial: each agent x seed, plus any
  trials declared outside the run), Bailey and López de Prado (2014);
- the Sharpe difference to 1/N after the same costs: Ledoit and Wolf's (2008) HAC test
  (:func:`ledoit_wolf_test`, made one-sided: H1 is "the agent's Sharpe ratio is higher") and
  a bootstrap interval (:func:`bootstrap_sharpe_difference_ci`), with Holm and
  Benjamini-Hochberg adjustments over the contenders (:func:`adjust_pvalues`);
- the mean return over 1/N: Newey-West t (:func:`mean_return_test`, one-sided), the
  Harvey-Liu-Zhu ``t > 3`` flag (:func:`passes_hlz_hurdle`), the alpha on 1/N
  (:func:`spanning_regression`);
- ``dsr_vs_1n``: the deflated Sharpe ratio of the *return over 1/N* (a deflated information
  ratio): the PSR of the active return against the best active Sharpe ratio the trials would
  show by luck;
- for the whole run: Hansen's SPA p-value of all contenders against 1/N (:func:`reality_check`)
  and the probability of backtest overfitting of the trials by CSCV
  (:func:`probability_of_backtest_overfitting`).

Non-contenders (oracles: upper bounds) get their own row but are left out of every family:
adjustments, SPA, PBO and the trial count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from factorgym.errors import DataError, FactorGymError
from factorgym.evaluation.bootstrap import bootstrap_sharpe_ci, bootstrap_sharpe_difference_ci
from factorgym.evaluation.deflated_sharpe import deflated_sharpe_ratio, probabilistic_sharpe_ratio
from factorgym.evaluation.metrics import sharpe_ratio
from factorgym.evaluation.multiple_testing import adjust_pvalues, passes_hlz_hurdle
from factorgym.evaluation.newey_west import mean_return_test
from factorgym.evaluation.pbo import PBOResult, probability_of_backtest_overfitting
from factorgym.evaluation.reality_check import RealityCheckResult, reality_check
from factorgym.evaluation.sharpe_difference import ledoit_wolf_test
from factorgym.evaluation.spanning import spanning_regression
from factorgym.validation import check_int, check_real

__all__ = [
    "IDENTICAL_TOL",
    "SAME_AS_BENCHMARK",
    "SIGNIFICANCE_COLUMNS",
    "SignificanceResult",
    "assess_significance",
    "pbo_partitions",
]

#: An agent whose monthly net returns never differ from 1/N's by more than this *is* 1/N.
IDENTICAL_TOL = 1e-12
#: Role of a contender whose returns are the benchmark's.
SAME_AS_BENCHMARK = "same as 1/N"
#: Columns of :attr:`SignificanceResult.table`.
SIGNIFICANCE_COLUMNS = (
    "role",
    "months",
    "sharpe",
    "sharpe_ci_low",
    "sharpe_ci_high",
    "psr",
    "dsr",
    "sharpe_1n",
    "sharpe_diff",
    "sharpe_diff_ci_low",
    "sharpe_diff_ci_high",
    "sharpe_diff_p",
    "sharpe_diff_p_holm",
    "sharpe_diff_p_bh",
    "active_return",
    "alpha_1n",
    "nw_t",
    "nw_p",
    "passes_hlz",
    "dsr_vs_1n",
)


@dataclass(frozen=True, eq=False)
class SignificanceResult:
    """Per-agent significance and the run-level tests.

    Attributes
    ----------
    table : DataFrame indexed by agent
        :data:`SIGNIFICANCE_COLUMNS`. ``role`` is ``"contender"``, ``"upper bound"`` or
        ``"same as 1/N"`` (a contender whose returns are 1/N's), or the label given in
        ``roles`` for a non-contender; p-values are one-sided
        (H1: better than 1/N); adjusted p-values only for contenders.
    benchmark_sharpe : float
        Annualised Sharpe ratio of 1/N (net of costs).
    n_obs : int
        Months.
    n_trials, n_trials_run, n_trials_extra : int
        Trials deflated for: contender agent x seed series of the run, plus those declared.
    sr0, sr0_active : float
        Annualised ``E[max SR]`` of ``n_trials`` skill-less trials, for the Sharpe ratio and for
        the Sharpe ratio of the return over 1/N (NaN when undefined).
    sharpe_variance, active_sharpe_variance : float
        Variance of the trials' per-period Sharpe ratios (absolute; over 1/N).
    spa : RealityCheckResult or None
        All contenders (not identical to 1/N) against 1/N; None with no such contender.
    pbo : PBOResult or None
        CSCV over the contender trials; None with fewer than 2 trials or too few months.
    notes : tuple of str
        Why a number is missing or how it was obtained.
    size, reps, seed
        Interval level and bootstrap settings.
    """

    table: pd.DataFrame
    benchmark_sharpe: float
    n_obs: int
    n_trials: int
    n_trials_run: int
    n_trials_extra: int
    sr0: float
    sr0_active: float
    sharpe_variance: float
    active_sharpe_variance: float
    spa: RealityCheckResult | None
    pbo: PBOResult | None
    notes: tuple[str, ...]
    size: float
    reps: int
    seed: int

    @property
    def spa_pvalue(self) -> float:
        """Hansen's SPA p-value (consistent), NaN without contenders."""
        return float("nan") if self.spa is None else self.spa.spa_consistent


def pbo_partitions(n_obs: int, *, max_partitions: int = 16, min_rows: int = 4) -> int | None:
    """Even number of CSCV blocks for ``n_obs`` months: at most 16, >= ``min_rows`` rows each.

    Returns None when even 2 blocks would be shorter than ``min_rows`` months.
    """
    n = check_int("n_obs", n_obs, minimum=0)
    s = min(check_int("max_partitions", max_partitions, minimum=2), n // min_rows)
    s -= s % 2
    return s if s >= 2 else None


def _varying(frame: pd.DataFrame) -> list[str]:
    sd = frame.std(axis=0, ddof=1).to_numpy()
    return [c for c, v in zip(frame.columns, sd, strict=True) if np.isfinite(v) and v > 0]


def _one_sided(statistic: float) -> float:
    """P(Z > statistic): H1 is a positive difference."""
    return float(stats.norm.sf(statistic)) if np.isfinite(statistic) else float("nan")


def _deflation(
    trials: pd.DataFrame,
    rf: pd.Series | None,
    n_trials: int,
    what: str,
    notes: list[str],
    ppy: int,
) -> tuple[float, float]:
    """(annualised SR_0, per-period Sharpe variance) of ``n_trials`` trials, or (NaN, NaN)."""
    if n_trials < 2:
        notes.append(f"{what}: one trial, nothing to deflate for (DSR = PSR against 0)")
        return 0.0, float("nan")
    cols = _varying(trials)
    if len(cols) < 2:
        notes.append(
            f"{what}: fewer than 2 trials vary, so their Sharpe variance is undefined; "
            "DSR is not computed"
        )
        return float("nan"), float("nan")
    res = deflated_sharpe_ratio(trials[cols], rf=rf, n_trials=n_trials, periods_per_year=ppy)
    return res.sr0, res.sharpe_variance


def assess_significance(
    net: pd.DataFrame,
    benchmark: pd.Series,
    rf: pd.Series,
    trials: pd.DataFrame,
    *,
    contenders: Sequence[str],
    roles: Mapping[str, str] | None = None,
    n_extra_trials: int = 0,
    reps: int = 1000,
    size: float = 0.95,
    seed: int = 0,
    periods_per_year: int = 12,
) -> SignificanceResult:
    """The significance table of every agent and the run-level tests against 1/N.

    Parameters
    ----------
    net : DataFrame of shape (n_months, n_agents)
        Net (after-cost) total returns of each agent, one column per agent.
    benchmark : Series of shape (n_months,)
        Net returns of 1/N through the same env and costs.
    rf : Series of shape (n_months,)
        Risk-free return.
    trials : DataFrame of shape (n_months, n_trials)
        Net returns of every contender trial (agent x seed) of the run.
    contenders : sequence of str
        Columns of ``net`` that may win.
    roles : mapping of str to str, optional
        Role label of the other columns (default ``"upper bound"``).
    n_extra_trials : int
        Trials run outside this run (earlier runs, discarded configurations) to count too.
    reps : int
        Bootstrap replications (intervals and SPA).
    size : float
        Level of the intervals.
    seed : int
        Seed of every bootstrap.
    periods_per_year : int

    Raises
    ------
    DataError
        If the frames are not aligned on the same months, or hold fewer than 8 months.
    ConfigError
        For a bad ``n_extra_trials``, ``reps``, ``size``, ``seed`` or ``periods_per_year``.
    """
    extra = check_int("n_extra_trials", n_extra_trials, minimum=0)
    reps = check_int("reps", reps, minimum=10)
    size = check_real("size", size, low=0.0, high=1.0, low_open=True, high_open=True)
    seed = check_int("seed", seed, minimum=0)
    ppy = check_int("periods_per_year", periods_per_year, minimum=1)
    n = len(net)
    for name, obj in (("benchmark", benchmark), ("rf", rf), ("trials", trials)):
        if len(obj) != n or not obj.index.equals(net.index):
            raise DataError(f"`{name}` must be indexed by the months of `net` ({n} months)")
    if n < 8:
        raise DataError(f"`net` must hold >= 8 months for the tests, got {n}")
    unknown = [c for c in contenders if c not in net.columns]
    if unknown:
        raise DataError(f"`contenders` {unknown} are not columns of `net`")
    notes: list[str] = []
    bench_ex = benchmark - rf
    n_run = trials.shape[1]
    n_total = n_run + extra
    sr0, var = _deflation(trials, rf, n_total, "DSR", notes, ppy)
    active_trials = trials.sub(benchmark, axis=0)
    sr0_act, var_act = _deflation(active_trials, None, n_total, "DSR vs 1/N", notes, ppy)
    bench_sharpe = float(sharpe_ratio(benchmark, rf=rf, periods_per_year=ppy))
    rows = {}
    for agent in net.columns:
        x = net[agent]
        active = x - benchmark
        same = float(np.abs(active.to_numpy()).max()) <= IDENTICAL_TOL
        if agent in contenders:
            role = SAME_AS_BENCHMARK if same else "contender"
        else:
            role = (roles or {}).get(agent, "upper bound")
        row: dict[str, object] = {"role": role, "months": n}
        row["sharpe"] = float(sharpe_ratio(x, rf=rf, periods_per_year=ppy))
        row["sharpe_1n"] = bench_sharpe
        row["psr"] = float(probabilistic_sharpe_ratio(x, rf=rf, periods_per_year=ppy))
        row["dsr"] = (
            float(probabilistic_sharpe_ratio(x, sr_benchmark=sr0, rf=rf, periods_per_year=ppy))
            if np.isfinite(sr0)
            else float("nan")
        )
        try:
            ci = bootstrap_sharpe_ci(
                x, rf=rf, periods_per_year=ppy, size=size, reps=reps, seed=seed
            )
            row["sharpe_ci_low"], row["sharpe_ci_high"] = ci.lower, ci.upper
        except DataError as exc:
            notes.append(f"{agent}: no Sharpe interval ({exc})")
            row["sharpe_ci_low"] = row["sharpe_ci_high"] = float("nan")
        row["active_return"] = float(active.mean()) * ppy
        if same:
            row |= {
                "sharpe_diff": 0.0,
                "sharpe_diff_ci_low": 0.0,
                "sharpe_diff_ci_high": 0.0,
                "sharpe_diff_p": 1.0,
                "alpha_1n": 0.0,
                "nw_t": 0.0,
                "nw_p": 1.0,
                "dsr_vs_1n": float("nan"),
            }
            rows[agent] = row
            continue
        lw = ledoit_wolf_test(x, benchmark, rf=rf, periods_per_year=ppy)
        row["sharpe_diff"] = lw.difference
        p_diff = _one_sided(lw.statistic)
        row["sharpe_diff_p"] = p_diff
        if not np.isfinite(p_diff):
            # e.g. a levered 1/N: the same Sharpe ratio, a zero-variance difference
            notes.append(
                f"{agent}: the Sharpe-difference statistic is undefined (standard error 0, "
                f"difference {lw.difference:.3g}); its p-value is set to 1"
            )
            row["sharpe_diff_p"] = 1.0
        diff_ci = bootstrap_sharpe_difference_ci(
            x, benchmark, rf=rf, periods_per_year=ppy, size=size, reps=reps, seed=seed
        )
        row["sharpe_diff_ci_low"], row["sharpe_diff_ci_high"] = diff_ci.lower, diff_ci.upper
        nw = mean_return_test(active, alternative="greater", periods_per_year=ppy)
        row["nw_t"] = float(nw["t_stat"].iloc[0])
        row["nw_p"] = float(nw["pvalue"].iloc[0])
        alpha = spanning_regression(x, bench_ex.rename("1/N"), rf=rf, periods_per_year=ppy)
        row["alpha_1n"] = float(alpha["alpha_annualized"].iloc[0])
        row["dsr_vs_1n"] = (
            float(probabilistic_sharpe_ratio(active, sr_benchmark=sr0_act, periods_per_year=ppy))
            if np.isfinite(sr0_act)
            else float("nan")
        )
        rows[agent] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    for col in SIGNIFICANCE_COLUMNS:
        if col not in table.columns:
            table[col] = np.nan
    family = [a for a in net.columns if a in contenders]
    table["sharpe_diff_p_holm"] = np.nan
    table["sharpe_diff_p_bh"] = np.nan
    if family:
        p = table.loc[family, "sharpe_diff_p"].astype(float)
        table.loc[family, "sharpe_diff_p_holm"] = np.asarray(adjust_pvalues(p, method="holm"))
        table.loc[family, "sharpe_diff_p_bh"] = np.asarray(adjust_pvalues(p, method="bh"))
    table["passes_hlz"] = np.asarray(passes_hlz_hurdle(table["nw_t"].astype(float).to_numpy()))
    table = table[list(SIGNIFICANCE_COLUMNS)]
    table.index.name = "agent"
    spa = None
    in_spa = [a for a in family if table.loc[a, "role"] == "contender"]
    if in_spa:
        spa = reality_check(net[in_spa], benchmark, reps=reps, seed=seed)
    else:
        notes.append("SPA: no contender differs from 1/N")
    pbo = None
    excess_trials = trials.sub(rf, axis=0)
    parts = pbo_partitions(n)
    if n_run >= 2 and parts is not None:
        try:
            pbo = probability_of_backtest_overfitting(excess_trials, n_partitions=parts)
        except FactorGymError as exc:
            notes.append(f"PBO not computed ({exc})")
    else:
        notes.append(
            f"PBO needs >= 2 trials and >= 8 months ({n_run} trials, {n} months): not computed"
        )
    return SignificanceResult(
        table=table,
        benchmark_sharpe=bench_sharpe,
        n_obs=n,
        n_trials=n_total,
        n_trials_run=n_run,
        n_trials_extra=extra,
        sr0=sr0,
        sr0_active=sr0_act,
        sharpe_variance=var,
        active_sharpe_variance=var_act,
        spa=spa,
        pbo=pbo,
        notes=tuple(notes),
        size=size,
        reps=reps,
        seed=seed,
    )
