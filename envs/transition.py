"""`Dynamics`: one month of the factor-timing market, shared by the single and the batched env.

``Dynamics.step`` composes the pure functions of :mod:`~factorgym.envs.action_maps`,
:mod:`~factorgym.envs.costs`, :mod:`~factorgym.envs.impact`, :mod:`~factorgym.envs.accounting`
and :mod:`~factorgym.envs.rewards`. It is called with one portfolio (weights ``(n,)``, scalars)
by :class:`~factorgym.envs.FactorTimingEnv` and with a batch (weights ``(n_envs, n)``, per-env
arrays ``(n_envs,)``) by :class:`~factorgym.envs.BatchedFactorTimingEnv`; it never mutates its
inputs, so both envs are the same maths by construction.

Order of events at the end of month ``t`` (``ARCHITECTURE.md``):

1. the action maps to target weights ``w*`` (feasible by construction);
2. positions above ``max_position_notional`` are refused: ``|w*_k| <= M / N_t``;
3. the desired trade is ``dw = w* - w~_t`` from the drifted weights; the rebalance is skipped if
   ``sum |dw| < no_trade_band`` (and ``w~_t`` is feasible), else filled pro rata at
   ``phi = min(1, max_turnover / sum |dw|, participation limit)``;
4. executed weights ``w_t = w* - (1 - phi) dw``; costs on the executed trade ``phi dw``:
   proportional, internal (on ``|w_t|``) and square-root impact at AUM ``N_t``;
5. month ``t + 1``: ``r_gross = rf + w_t . x``, ``r_net = r_gross - costs``, wealth, drawdown,
   drifted weights ``w~_{t+1}``, reward.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from factorgym._typing import FloatArray
from factorgym.envs._rowops import as_column, row_sum
from factorgym.envs.accounting import drawdown, drift_weights, grow_wealth, portfolio_return
from factorgym.envs.action_maps import ActionSpec
from factorgym.envs.costs import CostModel, internal_cost, proportional_cost
from factorgym.envs.impact import capacity_fill, impact_cost
from factorgym.envs.market_data import MarketData
from factorgym.envs.rewards import RewardStrategy, penalized

__all__ = ["Dynamics", "Transition"]

_LOG_FLOOR = 1e-12  # 1 + r_net is floored here in the log reward (ruin terminates the episode)


def _zeros_like(x: FloatArray) -> FloatArray:
    """Zeros of ``x``'s shape and memory order (``np.zeros_like`` without its Python overhead)."""
    return np.zeros(x.shape, order="F" if x.ndim == 2 and x.flags.f_contiguous else "C")


class Transition(NamedTuple):
    """Everything one month produces (scalars for one env, ``(n_envs,)`` arrays for a batch)."""

    t: Any
    target: FloatArray
    refused: FloatArray
    executed: FloatArray
    drifted: FloatArray
    trade_cut: FloatArray
    fill: Any
    turnover: Any
    cost_proportional: Any
    cost_internal: Any
    cost_impact: Any
    cost_total: Any
    gross_return: Any
    net_return: Any
    benchmark_return: Any
    rf: Any
    wealth: Any
    peak: Any
    drawdown: Any
    reward: Any
    reward_state: tuple[Any, ...]
    aum: Any
    terminated: Any


