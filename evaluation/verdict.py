"""The verdict: does any agent beat 1/N after costs, once every trial is counted.

The decision rule
-----------------
A contender is declared to beat the benchmark -- 1/N, run through the same test envs and
charged the same costs and impact -- only if **all three** hold:

1. **Sharpe difference**: the one-sided Ledoit-Wolf (2008) HAC test of
   ``SR(agent) > SR(1/N)``, Holm-adjusted over every contender of the run, has p < 0.05.
   Holm (1979) controls the family-wise error over the agents compared, with any dependence
   between them; the HAC standard error allows for serially correlated, non-normal months.
2. **Deflation**: the deflated Sharpe ratio of the agent's return *over 1/N* exceeds 0.95
   (Bailey and López de Prado 2014): the probability that its true active Sharpe ratio is above
   the best one ``N`` skill-less trials would show, ``N`` counting **every** agent x seed of
   the run (and any trial declared outside it), the variance from those trials' active
   Sharpe ratios. This is the guard against selection among seeds and configurations, which
   Holm over agents alone does not see. The active return is used because an absolute DSR
   passes any strategy in a market where 1/N itself has a high Sharpe ratio.
3. **Data snooping**: Hansen's (2005) SPA test of "no contender beats 1/N" (mean net return,
   studentized, stationary bootstrap) has p < 0.05. It is a joint test that uses the actual
   correlation between agents, where Holm assumes the worst case.

Each condition alone controls false discoveries at its level under its own null; requiring
all three can only lower the false-positive rate, at a cost in power, which the tests measure
(``tests/evaluation/test_verdict_pipeline.py``: no-signal and planted-signal markets). The
Newey-West t of the mean return over 1/N and the Harvey-Liu-Zhu ``t > 3`` hurdle are
reported but not required: with 5-10 years of months, t > 3 on a monthly active return is a
bar few genuine edges clear, and the three tests above already deflate for the trials.

Upper bounds (oracles, ``contender=False``) are never in the verdict; they are reported as
upper bounds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from factorgym.evaluation.run_series import CONTENDER
from factorgym.evaluation.significance import SAME_AS_BENCHMARK, SignificanceResult
from factorgym.validation import check_real

__all__ = ["DecisionRule", "Verdict", "decide"]


@dataclass(frozen=True)
class DecisionRule:
    """Thresholds of the verdict (see the module docstring).

    Parameters
    ----------
    level : float
        Largest Holm-adjusted one-sided p-value of the Sharpe-difference test.
    min_dsr : float
        Smallest deflated Sharpe ratio of the return over 1/N.
    spa_level : float
        Largest SPA p-value.
    """

    level: float = 0.05
    min_dsr: float = 0.95
    spa_level: float = 0.05

    def __post_init__(self) -> None:
        for name in ("level", "min_dsr", "spa_level"):
            check_real(name, getattr(self, name), low=0.0, high=1.0, low_open=True, high_open=True)

    def describe(self) -> str:
        """The rule in one sentence."""
        return (
            f"An agent beats 1/N only if (1) the Holm-adjusted one-sided Ledoit-Wolf HAC "
            f"p-value of its Sharpe ratio minus 1/N's is < {self.level:g}, (2) the deflated "
            f"Sharpe ratio of its return over 1/N, counting every agent x seed trial, is > "
            f"{self.min_dsr:g}, and (3) Hansen's SPA p-value of all contenders vs 1/N is < "
            f"{self.spa_level:g}."
        )


@dataclass(frozen=True, eq=False)
class Verdict:
    """The decision and its plain-language statement.

    Attributes
    ----------
    significant : tuple of str
        Contenders that beat 1/N under the rule (best Sharpe ratio first).
    best : str or None
        Contender with the highest Sharpe ratio (None without contenders).
    text : str
        The verdict, naming the benchmark, the numbers and the tests.
    checks : DataFrame indexed by contender
        ``p_holm``, ``dsr_vs_1n``, ``spa_p`` and whether each condition and all of them pass.
    rule : DecisionRule
    upper_bounds : tuple of str
        Agents excluded from the verdict (upper bounds and other non-contenders).
    """

    significant: tuple[str, ...]
    best: str | None
    text: str
    checks: pd.DataFrame
    rule: DecisionRule
    upper_bounds: tuple[str, ...]


def _fmt(x: float, spec: str = ".2f") -> str:
    return "n/a" if x is None or not np.isfinite(x) else format(x, spec)


def _p(x: float) -> str:
    if x is None or not np.isfinite(x):
        return "n/a"
    return "< 0.001" if x < 0.001 else f"= {x:.3f}"


def decide(result: SignificanceResult, rule: DecisionRule | None = None) -> Verdict:
    """Apply the decision rule to a significance result and state the verdict.

    Parameters
    ----------
    result : SignificanceResult
        From :func:`~factorgym.evaluation.significance.assess_significance`.
    rule : DecisionRule, optional
        Default thresholds: 0.05, 0.95, 0.05.

    Returns
    -------
    Verdict
    """
    rule = DecisionRule() if rule is None else rule
    table = result.table
    is_contender = table["role"].isin([CONTENDER, SAME_AS_BENCHMARK])
    contenders = table.index[is_contender]
    upper = tuple(str(a) for a in table.index[~is_contender])
    spa_p = result.spa_pvalue
    checks = pd.DataFrame(index=pd.Index(contenders, name="agent"))
    checks["p_holm"] = table.loc[contenders, "sharpe_diff_p_holm"].astype(float)
    checks["dsr_vs_1n"] = table.loc[contenders, "dsr_vs_1n"].astype(float)
    checks["spa_p"] = spa_p
    checks["pass_difference"] = checks["p_holm"] < rule.level
    checks["pass_dsr"] = checks["dsr_vs_1n"] > rule.min_dsr
    checks["pass_spa"] = bool(np.isfinite(spa_p) and spa_p < rule.spa_level)
    checks["significant"] = checks[["pass_difference", "pass_dsr", "pass_spa"]].all(axis=1)
    by_sharpe = (
        table.loc[contenders, "sharpe"].astype(float).sort_values(ascending=False, kind="mergesort")
    )
    significant = tuple(str(a) for a in by_sharpe.index if bool(checks.loc[a, "significant"]))
    best = str(by_sharpe.index[0]) if len(by_sharpe) else None
    trials = (
        f"{result.n_trials} trials"
        if not result.n_trials_extra
        else f"{result.n_trials} trials ({result.n_trials_extra} declared outside the run)"
    )
    bench = f"1/N after the same costs (Sharpe {_fmt(result.benchmark_sharpe)})"
    if best is None:
        text = f"No contender in this run: nothing to compare with {bench}." + (
            f" Shown but not in the verdict: {', '.join(upper)}." if upper else ""
        )
    elif significant:
        parts = []
        for a in significant:
            row = table.loc[a]
            parts.append(
                f"{a} (Sharpe {_fmt(row['sharpe'])} vs {_fmt(row['sharpe_1n'])}, Sharpe-difference "
                f"p {_p(row['sharpe_diff_p_holm'])} Holm-adjusted, DSR vs 1/N = "
                f"{_fmt(row['dsr_vs_1n'])})"
            )
        text = (
            f"{'An agent beats' if len(significant) == 1 else 'Agents beat'} {bench} over "
            f"{result.n_obs} out-of-sample months: {'; '.join(parts)}; SPA p {_p(spa_p)} with "
            f"{trials}."
        )
    else:
        row = table.loc[best]
        failed = [
            name
            for name, key in (
                ("Sharpe difference", "pass_difference"),
                ("deflated Sharpe ratio", "pass_dsr"),
                ("SPA", "pass_spa"),
            )
            if not bool(checks.loc[best, key])
        ]
        text = (
            f"No agent beats {bench} over {result.n_obs} out-of-sample months: best is {best}, "
            f"Sharpe {_fmt(row['sharpe'])} vs {_fmt(row['sharpe_1n'])}, one-sided "
            f"Sharpe-difference p {_p(row['sharpe_diff_p_holm'])} (Ledoit-Wolf HAC, "
            "Holm-adjusted), SPA p "
            f"{_p(spa_p)}, DSR vs 1/N = {_fmt(row['dsr_vs_1n'])} with {trials}"
            f" (fails: {', '.join(failed)})."
        )
    stepm = () if result.spa is None else tuple(a for a in result.spa.superior if a in checks.index)
    if not significant and stepm and bool(np.isfinite(spa_p) and spa_p < rule.spa_level):
        reasons = []
        for a in stepm:
            failed = [
                name
                for name, key in (("Sharpe difference", "pass_difference"), ("DSR", "pass_dsr"))
                if not bool(checks.loc[a, key])
            ]
            reasons.append(f"{a} (fails: {', '.join(failed)})")
        text += (
            f" SPA rejects on mean net returns only: StepM names {', '.join(reasons)}, whose "
            "mean return beats 1/N's while its risk-adjusted return does not pass."
        )
    if upper and best is not None:
        text += (
            " Not in the verdict: "
            + ", ".join(
                f"{a} ({table.loc[a, 'role']}, Sharpe {_fmt(float(table.loc[a, 'sharpe']))})"
                for a in upper
            )
            + "."
        )
    return Verdict(significant, best, text, checks, rule, upper)
