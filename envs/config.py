"""`EnvConfig`: the frozen, validated configuration of `FactorTimingEnv`.

Every field has a realistic default; invalid values raise :class:`~factorgym.errors.ConfigError`
naming the parameter, the constraint and the value received. Cost defaults come from the preset
named by ``costs`` (see :mod:`factorgym.envs.cost_presets` and ``COSTS.md``); the per-asset
fields (``cost_bps``, ``internal_bps``, ...) override one parameter of the preset, as a scalar
for every asset or a tuple with one value per asset.
"""

from __future__ import annotations

import difflib
import math
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from os import PathLike
from typing import Any

import pandas as pd

from factorgym.envs.rewards import REWARD_NAMES, RewardStrategy
from factorgym.errors import ConfigError
from factorgym.validation import (
    check_bool,
    check_choice,
    check_int,
    check_real,
    check_real_sequence,
    fail,
)

__all__ = [
    "ACTION_MODES",
    "COST_PRESETS",
    "COST_RANGES",
    "MIN_NORMALIZE_MONTHS",
    "OBSERVATION_BLOCKS",
    "EnvConfig",
]

ACTION_MODES = ("long_only", "long_short", "tilt")
COST_PRESETS = ("zero", "low", "central", "high")
OBSERVATION_BLOCKS = ("returns", "volatility", "features", "weights")
INITIAL_WEIGHTS = ("cash", "benchmark")


#: Sane ranges of the cost, impact and capacity parameters (``COSTS.md`` units). A value outside
#: is a units mistake, not a cost: a one-way cost above 10,000 bp would take more than the whole
#: trade, and ``trade_days=1e-300`` or ``capacity_usd=1e-300`` turn the square-root impact into
#: numbers like 1e146. The bounds are wide around every preset (low/central/high).
COST_RANGES: dict[str, tuple[float, float]] = {
    "cost_bps": (0.0, 10_000.0),  # one-way bp per unit |dw|: at most the whole trade
    "internal_bps": (0.0, 10_000.0),  # bp per month per unit |w|
    "impact_coef": (0.0, 10.0),  # Y: "of order one" (Toth et al. 2011); presets 0.15-1
    "sigma_daily": (0.0, 1.0),  # daily volatility of the stocks traded, decimal
    "capacity_usd": (1e3, 1e14),  # V: daily dollar volume per leg
    "trade_days": (0.01, 252.0),  # D: from a quarter of an hour to a trading year
    "participation_cap": (0.0, 1.0),  # p_max: a share of the daily volume (or inf: no cap)
    "aum": (1.0, 1e15),  # N at wealth 1, dollars
}

#: Fewest months a normaliser may be fitted on: its means and stds come from these rows only, and
#: a short window gives tiny stds and observations in the hundreds (2 months gave values of 1048).
MIN_NORMALIZE_MONTHS = 36


def _ranged(name: str, value: object, *, low_open: bool = False) -> float:
    lo, hi = COST_RANGES[name]
    return check_real(name, value, low=lo, high=hi, low_open=low_open)


def _participation_cap(value: object) -> float:
    """``p_max`` in ``(0, 1]``, or ``inf`` for no cap."""
    if isinstance(value, float) and value == math.inf:
        return value
    try:
        return _ranged("participation_cap", value, low_open=True)
    except ConfigError:
        raise fail("participation_cap", "a number > 0 and <= 1, or inf (no cap)", value) from None


def _per_asset(
    name: str, value: object, *, low_open: bool = False
) -> float | tuple[float, ...] | None:
    """A per-asset parameter: None, a scalar for every asset, or one value per asset."""
    if value is None:
        return None
    lo, hi = COST_RANGES[name]
    if isinstance(value, (list, tuple)):
        if len(value) == 0:
            raise fail(name, "a number or a non-empty sequence of numbers", value)
        return check_real_sequence(name, value, low=lo, high=hi, low_open=low_open)
    return check_real(name, value, low=lo, high=hi, low_open=low_open)


def _month_pair(
    name: str, value: object, *, allow_open: bool
) -> tuple[str | None, str | None] | None:
    if value is None:
        return None
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise fail(name, "None or a pair (start, end) of months such as '1990-01'", value)
    for v in value:
        if v is None and allow_open:
            continue
        if not isinstance(v, str):
            raise fail(name, "a pair of month strings such as ('1990-01', '1999-12')", value)
    return (value[0], value[1])


