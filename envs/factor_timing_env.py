"""`FactorTimingEnv`: monthly factor timing with trading costs, market impact and capacity."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import gymnasium as gym
import numpy as np
import pandas as pd
from gymnasium import spaces
from gymnasium.error import ResetNeeded

from factorgym.envs import kernel
from factorgym.envs._views import DynamicsViews
from factorgym.envs.accounting import drawdown
from factorgym.envs.action_maps import ActionSpec, as_actions
from factorgym.envs.config import EnvConfig
from factorgym.envs.cost_presets import resolve_cost_model
from factorgym.envs.episodes import check_options, parse_start_option, sample_starts, stop_rows
from factorgym.envs.history import MarketHistory, history_view
from factorgym.envs.info import reset_info, step_info
from factorgym.envs.market_data import build_market_data
from factorgym.envs.rewards import RewardStrategy, make_reward
from factorgym.envs.transition import Dynamics
from factorgym.errors import ConfigError
from factorgym.panel import FactorPanel

__all__ = ["OBS_BOUND", "FactorTimingEnv", "resolve_config", "resolve_panel"]

#: Finite stand-in for an unbounded observation (float32 max): the checkers warn on +-inf bounds.
OBS_BOUND = float(np.finfo(np.float32).max)


@functools.lru_cache(maxsize=8)
def _load_named(name: str) -> FactorPanel:
    from factorgym.data import load

    return load(name)


def resolve_panel(panel: FactorPanel | str | None) -> FactorPanel:
    """A panel, the name of an embedded source (``"french"``, ``"etf"``), or None (French)."""
    if panel is None:
        return _load_named("french")
    if isinstance(panel, str):
        if panel not in ("french", "etf"):
            raise ConfigError(f"`panel` must be a FactorPanel, 'french' or 'etf', got {panel!r}")
        return _load_named(panel)
    if not isinstance(panel, FactorPanel):
        raise ConfigError(
            f"`panel` must be a FactorPanel, 'french' or 'etf', got {type(panel).__name__}"
        )
    return panel


def resolve_config(config: EnvConfig | Mapping[str, Any] | None) -> EnvConfig:
    """An ``EnvConfig`` from a config, a mapping of its fields, or None (defaults)."""
    if config is None:
        return EnvConfig()
    if isinstance(config, EnvConfig):
        return config
    return EnvConfig.from_dict(config)


def build_dynamics(
    panel: FactorPanel,
    features: Mapping[str, pd.DataFrame] | pd.DataFrame | None,
    config: EnvConfig,
) -> Dynamics:
    """Resolve reward, cost model, action spec and market arrays of an env."""
    reward: RewardStrategy
    if isinstance(config.reward, str):
        reward = make_reward(
            config.reward,
            risk_aversion=config.risk_aversion,
            dsr_eta=config.dsr_eta,
            dsr_prior_vol=config.dsr_prior_vol,
        )
    else:
        reward = config.reward
    spec = ActionSpec.from_config(config, panel.n_assets)
    market = build_market_data(
        panel, features, config, needs_cov=reward.needs_risk, benchmark_weights=spec.benchmark
    )
    costs = resolve_cost_model(panel.assets, panel.kind, config)
    return Dynamics(market, spec, costs, reward, config)


class FactorTimingEnv(DynamicsViews, gym.Env[np.ndarray, np.ndarray]):
    """Monthly factor timing: allocate across factors or assets, pay costs, impact and capacity.

    ## Description

    At the end of month ``t`` the agent sees ``obs_t`` (data up to month ``t`` only) and chooses
    target weights ``w_t``; the portfolio earns month ``t + 1``: ``r = rf + sum_k w_k x_k``, with
    ``x`` the factor returns of a ``kind="excess"`` panel (long-short factors on collateral) or
    ``R - rf`` of a ``kind="total"`` panel (uncommitted weight earns ``rf``). Between rebalances
    the weights drift with returns, and the trade at ``t`` goes from the drifted weights
    ``w~_t`` to ``w_t``. Costs are charged on the executed trade and subtracted from the month's
    return: proportional ``c_k |dw_k|``, internal rebalancing ``h_k |w_k|`` (a long-short
    factor's own turnover: holding Momentum costs more than holding the market), and square-root
    impact ``legs_k |dw_k| Y_k sigma_k sqrt(N |dw_k| / (V_k D))`` at AUM ``N``. Trades above the
    participation cap ``p_max`` of the daily volume are filled pro rata, positions above
    ``max_position_notional`` are refused; both are reported in ``info``. See
    :mod:`factorgym.envs.transition` for the exact order of events.

    Default cost parameters are the ``central`` preset of ``COSTS.md``
    (:mod:`factorgym.envs.cost_presets`, with sources): e.g. Mkt-RF 2 bp one-way, HML 12 bp and
    5 bp/month internal, Mom 15 bp and 40 bp/month internal (Novy-Marx & Velikov 2016 turnover
    bands), impact prefactor ``Y = 0.5`` (Toth et al. 2011), trades spread over ``D = 5`` days
    (Ratcliffe, Miranda & Ang 2017), ``p_max = 10 %``, AUM $100m. Charging ``h`` per factor
    ignores netting across factors and overstates a combination's cost (DeMiguel et al. 2020).
    ``config=EnvConfig(costs="zero")`` gives a frictionless env.

    ## Action Space

    ``Box(-1, 1, (n_assets,), float32)``, mapped to feasible target weights by a pure function
    of :mod:`factorgym.envs.action_maps` that reaches every feasible portfolio:

    - ``"long_only"``: ``w >= 0``, ``sum w <= 1`` (``= 1`` if ``allow_cash=False``);
      ``a = 2 w - 1`` gives ``w``, so ``a = (1, -1, ..., -1)`` is 100 % in the first asset.
    - ``"long_short"``: ``|w_k| <= max_weight``, ``sum |w| <= max_gross``; ``a = w / max_weight``.
    - ``"tilt"``: ``w = b + x``, ``|x_k| <= max_deviation``, ``sum x = 0`` (and ``w >= 0``) around
      the fixed benchmark ``b`` (default 1/N).

    ``max_turnover`` and ``no_trade_band`` then limit the trade. Allocators that produce weights
    use :class:`~factorgym.envs.TargetWeights`.

    ## Observation Space

    ``Box(-3.4e38, 3.4e38, (n_obs,), float32)`` (float32 max stands for unbounded). Row ``t``
    uses panel rows ``<= t`` only. Blocks, in this order (``env.observation_columns`` names
    every column, ``env.observation_blocks`` gives each block's slice):

    | Columns          | Block      | Name               | Value at month-end t                   |
    |------------------|------------|--------------------|----------------------------------------|
    | ``j*n + k``, j<L | returns    | ``ret_lag{j}:{a}`` | excess return of asset a in month t-j  |
    | ``L*n + k``      | volatility | ``vol:{a}``        | std (ddof=1) of a's last Lv returns    |
    | next f columns   | features   | ``{block}:{col}``  | row t of each feature frame            |
    | last n columns   | weights    | ``w:{a}``          | drifted weight of a before trading     |

    ``L = lookback`` (12), ``Lv = vol_lookback`` (12). With no features, the default
    ``gym.make("factorgym/FactorTiming-v0")`` (MktRF, SMB, HML, Mom) has 56 columns:

    | Index     | Name                                    | Range                              |
    |-----------|-----------------------------------------|------------------------------------|
    | 0 - 3     | ``ret_lag0:MktRF`` .. ``ret_lag0:Mom``  | returns of month t, > -1           |
    | 4j - 4j+3 | ``ret_lag{j}:MktRF`` .. ``:Mom``        | returns of month t - j, j = 1..11  |
    | 48 - 51   | ``vol:MktRF`` .. ``vol:Mom``            | trailing 12-month std, >= 0        |
    | 52 - 55   | ``w:MktRF`` .. ``w:Mom``                | drifted weights, [0, 1] long-only  |

    The ETF id (MTUM, QUAL, SIZE, USMV, VLUE) has 60 + 5 + 5 = 70 columns in the same layout.
    With ``normalize=True`` the data blocks (not the
    weights) are standardised with means and stds of the ``normalize_window`` rows only. Feature
    frames must be aligned on the panel's months; a later-dated or misaligned row raises
    :class:`~factorgym.errors.LookAheadError`.

    ## Rewards

    ``reward=`` ``"log_return"`` (default, ``log(1 + r_net)``), ``"excess_return"`` (log return
    over the fixed benchmark's), ``"differential_sharpe"`` (Moody & Saffell 2001) or
    ``"mean_variance"`` (``r_net - rf - lambda/2 w' S_t w`` with a trailing covariance), minus
    ``drawdown_penalty * drawdown + turnover_penalty * turnover``. The reward is a training
    signal; evaluate from ``info``.

    ## Starting State

    The first decision month is the window start or, with ``random_start=True`` (default),
    uniform over the starts that leave a full ``episode_length`` (120 months) in the window,
    drawn from ``self.np_random``. ``reset(options={"start": "1990-01"})`` starts the episode so
    that it earns 1990-01 first. Wealth is 1 and the holdings are cash (or the benchmark).

    ## Episode End

    - Truncation: the window's data end or ``episode_length`` months.
    - Termination: wealth ``<= ruin_wealth`` (0.01) or drawdown ``>= max_drawdown_stop``.

    ``info`` of every step (:mod:`factorgym.envs.info`, the same keys as the batched env's):
    ``date`` (month earned, month-end), ``decision_date``, ``gross_return``, ``net_return``,
    ``rf``, ``benchmark_return``, ``cost_proportional``, ``cost_internal``, ``cost_impact``,
    ``cost_total``, ``turnover`` (executed, one-way), ``fill_ratio``, ``aum``, ``wealth``,
    ``drawdown``, ``target_weights``, ``refused_weights`` (position limit),
    ``executed_weights``, ``drifted_weights`` (after the month), ``trade_cut`` (weights not
    traded) and ``trade_cut_notional`` (dollars). ``info`` of a reset: ``date``, ``wealth``,
    ``drawdown``, ``drifted_weights``, ``episode_end``.

    ``step`` raises :class:`~factorgym.errors.InvalidActionError` for an action that is not an
    array of ``n_assets`` finite numbers (strings, a dict, None, a wrong shape, NaN or inf).

    ## Arguments

    ```python
    import gymnasium as gym
    import factorgym
    from factorgym.envs import EnvConfig, FactorTimingEnv

    env = gym.make("factorgym/FactorTiming-v0")                       # French factors, defaults
    env = FactorTimingEnv(factorgym.load("etf"), config=EnvConfig(costs="high"))
    env = FactorTimingEnv(panel, features={"regime": probs}, config=EnvConfig(
        action_mode="tilt", reward="differential_sharpe", window=("1990-01", "2009-12")))
    ```

    ``panel``: a :class:`~factorgym.FactorPanel`, ``"french"`` (default) or ``"etf"``;
    ``features``: a DataFrame or a mapping of block name to DataFrame; ``config``: an
    :class:`EnvConfig` or a mapping of its fields; ``render_mode``: ``None`` or ``"ansi"``.

    ## Version History

    - v0: initial version. (Same dynamics since; the step is compiled with numba.)
    """

    metadata = {"render_modes": ["ansi"], "render_fps": 4}

    def __init__(
        self,
        panel: FactorPanel | str | None = None,
        *,
        features: Mapping[str, pd.DataFrame] | pd.DataFrame | None = None,
        config: EnvConfig | Mapping[str, Any] | None = None,
        render_mode: str | None = None,
    ) -> None:
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ConfigError(
                f"`render_mode` must be None or one of {self.metadata['render_modes']}, "
                f"got {render_mode!r}"
            )
        self.panel = resolve_panel(panel)
        self.config = resolve_config(config)
        self.render_mode = render_mode
        self._dyn = build_dynamics(self.panel, features, self.config)
        market = self._dyn.market
        n = market.n_assets
        self.action_space = spaces.Box(-1.0, 1.0, shape=(n,), dtype=np.float32)
        self.observation_space = spaces.Box(
            -OBS_BOUND, OBS_BOUND, shape=(market.obs_dim,), dtype=np.float32
        )
        self._shape = (n,)
        self._dates = market.dates
        # row t as a (1,) array: the kernel's decision rows of a batch of one portfolio
        self._rows = np.arange(len(market.rf), dtype=np.int64).reshape(-1, 1)
        self._t = -1
        self._t_stop = -1
        self._done = True
        self._drifted, self._book, self._custom = self._dyn.initial_state(1)
        self._last: np.ndarray | None = None

    # ------------------------------------------------------------------ public views
    @property
    def month(self) -> pd.Period | None:
        """Current decision month (None before reset)."""
        return None if self._t < 0 else self.panel.months[self._t]

    def history(self, n_months: int | None = None) -> MarketHistory:
        """Read-only panel rows (and feature rows) up to the current decision month only.

        The view ends at the month the next action is decided at (the last month whose returns
        are known); it never holds a later row. Baselines read history only through it.

        Parameters
        ----------
        n_months : int, optional
            Return only the last ``n_months`` rows (all rows from the panel's start if None).

        Raises
        ------
        ResetNeeded
            Before the first :meth:`reset`.
        """
        if self._t < 0:
            raise ResetNeeded("Cannot call env.history() before calling env.reset()")
        m = self._dyn.market
        return history_view(
            months=self.panel.months,
            assets=self.panel.assets,
            kind=self.panel.kind,
            returns=m.returns,
            excess=m.excess,
            rf=m.rf,
            features=m.feature_values,
            feature_columns=m.feature_columns,
            t=self._t,
            n_months=n_months,
        )

    # ------------------------------------------------------------------ Gymnasium API
    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        """Start an episode (see Starting State); ``options={"start": month}`` fixes the start."""
        super().reset(seed=seed)
        opts = check_options(options)
        if "reset_mask" in opts:
            raise ConfigError("`options['reset_mask']` is for the batched env only")
        market = self._dyn.market
        if opts.get("start") is not None:
            t0 = parse_start_option(opts["start"], self.panel, market.decision_range)
        else:
            t0 = sample_starts(
                self.np_random,
                market.decision_range,
                self.config.episode_length,
                self.config.random_start,
            )
        self._t = t0
        self._t_stop = int(stop_rows(t0, market.decision_range, self.config.episode_length))
        self._done = False
        self._drifted, self._book, self._custom = self._dyn.initial_state(1)
        self._last = None
        wealth, peak = self._book[kernel.B_WEALTH], self._book[kernel.B_PEAK]
        info = reset_info(
            self._dates[t0],
            wealth[0].item(),
            drawdown(wealth, peak)[0].item(),
            self._drifted[0].copy(),
            self._dates[self._t_stop],
        )
        return market.observe(t0, self._drifted[0]), info

    def step(self, action: np.ndarray) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """One month: rebalance at month-end t, earn month t + 1 (see Description)."""
        if self._done:
            if self._t < 0:
                raise ResetNeeded("Cannot call env.step() before calling env.reset()")
            raise ResetNeeded("The episode has ended; call env.reset() before env.step()")
        a = as_actions(action, self._shape, "action")
        t = self._t
        weights, scalars, self._book, obs, self._custom = self._dyn.step(
            a.reshape(1, -1), self._rows[t], self._drifted, self._book, self._custom, name="action"
        )
        t1 = t + 1
        self._t = t1
        self._drifted = weights[kernel.W_STATE, :1]
        self._last = scalars
        values = scalars[:, 0].tolist()
        terminated = values[kernel.S_TERMINATED] != 0.0
        truncated = t1 >= self._t_stop
        self._done = terminated or truncated
        info = step_info(self._dates[t1], self._dates[t], values, weights[:, 0])
        return obs[0], values[kernel.S_REWARD], terminated, truncated, info

    def render(self) -> str | None:
        """``"ansi"``: one line with date, wealth, drawdown, costs and weights."""
        if self.render_mode != "ansi":
            return None
        if self._t < 0:
            return "FactorTimingEnv (not reset)"
        month = self.panel.months[self._t]
        w = " ".join(f"{a}={x:+.3f}" for a, x in zip(self.assets, self._drifted[0], strict=True))
        line = f"{month} wealth={self._book[kernel.B_WEALTH, 0]:.4f}"
        if self._last is not None:
            s = self._last[:, 0]
            line += (
                f" dd={s[kernel.S_DRAWDOWN]:.2%} net={s[kernel.S_NET]:+.4%}"
                f" cost={s[kernel.S_COST] * 1e4:.1f}bp turnover={s[kernel.S_TURNOVER]:.3f}"
            )
        return f"{line} | {w}"

    def __repr__(self) -> str:
        return (
            f"FactorTimingEnv(assets={list(self.assets)}, kind={self.panel.kind!r}, "
            f"mode={self.config.action_mode!r}, costs={self.config.costs!r}, "
            f"reward={self._dyn.reward.name!r})"
        )
