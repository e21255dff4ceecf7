"""`Dynamics`: one month of the factor-timing market for a batch of portfolios.

:class:`~factorgym.envs.BatchedFactorTimingEnv` steps ``n_envs`` portfolios with one call of
:meth:`Dynamics.step`; :class:`~factorgym.envs.FactorTimingEnv` is the same call with
``n_envs = 1``. The month itself is :func:`factorgym.envs.kernel.step_rows`, compiled with numba:
every formula is written once there, for one row, and the public pure functions
(:mod:`~factorgym.envs.accounting`, :mod:`~factorgym.envs.costs`, :mod:`~factorgym.envs.impact`,
:mod:`~factorgym.envs.action_maps`, :mod:`~factorgym.envs.rewards`) run the same row functions.

Order of events at the end of month ``t`` (``ARCHITECTURE.md``), for each portfolio:

1. the action maps to target weights ``w*`` (feasible by construction);
2. positions above ``max_position_notional`` are refused: ``|w*_k| <= M / N_t``;
3. the desired trade is ``dw = w* - w~_t`` from the drifted weights; the rebalance is skipped if
   ``sum |dw| < no_trade_band`` (and ``w~_t`` is feasible), else filled pro rata at
   ``phi = min(1, max_turnover / sum |dw|, participation limit)``;
4. executed weights ``w_t = w* - (1 - phi) dw``; costs on the executed trade ``phi dw``:
   proportional, internal (on ``|w_t|``) and square-root impact at AUM ``N_t``;
5. month ``t + 1``: ``r_gross = rf + w_t . x``, ``r_net = r_gross - costs``, wealth, drawdown,
   drifted weights ``w~_{t+1}``, reward (minus penalties), termination.

State of a batch: decision rows ``t`` (``(n_envs,)`` int64), drifted weights (``(n_envs, n)``), a
``book`` (``(4, n_envs)``: wealth, running peak, two values of a built-in reward's state) and,
for a user's reward strategy, its own state (a tuple of ``(n_envs,)`` arrays).
"""

from __future__ import annotations

import functools

import numpy as np

from factorgym._typing import FloatArray, IntArray
from factorgym.envs import kernel
from factorgym.envs.action_maps import ActionSpec
from factorgym.envs.config import EnvConfig
from factorgym.envs.costs import CostModel
from factorgym.envs.market_data import MarketData
from factorgym.envs.rewards import RewardStrategy, kernel_reward, penalized
from factorgym.errors import InvalidActionError

__all__ = ["Dynamics"]

#: Bytes: consecutive slabs of an output must not start at the same offset modulo 4 KiB.
_PAGE = 4096
_MIN_SHIFT = 256


@functools.lru_cache(maxsize=64)
def padded_rows(n_envs: int, row_bytes: int) -> int:
    """Rows to allocate per slab of an output so that slabs do not alias in the L1 cache.

    The kernel writes every output of portfolio ``i`` before moving to ``i + 1``: a few numbers
    into each of ~30 slabs. Slabs a multiple of 4 KiB apart fall into the same L1 cache sets and
    evict each other at every write (the kernel ran ~1.7x slower at ``n_envs = 1024``), so a
    large batch gets a few rows of padding per slab; the rows past ``n_envs`` are never written.
    """
    if n_envs * row_bytes < _PAGE:
        return n_envs
    rows = n_envs + 1
    while not _MIN_SHIFT <= (rows * row_bytes) % _PAGE <= _PAGE - _MIN_SHIFT:
        rows += 1
    return rows


