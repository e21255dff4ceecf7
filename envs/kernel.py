"""The compiled maths of the env: every formula once, and the step of a batch of portfolios.

Everything numba compiles for ``factorgym.envs`` lives in this one file, for a practical reason:
numba's on-disk cache of a function is invalidated when *its own* source file changes, not when
a function it calls from another file does, so a formula kept in ``accounting.py`` and called
from a cached kernel here could silently run stale. The public functions of
:mod:`~factorgym.envs.accounting`, :mod:`~factorgym.envs.costs`, :mod:`~factorgym.envs.impact`,
:mod:`~factorgym.envs.action_maps` and :mod:`~factorgym.envs.rewards` are thin wrappers around
the functions below (they accept one row ``(n,)`` or a batch ``(n_envs, n)``), and
:func:`step_rows` is the month of :class:`~factorgym.envs.transition.Dynamics`: the same code,
so the public functions equal the env's ``info`` bit for bit.

Three kinds of functions:

* elementwise formulas (``@vectorize``): NumPy ufuncs that take scalars or broadcast arrays, and
  that the kernel calls on scalars;
* row functions (``*_row``): one portfolio, weights of shape ``(n,)``, summed in index order;
* batch loops (``*_rows``): a row function applied to each row of ``(n_rows, n)`` arrays, for
  the public wrappers.

Compiled with ``cache=True``, no ``fastmath`` (no reassociation: sums run in index order, so a
row gives the same bits alone or inside any batch) and no ``parallel`` (bit reproducibility).
Module-level integer constants (indices into the parameter and output arrays) are frozen into
the compiled code.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Callable
from typing import Any

import numba
import numpy as np

__all__ = [
    "BOOK_ROWS",
    "N_SCALARS",
    "N_WEIGHTS",
    "SCALAR_ROWS",
    "WEIGHT_SLABS",
    "step_rows",
]

logger = logging.getLogger(__name__)


def _cached(decorator: Callable[..., Any], fn: Callable[..., Any]) -> Any:
    """``decorator(cache=True)(fn)``, or without the on-disk cache if numba has no writable place.

    numba caches next to this file (``__pycache__``) or, if that folder is read-only, in a
    user-wide folder (``NUMBA_CACHE_DIR`` or ``~/.cache``); only if neither is writable does it
    refuse with a ``RuntimeError`` at decoration time. Then the functions are compiled in every
    process instead (slower start, same results).
    """
    try:
        return decorator(cache=True)(fn)
    except RuntimeError as exc:  # pragma: no cover - needs an unwritable home and package dir
        logger.info("numba cache unavailable (%s); compiling without it", exc)
        return decorator()(fn)


def jit(fn: Callable[..., Any]) -> Any:
    """``numba.njit(cache=True)`` (no fastmath, no parallel)."""
    return _cached(numba.njit, fn)


def row(fn: Callable[..., Any]) -> Any:
    """:func:`jit` with ``inline="always"``: a row function, inlined into its callers.

    numba passes an array view to a compiled callee with reference counting around the call;
    for rows of four numbers that costs more than the arithmetic (the kernel ran ~3x slower).
    """
    return _cached(functools.partial(numba.njit, inline="always"), fn)


def ufunc(fn: Callable[..., Any]) -> Any:
    """``numba.vectorize(cache=True)``: a lazily typed ufunc, callable from :func:`jit` code."""
    return _cached(numba.vectorize, fn)


# ============================================================================ action maps
MODE_LONG_ONLY = 0
MODE_LONG_SHORT = 1
MODE_TILT = 2
#: Tolerance of the feasibility test behind the no-trade band (``ActionSpec.is_feasible``).
FEASIBLE_TOL = 1e-9


@row
def clip(v: float, lo: float, hi: float) -> float:
    """``min(max(v, lo), hi)`` (NaN stays NaN, as ``np.clip``)."""
    if v < lo:
        return lo
    if v > hi:
        return hi
    return v


@row
def long_only_row(a, allow_cash, out):
    """``u = clip((a + 1) / 2, 0, 1)``; ``w = u / max(sum u, 1)`` (cash) or ``u / sum u``."""
    n = a.shape[0]
    s = 0.0
    for k in range(n):
        u = clip(a[k] * 0.5 + 0.5, 0.0, 1.0)
        out[k] = u
        s += u
    if allow_cash:
        if s > 1.0:
            for k in range(n):
                out[k] /= s
    elif s <= 0.0:
        for k in range(n):
            out[k] = 1.0 / n
    else:
        for k in range(n):
            out[k] /= s


@row
def long_short_row(a, max_weight, max_gross, out):
    """``v = clip(b a, -b, b)``, scaled down to gross ``G`` if ``sum |v| > G``."""
    n = a.shape[0]
    gross = 0.0
    for k in range(n):
        v = clip(a[k] * max_weight, -max_weight, max_weight)
        out[k] = v
        gross += abs(v)
    if gross > max_gross:
        f = max_gross / gross
        for k in range(n):
            out[k] *= f


@row
def tilt_row(a, benchmark, max_deviation, long_only, out):
    """``x = clip(d a, -d, d)`` (``>= -c`` if long-only), the larger side scaled to net 0."""
    n = a.shape[0]
    d = max_deviation
    up = 0.0
    down = 0.0
    for k in range(n):
        x = clip(a[k] * d, -d, d)
        if long_only and x < -benchmark[k]:
            x = -benchmark[k]
        out[k] = x
        pos = x if x > 0.0 else 0.0
        up += pos
        down += pos - x
    for k in range(n):
        x = out[k]
        pos = x if x > 0.0 else 0.0
        neg = pos - x
        if up > down:
            out[k] = benchmark[k] + pos * (down / up) - neg
        elif down > up:
            out[k] = benchmark[k] + pos - neg * (up / down)
        else:
            out[k] = benchmark[k] + x


@row
def weights_row(
    a, mode, allow_cash, max_weight, max_gross, benchmark, max_deviation, tilt_long_only, out
):
    """Target weights of one action under an action mode (``MODE_*``)."""
    if mode == MODE_LONG_ONLY:
        long_only_row(a, allow_cash, out)
    elif mode == MODE_LONG_SHORT:
        long_short_row(a, max_weight, max_gross, out)
    else:
        tilt_row(a, benchmark, max_deviation, tilt_long_only, out)


@row
def feasible_row(w, lo, hi, mode, allow_cash, max_gross, budget, allow_refusals, tol):
    """Whether one weight vector lies in the feasible set of its action mode (to ``tol``).

    ``lo``/``hi`` are the per-asset bounds (already widened to 0 when ``allow_refusals``),
    ``budget`` the benchmark's total (tilt).
    """
    ok = True
    total = 0.0
    gross = 0.0
    for k in range(w.shape[0]):
        v = w[k]
        if not (v >= lo[k] - tol and v <= hi[k] + tol and math.isfinite(v)):
            ok = False
        total += v
        gross += abs(v)
    if mode == MODE_LONG_ONLY:
        ok = ok and total <= 1.0 + tol
        if not allow_cash and not allow_refusals:
            ok = ok and total >= 1.0 - tol
    elif mode == MODE_LONG_SHORT:
        ok = ok and gross <= max_gross + tol
    else:
        ok = ok and total <= budget + tol
        if not allow_refusals:
            ok = ok and total >= budget - tol
    return ok


@jit
def long_only_rows(a, allow_cash, out):
    """:func:`long_only_row` on each row."""
    for i in range(a.shape[0]):
        long_only_row(a[i], allow_cash, out[i])


@jit
def long_short_rows(a, max_weight, max_gross, out):
    """:func:`long_short_row` on each row."""
    for i in range(a.shape[0]):
        long_short_row(a[i], max_weight, max_gross, out[i])


@jit
def tilt_rows(a, benchmark, max_deviation, long_only, out):
    """:func:`tilt_row` on each row."""
    for i in range(a.shape[0]):
        tilt_row(a[i], benchmark, max_deviation, long_only, out[i])


@jit
def feasible_rows(w, lo, hi, mode, allow_cash, max_gross, budget, allow_refusals, tol, out):
    """:func:`feasible_row` on each row."""
    for i in range(w.shape[0]):
        out[i] = feasible_row(
            w[i], lo, hi, mode, allow_cash, max_gross, budget, allow_refusals, tol
        )


# ============================================================================ accounting
@row
def portfolio_return_row(w, x, rf):
    """``rf + sum_k w_k x_k``."""
    s = 0.0
    for k in range(w.shape[0]):
        s += w[k] * x[k]
    return rf + s


@row
def drift_row(w, growth, portfolio_growth, out):
    """``w_k (1 + rf + x_k) / (1 + r_p)``; all zero if ``1 + r_p <= 0`` (ruin)."""
    if portfolio_growth > 0.0:
        for k in range(w.shape[0]):
            out[k] = w[k] * growth[k] / portfolio_growth
    else:
        for k in range(w.shape[0]):
            out[k] = 0.0


@row
def grow_wealth(wealth, net_return):
    """``wealth * max(1 + r_net, 0)``."""
    growth = 1.0 + net_return
    return wealth * (growth if growth > 0.0 else 0.0)


@row
def drawdown(wealth, peak):
    """``1 - wealth / peak``."""
    return 1.0 - wealth / peak


@jit
def portfolio_return_rows(w, x, rf, out):
    """:func:`portfolio_return_row` on each row."""
    for i in range(w.shape[0]):
        out[i] = portfolio_return_row(w[i], x[i], rf[i])


@jit
def drift_rows(w, growth, portfolio_growth, out):
    """:func:`drift_row` on each row."""
    for i in range(w.shape[0]):
        drift_row(w[i], growth[i], portfolio_growth[i], out[i])


# ============================================================================ costs and impact
@row
def proportional_cost_row(abs_trade, cost_rate):
    """``sum_k c_k |dw_k|``."""
    s = 0.0
    for k in range(abs_trade.shape[0]):
        s += abs_trade[k] * cost_rate[k]
    return s


@row
def internal_cost_row(weights, internal_rate):
    """``sum_k h_k |w_k|``."""
    s = 0.0
    for k in range(weights.shape[0]):
        s += abs(weights[k]) * internal_rate[k]
    return s


@row
def impact_rate(trade_notional, impact_coef, sigma_daily, capacity_usd, trade_days):
    """``Y sigma sqrt(q / (V D))``: the square-root law, the one place it is written.

    Toth et al. (2011), Bucci et al. (2019); ``COSTS.md`` section 1.
    """
    return impact_coef * sigma_daily * math.sqrt(trade_notional / (capacity_usd * trade_days))


@row
def impact_cost_row(abs_trade, aum, impact_scale):
    """``sum_k |dw_k| rate_k(N |dw_k|)`` with the law's parameters folded into ``scale_k``.

    ``impact_scale_k = legs_k * impact_rate(1, Y_k, sigma_k, V_k, D)`` is ``legs_k`` times the
    rate of a one-dollar trade, so the rate of ``q`` dollars is
    ``impact_rate(q, scale_k, 1, 1, 1) = scale_k sqrt(q)``.
    """
    s = 0.0
    for k in range(abs_trade.shape[0]):
        a = abs_trade[k]
        s += a * impact_rate(aum * a, impact_scale[k], 1.0, 1.0, 1.0)
    return s


@row
def participation(abs_trade, aum, capacity_usd, trade_days):
    """``N |dw| / (V D)``."""
    return aum * abs_trade / (capacity_usd * trade_days)


@row
def capacity_fill_row(abs_trade, aum, inv_max_trade_usd):
    """Largest pro-rata fill with ``N phi |dw_k| <= p_max V_k D`` for every k, in ``(0, 1]``."""
    load = 0.0
    for k in range(abs_trade.shape[0]):
        v = abs_trade[k] * inv_max_trade_usd[k]
        if v > load:
            load = v
    load = load * aum
    return 1.0 / load if load > 1.0 else 1.0


@jit
def proportional_cost_rows(abs_trade, cost_rate, out):
    """:func:`proportional_cost_row` on each row."""
    for i in range(abs_trade.shape[0]):
        out[i] = proportional_cost_row(abs_trade[i], cost_rate)


@jit
def internal_cost_rows(weights, internal_rate, out):
    """:func:`internal_cost_row` on each row."""
    for i in range(weights.shape[0]):
        out[i] = internal_cost_row(weights[i], internal_rate)


@jit
def impact_cost_rows(abs_trade, aum, impact_scale, out):
    """:func:`impact_cost_row` on each row (``aum`` per row)."""
    for i in range(abs_trade.shape[0]):
        out[i] = impact_cost_row(abs_trade[i], aum[i], impact_scale)


@jit
def capacity_fill_rows(abs_trade, aum, inv_max_trade_usd, out):
    """:func:`capacity_fill_row` on each row (``aum`` per row)."""
    for i in range(abs_trade.shape[0]):
        out[i] = capacity_fill_row(abs_trade[i], aum[i], inv_max_trade_usd)


# ============================================================================ rewards
REWARD_CUSTOM = -1
REWARD_LOG = 0
REWARD_EXCESS = 1
REWARD_DSR = 2
REWARD_MEAN_VARIANCE = 3
#: ``1 + r_net`` is floored here in the log reward (ruin terminates the episode).
LOG_FLOOR = 1e-12


@row
def log_growth(net_return):
    """``log(1 + r_net)``, with ``1 + r_net`` floored at ``LOG_FLOOR``."""
    floor = LOG_FLOOR - 1.0
    return math.log1p(net_return if net_return > floor else floor)


@row
def excess_log_return(log_growth, benchmark_log_growth):
    """``log(1 + r_net) - log(1 + r_bench)``."""
    return log_growth - benchmark_log_growth


@row
def differential_sharpe(excess_return, a_prev, b_prev):
    """``(B dA - A dB / 2) / (B - A^2)^{3/2}`` (Moody & Saffell 2001), the variance floored."""
    d_a = excess_return - a_prev
    d_b = excess_return * excess_return - b_prev
    var = b_prev - a_prev * a_prev
    denom = (var if var > 1e-300 else 1e-300) ** 1.5
    return (b_prev * d_a - 0.5 * a_prev * d_b) / denom


@row
def moment_update(previous, value, eta):
    """Exponential moving moment ``m + eta (value - m)``."""
    return previous + eta * (value - previous)


@row
def mean_variance(excess_return, risk, risk_aversion):
    """``r_net - rf - (lambda / 2) w' S w``."""
    return excess_return - 0.5 * risk_aversion * risk