@dataclass(frozen=True)
class EnvConfig:
    """Configuration of :class:`~factorgym.envs.FactorTimingEnv` (frozen, validated).

    Parameters
    ----------
    action_mode : {"long_only", "long_short", "tilt"}
        How the action in ``[-1, 1]^n`` maps to target weights (:mod:`~factorgym.envs.action_maps`).
    allow_cash : bool
        ``long_only``: weights may sum to less than 1 (the rest earns ``rf``).
    max_weight : float
        ``long_short``: bound on each ``|w_k|``.
    max_gross : float
        ``long_short``: cap on gross leverage ``sum_k |w_k|``.
    benchmark_weights : tuple of float, optional
        Fixed benchmark weights (default 1/N); the centre of ``tilt`` and the benchmark of the
        ``excess_return`` reward. A fixed parameter, never estimated from the data.
    max_deviation : float
        ``tilt``: bound on ``|w_k - b_k|``; tilts are budget neutral (``sum w = sum b``).
    tilt_long_only : bool
        ``tilt``: also require ``w_k >= 0``.
    max_turnover : float, optional
        Cap on one-way turnover ``sum_k |w_k - w~_k|`` per month; a larger trade is scaled down.
    no_trade_band : float
        Skip the rebalance when the required turnover is below this (and the drifted weights are
        feasible).
    costs : {"zero", "low", "central", "high"}
        Cost preset (``COSTS.md``); ``"zero"`` is frictionless: no cost and no capacity cut.
    cost_bps, internal_bps : float or tuple of float, optional
        Override the one-way proportional cost ``c_k`` and the internal rebalancing cost ``h_k``
        (bp per unit of ``|dw|`` and bp per month per unit of ``|w|``).
    impact_coef : float, optional
        Override the square-root impact prefactor ``Y``.
    sigma_daily : float or tuple of float, optional
        Override the daily volatility ``sigma_k`` of the stocks traded (a fixed parameter).
    capacity_usd : float or tuple of float, optional
        Override ``V_k``, the daily dollar volume available per leg.
    trade_days : float, optional
        Override ``D``, the days a rebalance is spread over.
    participation_cap : float, optional
        Override ``p_max``, the cap on ``q_k / (V_k D)``; ``inf`` disables capacity cuts.
    aum : float
        Assets under management ``N`` in dollars at wealth 1 (default $100m).
    aum_grows_with_wealth : bool
        If true, ``N_t = aum * wealth_t``.
    max_position_notional : float, optional
        Largest dollar position ``|w_k| N_t`` per asset; larger target positions are refused
        (clipped, the remainder stays in cash).
    reward : str or RewardStrategy
        One of ``"log_return"``, ``"excess_return"``, ``"differential_sharpe"``,
        ``"mean_variance"``, or a strategy object.
        Training signal (:mod:`~factorgym.envs.rewards`).
    risk_aversion : float
        ``mean_variance``: lambda in ``r - rf - lambda/2 w' S w``.
    dsr_eta : float
        ``differential_sharpe``: adaptation rate eta of the moving moments (Moody & Saffell 2001).
    dsr_prior_vol : float
        ``differential_sharpe``: prior monthly volatility that seeds the second moment.
    drawdown_penalty, turnover_penalty : float
        Subtracted from the reward: ``kappa_dd * drawdown_t + kappa_to * turnover_t``.
    lookback : int
        Months of trailing returns in the observation.
    vol_lookback : int
        Months in the trailing volatility (and, for ``mean_variance``, covariance) estimate.
    observation_blocks : tuple of str
        Blocks in the observation, from ``("returns", "volatility", "features", "weights")``;
        the layout order is always returns, volatility, features, weights.
    normalize : bool
        Standardise the data blocks with mean/std fitted on ``normalize_window`` only.
    normalize_window : (str, str), optional
        Observation months used to fit the normaliser: the *training* window. Required when
        ``normalize=True`` (there is no default: the env's own window would let a test env's
        observation at t be scaled with statistics of months after t).
    window : (str or None, str or None), optional
        First and last month *earned* by an episode (default: all months with enough history).
    episode_length : int, optional
        Months per episode (``None``: run to the end of the window).
    random_start : bool
        Sample the first month with ``self.np_random`` (else start at the window start).
    initial_weights : {"cash", "benchmark"}
        Holdings before the first rebalance.
    ruin_wealth : float
        Terminate when wealth falls to or below this.
    max_drawdown_stop : float, optional
        Terminate when the drawdown reaches this fraction.
    """

    # --- actions
    action_mode: str = "long_only"
    allow_cash: bool = True
    max_weight: float = 1.0
    max_gross: float = 2.0
    benchmark_weights: tuple[float, ...] | None = None
    max_deviation: float = 0.25
    tilt_long_only: bool = True
    max_turnover: float | None = None
    no_trade_band: float = 0.0
    # --- costs, impact, capacity
    costs: str = "central"
    cost_bps: float | tuple[float, ...] | None = None
    internal_bps: float | tuple[float, ...] | None = None
    impact_coef: float | None = None
    sigma_daily: float | tuple[float, ...] | None = None
    capacity_usd: float | tuple[float, ...] | None = None
    trade_days: float | None = None
    participation_cap: float | None = None
    aum: float = 1e8
    aum_grows_with_wealth: bool = False
    max_position_notional: float | None = None
    # --- reward
    reward: str | RewardStrategy = "log_return"
    risk_aversion: float = 2.0
    dsr_eta: float = 0.05
    dsr_prior_vol: float = 0.04
    drawdown_penalty: float = 0.0
    turnover_penalty: float = 0.0
    # --- observation
    lookback: int = 12
    vol_lookback: int = 12
    observation_blocks: tuple[str, ...] = OBSERVATION_BLOCKS
    normalize: bool = False
    normalize_window: tuple[str, str] | None = None
    # --- episodes
    window: tuple[str | None, str | None] | None = None
    episode_length: int | None = 120
    random_start: bool = True
    initial_weights: str = "cash"
    ruin_wealth: float = 0.01
    max_drawdown_stop: float | None = None

    def __post_init__(self) -> None:  # noqa: C901 - one flat list of checks reads best
        set_ = object.__setattr__
        check_choice("action_mode", self.action_mode, ACTION_MODES)
        for name in (
            "allow_cash",
            "tilt_long_only",
            "aum_grows_with_wealth",
            "normalize",
            "random_start",
        ):
            check_bool(name, getattr(self, name))
        check_real("max_weight", self.max_weight, low=0.0, low_open=True)
        check_real("max_gross", self.max_gross, low=0.0, low_open=True)
        if self.benchmark_weights is not None:
            bw = self.benchmark_weights
            if not isinstance(bw, (list, tuple)) or len(bw) == 0:
                raise fail("benchmark_weights", "None or a non-empty sequence of numbers", bw)
            set_(self, "benchmark_weights", check_real_sequence("benchmark_weights", bw))
        check_real("max_deviation", self.max_deviation, low=0.0, low_open=True)
        if self.max_turnover is not None:
            check_real("max_turnover", self.max_turnover, low=0.0, low_open=True)
        check_real("no_trade_band", self.no_trade_band, low=0.0)

        check_choice("costs", self.costs, COST_PRESETS)
        set_(self, "cost_bps", _per_asset("cost_bps", self.cost_bps))
        set_(self, "internal_bps", _per_asset("internal_bps", self.internal_bps))
        set_(self, "sigma_daily", _per_asset("sigma_daily", self.sigma_daily))
        set_(self, "capacity_usd", _per_asset("capacity_usd", self.capacity_usd))
        if self.impact_coef is not None:
            _ranged("impact_coef", self.impact_coef)
        if self.trade_days is not None:
            _ranged("trade_days", self.trade_days)
        if self.participation_cap is not None:
            _participation_cap(self.participation_cap)
        _ranged("aum", self.aum)
        if self.max_position_notional is not None:
            check_real("max_position_notional", self.max_position_notional, low=0.0, low_open=True)

        if isinstance(self.reward, str):
            check_choice("reward", self.reward, REWARD_NAMES)
        elif not isinstance(self.reward, RewardStrategy):
            raise fail("reward", f"one of {REWARD_NAMES} or a RewardStrategy", self.reward)
        check_real("risk_aversion", self.risk_aversion, low=0.0)
        check_real("dsr_eta", self.dsr_eta, low=0.0, high=1.0, low_open=True, high_open=True)
        check_real("dsr_prior_vol", self.dsr_prior_vol, low=0.0, low_open=True)
        check_real("drawdown_penalty", self.drawdown_penalty, low=0.0)
        check_real("turnover_penalty", self.turnover_penalty, low=0.0)

        check_int("lookback", self.lookback, minimum=1)
        check_int("vol_lookback", self.vol_lookback, minimum=2)
        blocks = self.observation_blocks
        if (
            not isinstance(blocks, (list, tuple))
            or len(blocks) == 0
            or any(b not in OBSERVATION_BLOCKS for b in blocks)
        ):
            raise fail("observation_blocks", f"a non-empty subset of {OBSERVATION_BLOCKS}", blocks)
        if len(set(blocks)) != len(blocks):
            raise fail("observation_blocks", "free of repeated names", blocks)
        set_(self, "observation_blocks", tuple(blocks))
        nwin = _month_pair("normalize_window", self.normalize_window, allow_open=False)
        set_(self, "normalize_window", nwin)
        if self.normalize and nwin is None:
            raise fail(
                "normalize_window",
                "the training window (start, end) when normalize=True (no default: fitting on "
                "the env's own window looks ahead)",
                None,
            )
        if nwin is not None:
            span = _months_between(nwin)
            if span is not None and span < 1:
                raise fail("normalize_window", "ordered (start <= end)", nwin)
            if span is not None and span < MIN_NORMALIZE_MONTHS:
                raise ConfigError(
                    f"`normalize_window` must span at least {MIN_NORMALIZE_MONTHS} months (a short "
                    "window gives tiny stds and exploding observations), "
                    f"got {nwin} ({span} months)"
                )
        set_(self, "window", _month_pair("window", self.window, allow_open=True))
        if self.episode_length is not None:
            check_int("episode_length", self.episode_length, minimum=1)
        check_choice("initial_weights", self.initial_weights, INITIAL_WEIGHTS)
        check_real("ruin_wealth", self.ruin_wealth, low=0.0, high=1.0, high_open=True)
        if self.max_drawdown_stop is not None:
            check_real(
                "max_drawdown_stop", self.max_drawdown_stop, low=0.0, high=1.0, low_open=True
            )

    # ------------------------------------------------------------------ (de)serialisation
    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> EnvConfig:
        """Build a config from a mapping; unknown keys raise ``ConfigError`` with suggestions."""
        if not isinstance(values, Mapping):
            raise fail("config", "an EnvConfig or a mapping of its fields", values)
        names = [f.name for f in fields(cls)]
        for key in values:
            if key not in names:
                close = difflib.get_close_matches(str(key), names, n=3, cutoff=0.6)
                hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
                raise ConfigError(f"`{key}` is not an EnvConfig field{hint}")
        kwargs: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v for k, v in values.items()
        }
        return cls(**kwargs)

    @classmethod
    def from_toml(cls, path: str | PathLike[str], *, table: str | None = "env") -> EnvConfig:
        """Read a config from a TOML file (``[env]``, or the top level if ``table=None``)."""
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
        if table is not None:
            if table not in data:
                raise ConfigError(f"`table` {table!r} is not a table of {str(path)!r}")
            data = data[table]
        return cls.from_dict(data)

    def to_dict(self) -> dict[str, Any]:
        """All fields as plain Python values (a reward strategy becomes its ``repr``)."""
        out = asdict(self)
        if not isinstance(self.reward, str):
            out["reward"] = repr(self.reward)
        return out

    def replace(self, **changes: Any) -> EnvConfig:
        """A validated copy with some fields changed (unknown names raise ``ConfigError``)."""
        merged = {f.name: getattr(self, f.name) for f in fields(self)}
        unknown = [k for k in changes if k not in merged]
        if unknown:
            return EnvConfig.from_dict(changes)  # raises with a suggestion
        merged.update(changes)
        return EnvConfig(**merged)


def _months_between(pair: tuple[str | None, str | None]) -> int | None:
    """Months from ``pair[0]`` to ``pair[1]`` inclusive (None if either is not a month)."""
    try:
        lo, hi = (pd.Period(v, freq="M") for v in pair)
    except (TypeError, ValueError):
        return None  # reported with the panel's months when the env is built
    return int(hi.ordinal - lo.ordinal) + 1