class Dynamics:
    """The market, cost model, action mode and reward of an env (immutable after construction).

    Parameters
    ----------
    market : MarketData
        Precomputed arrays.
    spec : ActionSpec
        Action mode.
    costs : CostModel
        Cost, impact and capacity parameters.
    reward : RewardStrategy
        Reward strategy.
    config : EnvConfig
        Limits, penalties, AUM and stopping rules.
    """

    def __init__(
        self,
        market: MarketData,
        spec: ActionSpec,
        costs: CostModel,
        reward: RewardStrategy,
        config: Any,
    ) -> None:
        self.market = market
        self.spec = spec
        self.costs = costs
        self.reward = reward
        self.config = config
        self.aum = float(config.aum)
        self.aum_grows = bool(config.aum_grows_with_wealth)
        self.max_position = config.max_position_notional
        self.max_turnover = config.max_turnover
        self.band = float(config.no_trade_band)
        self.c_rate = costs.cost_rate
        self.h_rate = costs.internal_rate
        self.impact_scale = costs.impact_scale
        self.has_c = bool(costs.cost_bps.any())
        self.has_h = bool(costs.internal_bps.any())
        self.has_y = bool(costs.impact_coef.any())
        max_trade = costs.max_trade_usd
        self.has_cap = bool(np.isfinite(max_trade).any())
        self.inv_max_trade = np.where(np.isfinite(max_trade), 1.0 / max_trade, 0.0)
        self.max_inv_trade = float(self.inv_max_trade.max())
        self.dd_penalty = float(config.drawdown_penalty)
        self.to_penalty = float(config.turnover_penalty)
        self.ruin = float(config.ruin_wealth)
        self.dd_stop = config.max_drawdown_stop
        self.needs_risk = bool(reward.needs_risk)
        self.needs_bench = bool(getattr(reward, "needs_benchmark", False))
        self.nonneg = spec.mode == "long_only" or (spec.mode == "tilt" and spec.tilt_long_only)

    # ------------------------------------------------------------------ pieces
    def aum_at(self, wealth: Any) -> Any:
        """AUM ``N_t`` in dollars at wealth ``wealth``."""
        return self.aum * wealth if self.aum_grows else self.aum

    def fill_ratio(self, abs_trade: FloatArray, wanted: Any, aum: Any, drifted: FloatArray) -> Any:
        """Fraction ``phi`` of the desired trade executed (0 = skipped by the no-trade band)."""
        if isinstance(wanted, np.ndarray):
            fill = np.ones(len(wanted))
            if self.max_turnover is not None:
                fill = np.minimum(fill, self.max_turnover / np.maximum(wanted, 1e-300))
            if self.has_cap and (wanted * aum).max() * self.max_inv_trade > 1.0:
                fill = np.minimum(fill, capacity_fill(abs_trade, aum, self.inv_max_trade))
            if self.band > 0.0:
                skip = (wanted < self.band) & self.spec.is_feasible(drifted)
                fill = np.where(skip, 0.0, fill)
            return fill
        if self.band > 0.0 and wanted < self.band and self.spec.is_feasible(drifted):
            return 0.0
        fill = 1.0
        if self.max_turnover is not None and wanted > self.max_turnover:
            fill = self.max_turnover / wanted
        if self.has_cap and wanted * aum * self.max_inv_trade > 1.0:
            fill = min(fill, capacity_fill(abs_trade, aum, self.inv_max_trade))
        return fill

    # ------------------------------------------------------------------ one month
    def step(
        self,
        action: FloatArray,
        t: Any,
        drifted: FloatArray,
        wealth: Any,
        peak: Any,
        reward_state: tuple[Any, ...],
    ) -> Transition:
        """Apply one action at decision row ``t`` (see the module docstring for the order).

        Parameters
        ----------
        action : ndarray of shape (n,) or (n_envs, n), float64
            Actions in ``[-1, 1]`` (clipped); never modified.
        t : int or ndarray of shape (n_envs,)
            Decision rows (month ``t`` ends; the month earned is ``t + 1``).
        drifted : ndarray like ``action``
            Drifted weights ``w~_t``; never modified.
        wealth, peak : float or ndarray of shape (n_envs,)
            Wealth and running peak before the month.
        reward_state : tuple
            Reward strategy state.

        Returns
        -------
        Transition
            Fresh arrays only: nothing aliases the inputs.
        """
        batched = action.ndim == 2
        m = self.market
        target = self.spec.to_weights(action)
        aum = self.aum * wealth if self.aum_grows else self.aum  # a float unless it grows
        if self.max_position is not None:
            lim = as_column(self.max_position / aum)
            held = np.minimum(np.maximum(target, -lim), lim)
            refused = target - held
        else:
            held = target
            refused = _zeros_like(target)
        trade = held - drifted
        abs_trade = np.abs(trade)
        wanted = row_sum(abs_trade)
        # fast path of fill_ratio when no limit can bind (the largest |dw_k| is <= sum |dw|)
        may_cut = self.band > 0.0 or self.max_turnover is not None
        if not may_cut and self.has_cap:
            top = (wanted * aum).max() if batched else wanted * aum
            may_cut = top * self.max_inv_trade > 1.0
        if may_cut:
            fill = self.fill_ratio(abs_trade, wanted, aum, drifted)
        else:
            fill = np.ones(len(wanted)) if batched else 1.0

        if batched:
            zero = np.zeros(len(fill))
            if not may_cut or (fill == 1.0).all():  # the general branch's numbers, fewer steps
                cut = _zeros_like(trade)
                executed = held.copy(order="K") if held is target else held
                abs_exec = abs_trade
                turnover = wanted
            else:
                f = fill[:, None]
                cut = trade * (1.0 - f)
                executed = held - cut
                if self.band > 0.0:
                    skip = fill == 0.0
                    if skip.any():
                        executed[skip] = drifted[skip]
                abs_exec = abs_trade * f
                turnover = row_sum(abs_exec)
        else:
            if fill == 1.0:
                cut = np.zeros(trade.shape)
                executed = held.copy() if held is target else held
                abs_exec = abs_trade
                turnover = wanted
            else:
                cut = trade * (1.0 - fill)
                executed = drifted.copy() if fill == 0.0 else held - cut
                abs_exec = abs_trade * fill
                turnover = row_sum(abs_exec)
            zero = 0.0

        cost_p = proportional_cost(abs_exec, self.c_rate) if self.has_c else zero
        if self.has_h:
            # long-only weights are >= 0 (a fill mixes two non-negative vectors): skip the abs
            cost_h = internal_cost(executed if self.nonneg else np.abs(executed), self.h_rate)
        else:
            cost_h = zero
        cost_i = impact_cost(abs_exec, aum, self.impact_scale) if self.has_y else zero
        cost = cost_p + cost_h + cost_i

        t1 = t + 1
        if batched:  # take() gathers rows several times faster than fancy indexing
            x1 = m.excess_t.take(t1, axis=1).T  # column-major, like the batched env's state
            rf1 = m.rf.take(t1)
            g1 = m.growth_t.take(t1, axis=1).T
        else:
            x1 = m.excess[t1]
            rf1 = m.rf[t1]
            g1 = m.growth[t1]
        gross = portfolio_return(executed, x1, rf1)
        net = gross - cost
        wealth1 = grow_wealth(wealth, net)
        bench = m.benchmark.take(t1) if batched else m.benchmark[t1]
        if batched:
            peak1 = np.maximum(peak, wealth1)
            log_growth = np.log1p(np.maximum(net, _LOG_FLOOR - 1.0))
            bench_log = np.log1p(bench) if self.needs_bench else zero
        else:
            peak1 = peak if peak >= wealth1 else wealth1
            log_growth = math.log1p(net if net > _LOG_FLOOR - 1.0 else _LOG_FLOOR - 1.0)
            bench_log = math.log1p(bench) if self.needs_bench else 0.0
        dd = drawdown(wealth1, peak1)
        drifted1 = drift_weights(executed, g1, 1.0 + gross)

        if self.needs_risk:
            cov = m.cov.take(t, axis=0) if batched else m.cov[t]  # type: ignore[union-attr]
            if batched:
                risk = np.einsum("ij,ijk,ik->i", executed, cov, executed)
            else:
                risk = executed @ cov @ executed
        else:
            risk = zero
        reward, state1 = self.reward(log_growth, net - rf1, bench_log, risk, reward_state)
        reward = penalized(reward, dd, turnover, self.dd_penalty, self.to_penalty)

        terminated = wealth1 <= self.ruin
        if self.dd_stop is not None:
            terminated = terminated | (dd >= self.dd_stop)
        return Transition(
            t1,
            target,
            refused,
            executed,
            drifted1,
            cut,
            fill,
            turnover,
            cost_p,
            cost_h,
            cost_i,
            cost,
            gross,
            net,
            bench,
            rf1,
            wealth1,
            peak1,
            dd,
            reward,
            state1,
            aum,
            terminated,
        )