@row
def penalized(reward, drawdown, turnover, drawdown_penalty, turnover_penalty):
    """``reward - kappa_dd drawdown - kappa_to turnover`` (a zero penalty is not applied)."""
    if drawdown_penalty != 0.0:
        reward = reward - drawdown_penalty * drawdown
    if turnover_penalty != 0.0:
        reward = reward - turnover_penalty * turnover
    return reward


@row
def quadratic_form(w, cov):
    """``w' S w``."""
    n = w.shape[0]
    s = 0.0
    for j in range(n):
        v = 0.0
        for i in range(n):
            v += w[i] * cov[i, j]
        s += v * w[j]
    return s


# ============================================================================ observation
@row
def observe_row(obs_rows, t, drifted, weights_col, out):
    """Row ``t`` of the precomputed observations with the drifted weights from ``weights_col``.

    ``out`` is float32 (the weights are rounded to nearest, as NumPy casts); a negative
    ``weights_col`` means the observation has no weights block.
    """
    for j in range(obs_rows.shape[1]):
        out[j] = obs_rows[t, j]
    if weights_col >= 0:
        for k in range(drifted.shape[0]):
            out[weights_col + k] = drifted[k]


@jit
def observe_rows(obs_rows, t, drifted, weights_col, out):
    """:func:`observe_row` for each row: decision rows ``t``, drifted weights ``drifted``."""
    for i in range(t.shape[0]):
        observe_row(obs_rows, t[i], drifted[i], weights_col, out[i])


