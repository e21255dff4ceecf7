"""White's Reality Check, Hansen's SPA and Romano-Wolf's StepM of agents vs a benchmark.

Data-snooping-robust tests of "does any agent beat the benchmark?", through arch's
implementations.

Every agent is compared with one benchmark (1/N, say) on *losses*, ``loss = -return``, so the
loss differential of agent ``k`` is ``d_k,t = loss_bench,t - loss_k,t = r_k,t - r_bench,t``
and ``H0: max_k E[d_k] <= 0`` (no agent beats the benchmark). All three tests resample the
months with arch's stationary bootstrap from the same ``seed``.

- White (2000), "A reality check for data snooping", Econometrica 68(5): the statistic
  ``max_k mean(d_k)``, no studentization, every model recentred. arch's ``RealityCheck``
  is its ``SPA`` class; White's p-value is its ``"upper"`` p-value on the raw differentials.
- Hansen (2005), "A test for superior predictive ability", JBES 23(4): studentized
  differentials and three recentring rules, giving ``lower``, ``consistent`` (Hansen's
  recommended) and ``upper`` p-values.
- Romano and Wolf (2005), "Stepwise multiple testing as formalized data snooping",
  Econometrica 73(4): StepM, the set of agents that beat the benchmark with the family-wise
  error rate controlled at ``size``.

Studentization. arch 8.0's ``SPA(studentize=True)`` computes the variances of the
differentials but uses them only for the consistent p-value's recentring threshold; the
statistic and its bootstrap distribution stay unstudentized (its p-values are identical for
``studentize=True`` and ``False``, checked in the tests). With ``studentize=True`` (default)
this module therefore studentizes the differentials itself, ``d_k / omega_k`` with Hansen's
``omega_k^2 = g_0 + 2 sum_{i=1}^{T-1} kappa(T, i) g_i``,
``kappa(T, i) = (1 - i/T)(1 - q)^i + (i/T)(1 - q)^(T - i)``, ``q = 1 / block_size`` (the
variance of the mean under the stationary bootstrap, Politis and Romano 1994, JASA 89(428),
as used by Hansen 2005, section 2 — and arch's own non-nested variance), and passes the
studentized differentials to arch (benchmark losses 0, agent losses ``-d_k / omega_k``). As
in Hansen, ``omega`` is computed once on the sample and held fixed in the bootstrap. One
difference from Hansen remains: his statistic is floored at 0, arch's is not, which only
matters when every agent is worse than the benchmark (then arch's p-value is larger).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
from arch.bootstrap import SPA, RealityCheck, StepM

from factorgym._typing import FloatArray
from factorgym.errors import DataError
from factorgym.evaluation._validation import (
    as_returns,
    as_vector,
    check_bool,
    check_int,
    check_level,
    check_seed,
)
from factorgym.evaluation.bootstrap import stationary_block_size

__all__ = ["RealityCheckResult", "reality_check", "stationary_bootstrap_variance"]


@dataclass(frozen=True)
class RealityCheckResult:
    """P-values of the data-snooping tests and StepM's superior set.

    Attributes
    ----------
    spa_lower, spa_consistent, spa_upper : float
        Hansen's SPA p-values (``consistent`` is the one to report).
    reality_check_pvalue : float
        White's Reality Check p-value (unstudentized, always recentred).
    superior : tuple of str
        Agents StepM finds better than the benchmark at family-wise error rate ``size``.
    size : float
        FWER level of StepM.
    studentized : bool
        Whether SPA and StepM used studentized differentials.
    mean_difference : tuple of float
        Per agent, mean per-period return minus the benchmark's (``mean(d_k)``).
    agents : tuple of str
        Agent labels, in column order.
    block_size, reps, seed, n_obs : int
        Bootstrap settings and number of periods.
    """

    spa_lower: float
    spa_consistent: float
    spa_upper: float
    reality_check_pvalue: float
    superior: tuple[str, ...]
    size: float
    studentized: bool
    mean_difference: tuple[float, ...]
    agents: tuple[str, ...]
    block_size: int
    reps: int
    seed: int
    n_obs: int


def stationary_bootstrap_variance(differentials: FloatArray, block_size: int) -> FloatArray:
    """Hansen's (2005) ``omega_k^2``: the stationary bootstrap's long-run variance per column.

    The variance of the mean implied by the stationary bootstrap with mean block length
    ``block_size`` (see the module docstring).

    Parameters
    ----------
    differentials : ndarray of shape (T, k)
    block_size : int >= 1

    Returns
    -------
    ndarray of shape (k,)
    """
    d = np.asarray(differentials, dtype=np.float64)
    block_size = check_int("block_size", block_size, minimum=1)
    t = d.shape[0]
    q = 1.0 / block_size
    dm = d - d.mean(axis=0)
    var = np.sum(dm**2, axis=0) / t
    for i in range(1, t):
        kappa = (1.0 - i / t) * (1.0 - q) ** i + (i / t) * (1.0 - q) ** (t - i)
        var = var + 2.0 * kappa * np.sum(dm[: t - i] * dm[i:], axis=0) / t
    return var


def reality_check(
    returns: object,
    benchmark: object,
    *,
    reps: int = 1000,
    block_size: int | None = None,
    size: float = 0.05,
    studentize: bool = True,
    seed: int = 0,
) -> RealityCheckResult:
    """White's Reality Check, Hansen's SPA and Romano-Wolf's StepM of agents vs a benchmark.

    Parameters
    ----------
    returns : array-like of shape (n_months, n_agents)
        Per-period (net) returns of every agent tried, on the benchmark's months.
    benchmark : array-like of shape (n_months,)
        Per-period returns of the benchmark (e.g. 1/N).
    reps : int >= 10, default 1000
        Bootstrap replications.
    block_size : int, optional
        Mean block length of the stationary bootstrap; default
        :func:`~factorgym.evaluation.bootstrap.stationary_block_size` of the differentials.
    size : float in (0, 1), default 0.05
        StepM's family-wise error rate.
    studentize : bool, default True
        Studentize the differentials for SPA and StepM (see the module docstring).
    seed : int >= 0, default 0

    Returns
    -------
    RealityCheckResult

    Raises
    ------
    ConfigError
        For a bad ``reps``, ``block_size``, ``size``, ``studentize`` or ``seed``.
    DataError
        For non-finite or misaligned inputs, fewer than 8 months, or an agent identical to
        the benchmark (zero variance of its differential) when studentizing.
    """
    ret = as_returns(returns, min_obs=8)
    n = ret.n_obs
    bench = as_vector(benchmark, n, name="benchmark")
    reps = check_int("reps", reps, minimum=10)
    size = check_level("size", size)
    studentize = check_bool("studentize", studentize)
    seed = check_seed(seed)
    d = ret.values - bench[:, None]
    if studentize and np.any(np.ptp(d, axis=0) == 0):
        bad = ret.labels[int(np.flatnonzero(np.ptp(d, axis=0) == 0)[0])]
        raise DataError(
            f"agent {bad!r} has a zero-variance return difference to the benchmark; "
            "drop it or use studentize=False"
        )
    block = stationary_block_size(d) if block_size is None else block_size
    block = check_int("block_size", block, minimum=1)

    bench_loss: FloatArray = -bench
    model_loss: FloatArray = -ret.values
    rc = RealityCheck(bench_loss, model_loss, block_size=block, reps=reps, seed=seed)
    rc.compute()
    if studentize:
        omega = np.sqrt(stationary_bootstrap_variance(d, block))
        # the variance of a stationary-bootstrap mean, > 0 for a non-constant column
        assert np.all(omega > 0), omega
        bench_loss = np.zeros(n)
        model_loss = -d / omega
    spa = SPA(bench_loss, model_loss, block_size=block, reps=reps, seed=seed)
    spa.compute()
    stepm = StepM(bench_loss, model_loss, size=size, block_size=block, reps=reps, seed=seed)
    stepm.compute()
    superior = tuple(ret.labels[i] for i in cast("list[int]", stepm.superior_models))
    p = spa.pvalues
    return RealityCheckResult(
        spa_lower=float(p["lower"]),
        spa_consistent=float(p["consistent"]),
        spa_upper=float(p["upper"]),
        reality_check_pvalue=float(rc.pvalues["upper"]),
        superior=superior,
        size=size,
        studentized=studentize,
        mean_difference=tuple(float(v) for v in d.mean(axis=0)),
        agents=ret.labels,
        block_size=block,
        reps=reps,
        seed=seed,
        n_obs=n,
    )