def _frozen(a: np.ndarray) -> np.ndarray:
    out = np.ascontiguousarray(a, dtype=np.float64)
    out.setflags(write=False)
    return out


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
        Reward strategy (built-in ones run inside the kernel).
    config : EnvConfig
        Limits, penalties, AUM and stopping rules.
    """

    def __init__(
        self,
        market: MarketData,
        spec: ActionSpec,
        costs: CostModel,
        reward: RewardStrategy,
        config: EnvConfig,
    ) -> None:
        self.market = market
        self.spec = spec
        self.costs = costs
        self.reward = reward
        self.config = config
        n = market.n_assets
        builtin = kernel_reward(reward)
        #: A user's strategy, called from Python on the kernel's inputs (None: built in).
        self.custom_reward: RewardStrategy | None = None if builtin is not None else reward
        code, param = builtin if builtin is not None else (kernel.REWARD_CUSTOM, 0.0)
        self._builtin_state = reward.initial_state() if builtin is not None else ()
        max_trade = costs.max_trade_usd
        capped = np.isfinite(max_trade)
        par = np.zeros(kernel.N_PARAMS)
        par[kernel.P_MODE] = spec.mode_code
        par[kernel.P_ALLOW_CASH] = spec.allow_cash
        par[kernel.P_MAX_WEIGHT] = spec.max_weight
        par[kernel.P_MAX_GROSS] = spec.max_gross
        par[kernel.P_MAX_DEVIATION] = spec.max_deviation
        par[kernel.P_TILT_LONG_ONLY] = spec.tilt_long_only
        par[kernel.P_BUDGET] = spec.budget
        par[kernel.P_AUM] = config.aum
        par[kernel.P_AUM_GROWS] = config.aum_grows_with_wealth
        par[kernel.P_HAS_POSITION_LIMIT] = config.max_position_notional is not None
        par[kernel.P_MAX_POSITION] = config.max_position_notional or 0.0
        par[kernel.P_HAS_TURNOVER_CAP] = config.max_turnover is not None
        par[kernel.P_MAX_TURNOVER] = config.max_turnover or 0.0
        par[kernel.P_BAND] = config.no_trade_band
        par[kernel.P_HAS_CAPACITY] = bool(capped.any())
        par[kernel.P_DRAWDOWN_PENALTY] = config.drawdown_penalty
        par[kernel.P_TURNOVER_PENALTY] = config.turnover_penalty
        par[kernel.P_RUIN] = config.ruin_wealth
        par[kernel.P_HAS_DRAWDOWN_STOP] = config.max_drawdown_stop is not None
        par[kernel.P_DRAWDOWN_STOP] = config.max_drawdown_stop or 0.0
        par[kernel.P_REWARD] = code
        par[kernel.P_REWARD_PARAM] = param
        par[kernel.P_NEEDS_RISK] = reward.needs_risk
        par[kernel.P_NEEDS_BENCHMARK] = reward.needs_benchmark
        par[kernel.P_WEIGHTS_COL] = market.weights_col if market.include_weights else -1
        lower, upper = spec.bounds()
        vec = np.zeros((kernel.N_VECTORS, n))
        vec[kernel.V_BENCHMARK] = spec.benchmark
        vec[kernel.V_LOWER] = lower
        vec[kernel.V_UPPER] = upper
        vec[kernel.V_COST] = costs.cost_rate
        vec[kernel.V_INTERNAL] = costs.internal_rate
        vec[kernel.V_IMPACT_SCALE] = costs.impact_scale
        vec[kernel.V_INV_MAX_TRADE] = np.where(capped, 1.0 / np.where(capped, max_trade, 1.0), 0.0)
        # the kernel reads the covariance only when the reward needs risk
        cov = market.cov if market.cov is not None else _frozen(np.zeros((1, n, n)))
        self._shapes: dict[int, tuple[tuple[int, ...], ...]] = {}
        #: The kernel's arguments that do not change from step to step.
        self._static = (
            market.excess,
            market.growth,
            market.rf,
            market.benchmark,
            cov,
            market.obs_rows,
            _frozen(par),
            _frozen(vec),
        )

    # ------------------------------------------------------------------ state
    def initial_weights(self) -> FloatArray:
        """Holdings before the first rebalance: all cash, or the benchmark."""
        if self.config.initial_weights == "benchmark":
            return np.array(self.spec.benchmark, dtype=np.float64)
        return np.zeros(self.market.n_assets)

    def initial_state(self, n_envs: int) -> tuple[FloatArray, FloatArray, tuple[FloatArray, ...]]:
        """Drifted weights ``(n_envs, n)``, book ``(4, n_envs)``, user reward state: a start."""
        drifted = np.tile(self.initial_weights(), (n_envs, 1))
        book = np.zeros((len(kernel.BOOK_ROWS), n_envs))
        custom: tuple[FloatArray, ...] = ()
        if self.custom_reward is not None:
            custom = tuple(np.zeros(n_envs) for _ in self.reward.initial_state())
        self.reset_rows(np.ones(n_envs, dtype=bool), drifted, book, custom)
        return drifted, book, custom

    def reset_rows(
        self,
        mask: np.ndarray,
        drifted: FloatArray,
        book: FloatArray,
        custom: tuple[FloatArray, ...],
    ) -> None:
        """Start the portfolios of ``mask`` afresh, in place: holdings, wealth 1, reward state."""
        drifted[mask] = self.initial_weights()
        book[kernel.B_WEALTH, mask] = 1.0
        book[kernel.B_PEAK, mask] = 1.0
        book[kernel.B_REWARD_0 :, mask] = 0.0
        for row, v in enumerate(self._builtin_state):
            book[kernel.B_REWARD_0 + row, mask] = v
        if self.custom_reward is not None:
            for arr, v in zip(custom, self.reward.initial_state(), strict=True):
                arr[mask] = v

    # ------------------------------------------------------------------ one month
    def _output_shapes(self, n_envs: int) -> tuple[tuple[int, ...], ...]:
        n = self.market.n_assets
        shapes = (
            (kernel.N_WEIGHTS, padded_rows(n_envs, 8 * n), n),
            (kernel.N_SCALARS, padded_rows(n_envs, 8)),
            (len(kernel.BOOK_ROWS), n_envs),
            (n_envs, self.market.obs_dim),
        )
        self._shapes[n_envs] = shapes
        return shapes

    def step(
        self,
        actions: FloatArray,
        t: IntArray,
        drifted: FloatArray,
        book: FloatArray,
        custom: tuple[FloatArray, ...],
        *,
        name: str,
    ) -> tuple[FloatArray, FloatArray, FloatArray, np.ndarray, tuple[FloatArray, ...]]:
        """One month for every portfolio (see the module docstring for the order of events).

        Parameters
        ----------
        actions : ndarray of shape (n_envs, n), float64, C order
            Actions (clipped to ``[-1, 1]`` by the maps); never modified.
        t : ndarray of shape (n_envs,), int64
            Decision rows (month ``t`` ends; the month earned is ``t + 1``).
        drifted : ndarray of shape (n_envs, n)
            Drifted weights ``w~_t``; never modified.
        book : ndarray of shape (4, n_envs)
            Wealth, peak and built-in reward state before the month; never modified.
        custom : tuple of ndarray of shape (n_envs,)
            A user reward strategy's state (empty for built-in rewards).
        name : str
            Name of the action argument, for the error message.

        Returns
        -------
        weights : ndarray of shape (7, rows, n)
            Slabs ``kernel.WEIGHT_SLABS``: the six ``info`` vectors, then the next drifted
            weights; only the first ``n_envs`` rows are written (``rows >= n_envs``, see
            :func:`padded_rows`).
        scalars : ndarray of shape (19, rows)
            Rows ``kernel.SCALAR_ROWS``: the 13 ``info`` numbers, reward, termination flag and the
            reward's inputs, in the first ``n_envs`` columns.
        book : ndarray of shape (4, n_envs)
            The book after the month.
        obs : ndarray of shape (n_envs, n_obs), float32
            Observations at ``t + 1`` with the new drifted weights.
        custom : tuple of ndarray
            The user reward strategy's next state.

        Raises
        ------
        InvalidActionError
            If an action holds NaN or inf.
        """
        n_envs = len(actions)
        shapes = self._shapes.get(n_envs) or self._output_shapes(n_envs)
        weights = np.empty(shapes[0])
        scalars = np.empty(shapes[1])
        book1 = np.empty(shapes[2])
        obs = np.empty(shapes[3], dtype=np.float32)
        bad = kernel.step_rows(
            actions, t, drifted, book, *self._static, weights, scalars, book1, obs
        )
        if bad >= 0:
            where = f" (env {bad})" if n_envs > 1 else ""
            raise InvalidActionError(
                f"`{name}` must be finite (no NaN or inf), got {actions[bad].tolist()}{where}"
            )
        strategy = self.custom_reward
        if strategy is not None:
            s = scalars[:, :n_envs]
            reward, custom = strategy(
                s[kernel.S_LOG_GROWTH], s[kernel.S_EXCESS], s[kernel.S_BENCHMARK_LOG],
                s[kernel.S_RISK], custom,
            )  # fmt: skip
            s[kernel.S_REWARD] = penalized(
                reward,
                s[kernel.S_DRAWDOWN],
                s[kernel.S_TURNOVER],
                self.config.drawdown_penalty,
                self.config.turnover_penalty,
            )
            custom = tuple(
                np.array(np.broadcast_to(v, (n_envs,)), dtype=np.float64) for v in custom
            )
        return weights, scalars, book1, obs, custom