# ============================================================================ the month
# Parameters (one float64 vector; flags are 0/1).
P_MODE = 0
P_ALLOW_CASH = 1
P_MAX_WEIGHT = 2
P_MAX_GROSS = 3
P_MAX_DEVIATION = 4
P_TILT_LONG_ONLY = 5
P_BUDGET = 6
P_AUM = 7
P_AUM_GROWS = 8
P_HAS_POSITION_LIMIT = 9
P_MAX_POSITION = 10
P_HAS_TURNOVER_CAP = 11
P_MAX_TURNOVER = 12
P_BAND = 13
P_HAS_CAPACITY = 14
P_DRAWDOWN_PENALTY = 15
P_TURNOVER_PENALTY = 16
P_RUIN = 17
P_HAS_DRAWDOWN_STOP = 18
P_DRAWDOWN_STOP = 19
P_REWARD = 20
P_REWARD_PARAM = 21
P_NEEDS_RISK = 22
P_NEEDS_BENCHMARK = 23
P_WEIGHTS_COL = 24
N_PARAMS = 25

# Per-asset parameters (rows of one (N_VECTORS, n) array).
V_BENCHMARK = 0
V_LOWER = 1
V_UPPER = 2
V_COST = 3
V_INTERNAL = 4
V_IMPACT_SCALE = 5
V_INV_MAX_TRADE = 6
N_VECTORS = 7

#: Rows of the per-portfolio output ``scalars`` (shape ``(N_SCALARS, n_envs)``); the first 13
#: are ``info`` fields under these names, then the reward, termination and the reward's inputs.
SCALAR_ROWS = (
    "gross_return",
    "net_return",
    "rf",
    "benchmark_return",
    "cost_proportional",
    "cost_internal",
    "cost_impact",
    "cost_total",
    "turnover",
    "fill_ratio",
    "aum",
    "wealth",
    "drawdown",
    "reward",
    "terminated",
    "log_growth",
    "excess_return",
    "benchmark_log_growth",
    "risk",
)
S_GROSS = 0
S_NET = 1
S_RF = 2
S_BENCHMARK = 3
S_COST_P = 4
S_COST_H = 5
S_COST_I = 6
S_COST = 7
S_TURNOVER = 8
S_FILL = 9
S_AUM = 10
S_WEALTH = 11
S_DRAWDOWN = 12
S_REWARD = 13
S_TERMINATED = 14
S_LOG_GROWTH = 15
S_EXCESS = 16
S_BENCHMARK_LOG = 17
S_RISK = 18
N_SCALARS = 19
#: Rows of a ``book`` (shape ``(4, n_envs)``): wealth, running peak, two reward-state values.
BOOK_ROWS = ("wealth", "peak", "reward_0", "reward_1")
B_WEALTH = 0
B_PEAK = 1
B_REWARD_0 = 2
B_REWARD_1 = 3

#: Slabs of the per-portfolio output ``weights`` (shape ``(N_WEIGHTS, n_envs, n)``); the first
#: six are ``info`` fields, the last the drifted weights the next step starts from.
WEIGHT_SLABS = (
    "target_weights",
    "refused_weights",
    "executed_weights",
    "drifted_weights",
    "trade_cut",
    "trade_cut_notional",
    "state_drifted",
)
W_TARGET = 0
W_REFUSED = 1
W_EXECUTED = 2
W_DRIFTED = 3
W_CUT = 4
W_CUT_NOTIONAL = 5
W_STATE = 6
N_WEIGHTS = 7


@jit
def first_non_finite_row(actions):
    """Index of the first row with a NaN or inf, or -1."""
    for i in range(actions.shape[0]):
        for k in range(actions.shape[1]):
            if not math.isfinite(actions[i, k]):
                return i
    return -1


@jit
def step_rows(
    actions,
    t,
    drifted,
    book,
    excess,
    growth,
    rf,
    benchmark,
    cov,
    obs_rows,
    par,
    vec,
    weights,
    scalars,
    book_out,
    obs,
):
    """One month for every portfolio (row) of a batch; see :mod:`~factorgym.envs.transition`.

    Parameters
    ----------
    actions : ndarray of shape (n_envs, n)
        Actions (finite; clipped to ``[-1, 1]`` by the maps).
    t : ndarray of shape (n_envs,), int64
        Decision rows; each earns row ``t + 1``.
    drifted : ndarray of shape (n_envs, n)
        Drifted weights before trading.
    book : ndarray of shape (4, n_envs)
        Wealth, peak and the built-in reward's state (``BOOK_ROWS``).
    excess, growth : ndarray of shape (n_months, n)
        Excess returns and ``1 + rf + x`` of every month.
    rf, benchmark : ndarray of shape (n_months,)
        Risk-free and fixed-benchmark returns.
    cov : ndarray of shape (n_months, n, n)
        Trailing covariance (read only if the reward needs risk).
    obs_rows : ndarray of shape (n_months, n_obs), float32
        Precomputed observations (weights block zero).
    par : ndarray of shape (N_PARAMS,)
        Scalar parameters (``P_*``).
    vec : ndarray of shape (N_VECTORS, n)
        Per-asset parameters (``V_*``).
    weights : ndarray of shape (N_WEIGHTS, n_envs, n)
        Output, every element written.
    scalars : ndarray of shape (N_SCALARS, n_envs)
        Output, every element written.
    book_out : ndarray of shape (4, n_envs)
        Output: the book after the month.
    obs : ndarray of shape (n_envs, n_obs), float32
        Output: the observations at ``t + 1`` with the new drifted weights.

    Returns
    -------
    int
        -1, or the first row whose action holds NaN or inf (then nothing is written).

    Nothing else is written: the inputs are never modified.
    """
    n_envs = actions.shape[0]
    n = actions.shape[1]
    mode = int(par[P_MODE])
    allow_cash = par[P_ALLOW_CASH] != 0.0
    max_weight = par[P_MAX_WEIGHT]
    max_gross = par[P_MAX_GROSS]
    max_deviation = par[P_MAX_DEVIATION]
    tilt_long_only = par[P_TILT_LONG_ONLY] != 0.0
    budget = par[P_BUDGET]
    aum0 = par[P_AUM]
    aum_grows = par[P_AUM_GROWS] != 0.0
    has_position_limit = par[P_HAS_POSITION_LIMIT] != 0.0
    max_position = par[P_MAX_POSITION]
    has_turnover_cap = par[P_HAS_TURNOVER_CAP] != 0.0
    max_turnover = par[P_MAX_TURNOVER]
    band = par[P_BAND]
    has_capacity = par[P_HAS_CAPACITY] != 0.0
    dd_penalty = par[P_DRAWDOWN_PENALTY]
    to_penalty = par[P_TURNOVER_PENALTY]
    ruin = par[P_RUIN]
    has_dd_stop = par[P_HAS_DRAWDOWN_STOP] != 0.0
    dd_stop = par[P_DRAWDOWN_STOP]
    reward_kind = int(par[P_REWARD])
    reward_param = par[P_REWARD_PARAM]
    needs_risk = par[P_NEEDS_RISK] != 0.0
    needs_benchmark = par[P_NEEDS_BENCHMARK] != 0.0
    weights_col = int(par[P_WEIGHTS_COL])
    bench_w = vec[V_BENCHMARK]
    lower = vec[V_LOWER]
    upper = vec[V_UPPER]
    cost_rate = vec[V_COST]
    internal_rate = vec[V_INTERNAL]
    impact_scale = vec[V_IMPACT_SCALE]
    inv_max_trade = vec[V_INV_MAX_TRADE]

    bad = first_non_finite_row(actions)
    if bad >= 0:
        return bad
    # Work rows: each portfolio's numbers are copied in and out (an array view per row would
    # cost numba a reference count each, more than the arithmetic on four numbers).
    work = np.empty((12, n))  # one allocation (a step of one portfolio is ~1 us)
    action = work[0]
    d0 = work[1]
    target = work[2]
    refused = work[3]
    executed = work[4]
    cut = work[5]
    trade = work[6]
    abs_trade = work[7]
    abs_exec = work[8]
    x1 = work[9]
    g1 = work[10]
    drifted1 = work[11]
    for i in range(n_envs):
        for k in range(n):
            action[k] = actions[i, k]
            d0[k] = drifted[i, k]
        # 1. action -> target weights (feasible by construction)
        weights_row(
            action,
            mode,
            allow_cash,
            max_weight,
            max_gross,
            bench_w,
            max_deviation,
            tilt_long_only,
            target,
        )
        wealth = book[B_WEALTH, i]
        peak = book[B_PEAK, i]
        aum = aum0 * wealth if aum_grows else aum0
        # 2. position limits |w_k| <= M / N_t; 3. desired trade from the drifted weights
        lim = max_position / aum if has_position_limit else 0.0
        wanted = 0.0
        for k in range(n):
            held = target[k]
            if has_position_limit:
                held = min(max(held, -lim), lim)
                refused[k] = target[k] - held
            else:
                refused[k] = 0.0
            executed[k] = held
            trade[k] = held - d0[k]
            abs_trade[k] = abs(trade[k])
            wanted += abs_trade[k]
        # fill ratio: turnover cap, participation cap, no-trade band
        fill = 1.0
        if has_turnover_cap and wanted > max_turnover:
            fill = max_turnover / wanted
        if has_capacity:
            fill = min(fill, capacity_fill_row(abs_trade, aum, inv_max_trade))
        if band > 0.0 and wanted < band:
            if feasible_row(
                d0, lower, upper, mode, allow_cash, max_gross, budget, False, FEASIBLE_TOL
            ):
                fill = 0.0
        # 4. executed weights and the executed trade
        turnover = 0.0
        for k in range(n):
            if fill == 1.0:
                cut[k] = 0.0
            else:
                cut[k] = trade[k] * (1.0 - fill)
                executed[k] = d0[k] if fill == 0.0 else executed[k] - cut[k]
            abs_exec[k] = abs_trade[k] * fill
            turnover += abs_exec[k]
        cost_p = proportional_cost_row(abs_exec, cost_rate)
        cost_h = internal_cost_row(executed, internal_rate)
        cost_i = impact_cost_row(abs_exec, aum, impact_scale)
        cost = cost_p + cost_h + cost_i
        # 5. month t + 1
        t1 = t[i] + 1
        rf1 = rf[t1]
        for k in range(n):
            x1[k] = excess[t1, k]
            g1[k] = growth[t1, k]
        gross = portfolio_return_row(executed, x1, rf1)
        net = gross - cost
        wealth1 = grow_wealth(wealth, net)
        peak1 = peak if peak >= wealth1 else wealth1
        dd = drawdown(wealth1, peak1)
        drift_row(executed, g1, 1.0 + gross, drifted1)
        # reward
        lg = log_growth(net)
        excess1 = net - rf1
        bench_log = math.log1p(benchmark[t1]) if needs_benchmark else 0.0
        risk = quadratic_form(executed, cov[t[i]]) if needs_risk else 0.0
        r0 = book[B_REWARD_0, i]
        r1 = book[B_REWARD_1, i]
        if reward_kind == REWARD_LOG:
            reward = lg
        elif reward_kind == REWARD_EXCESS:
            reward = excess_log_return(lg, bench_log)
        elif reward_kind == REWARD_DSR:
            reward = differential_sharpe(excess1, r0, r1)
            r0, r1 = (
                moment_update(r0, excess1, reward_param),
                moment_update(r1, excess1 * excess1, reward_param),
            )
        elif reward_kind == REWARD_MEAN_VARIANCE:
            reward = mean_variance(excess1, risk, reward_param)
        else:  # a user's strategy: the shell computes it from the inputs below
            reward = 0.0
        reward = penalized(reward, dd, turnover, dd_penalty, to_penalty)
        terminated = wealth1 <= ruin or (has_dd_stop and dd >= dd_stop)

        scalars[S_GROSS, i] = gross
        scalars[S_NET, i] = net
        scalars[S_RF, i] = rf1
        scalars[S_BENCHMARK, i] = benchmark[t1]
        scalars[S_COST_P, i] = cost_p
        scalars[S_COST_H, i] = cost_h
        scalars[S_COST_I, i] = cost_i
        scalars[S_COST, i] = cost
        scalars[S_TURNOVER, i] = turnover
        scalars[S_FILL, i] = fill
        scalars[S_AUM, i] = aum
        scalars[S_WEALTH, i] = wealth1
        scalars[S_DRAWDOWN, i] = dd
        scalars[S_REWARD, i] = reward
        scalars[S_TERMINATED, i] = 1.0 if terminated else 0.0
        scalars[S_LOG_GROWTH, i] = lg
        scalars[S_EXCESS, i] = excess1
        scalars[S_BENCHMARK_LOG, i] = bench_log
        scalars[S_RISK, i] = risk
        book_out[B_WEALTH, i] = wealth1
        book_out[B_PEAK, i] = peak1
        book_out[B_REWARD_0, i] = r0
        book_out[B_REWARD_1, i] = r1
        for k in range(n):
            weights[W_TARGET, i, k] = target[k]
            weights[W_REFUSED, i, k] = refused[k]
            weights[W_EXECUTED, i, k] = executed[k]
            weights[W_DRIFTED, i, k] = drifted1[k]
            weights[W_CUT, i, k] = cut[k]
            weights[W_CUT_NOTIONAL, i, k] = abs(cut[k]) * aum
            weights[W_STATE, i, k] = drifted1[k]
        observe_row(obs_rows, t1, drifted1, weights_col, obs[i])
    return -1


# ============================================================================ public ufuncs
# The scalar formulas above as NumPy ufuncs (scalars or broadcast arrays), for the public
# functions. Each calls the row function, so the formula stays written once; a ufunc is not
# called from the kernel itself (numba's ufunc call on scalars costs ~100 ns, the formula less).


@ufunc
def grow_wealth_ufunc(wealth, net_return):
    """:func:`grow_wealth` elementwise."""
    return grow_wealth(wealth, net_return)


@ufunc
def drawdown_ufunc(wealth, peak):
    """:func:`drawdown` elementwise."""
    return drawdown(wealth, peak)


@ufunc
def impact_rate_ufunc(trade_notional, impact_coef, sigma_daily, capacity_usd, trade_days):
    """:func:`impact_rate` elementwise."""
    return impact_rate(trade_notional, impact_coef, sigma_daily, capacity_usd, trade_days)


@ufunc
def participation_ufunc(abs_trade, aum, capacity_usd, trade_days):
    """:func:`participation` elementwise."""
    return participation(abs_trade, aum, capacity_usd, trade_days)


@ufunc
def log_growth_ufunc(net_return):
    """:func:`log_growth` elementwise."""
    return log_growth(net_return)


@ufunc
def excess_log_return_ufunc(log_growth, benchmark_log_growth):
    """:func:`excess_log_return` elementwise."""
    return excess_log_return(log_growth, benchmark_log_growth)


@ufunc
def differential_sharpe_ufunc(excess_return, a_prev, b_prev):
    """:func:`differential_sharpe` elementwise."""
    return differential_sharpe(excess_return, a_prev, b_prev)


@ufunc
def moment_update_ufunc(previous, value, eta):
    """:func:`moment_update` elementwise."""
    return moment_update(previous, value, eta)


@ufunc
def mean_variance_ufunc(excess_return, risk, risk_aversion):
    """:func:`mean_variance` elementwise."""
    return mean_variance(excess_return, risk, risk_aversion)


@ufunc
def penalized_ufunc(reward, drawdown, turnover, drawdown_penalty, turnover_penalty):
    """:func:`penalized` elementwise."""
    return penalized(reward, drawdown, turnover, drawdown_penalty, turnover_penalty)
