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

from factorgym.envs.rewards import REWARD_NAMES, RewardStrategy
from factorgym.errors import ConfigError

__all__ = ["ACTION_MODES", "COST_PRESETS", "OBSERVATION_BLOCKS", "EnvConfig"]

ACTION_MODES = ("long_only", "long_short", "tilt")
COST_PRESETS = ("zero", "low", "central", "high")
OBSERVATION_BLOCKS = ("returns", "volatility", "features", "weights")
INITIAL_WEIGHTS = ("cash", "benchmark")


def _fail(name: str, constraint: str, value: object) -> ConfigError:
    return ConfigError(f"`{name}` must be {constraint}, got {value!r}")


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_bool(name: str, value: object) -> None:
    if not isinstance(value, bool):
        raise _fail(name, "a bool", value)


def _check_int(name: str, value: object, low: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < low:
        raise _fail(name, f"an int >= {low}", value)


def _check_real(
    name: str,
    value: object,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    allow_inf: bool = False,
) -> None:
    """Raise unless ``value`` is a real number in the stated interval."""
    parts = []
    if low is not None:
        parts.append(f"{'>' if low_open else '>='} {low:g}")
    if high is not None:
        parts.append(f"{'<' if high_open else '<='} {high:g}")
    constraint = "a finite number" if not parts else "a number " + " and ".join(parts)
    if allow_inf:
        constraint = constraint.replace("a finite number", "a number") + " (inf allowed)"
    if not _is_number(value):
        raise _fail(name, constraint, value)
    v = float(value)  # type: ignore[arg-type]
    if math.isnan(v) or (math.isinf(v) and not allow_inf):
        raise _fail(name, constraint, value)
    if low is not None and (v < low or (low_open and v == low)):
        raise _fail(name, constraint, value)
    if high is not None and (v > high or (high_open and v == high)):
        raise _fail(name, constraint, value)


def _check_scalar_or_vector(name: str, value: object, *, low: float, low_open: bool) -> object:
    """Validate a per-asset parameter given as a scalar or a sequence; returns a tuple or float."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        if len(value) == 0:
            raise _fail(name, "a number or a non-empty sequence of numbers", value)
        for i, v in enumerate(value):
            _check_real(f"{name}[{i}]", v, low=low, low_open=low_open)
        return tuple(float(v) for v in value)
    _check_real(name, value, low=low, low_open=low_open)
    return value


def _check_month_pair(name: str, value: object, *, allow_open: bool) -> object:
    if value is None:
        return None
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise _fail(name, "None or a pair (start, end) of months such as '1990-01'", value)
    for v in value:
        if v is None and allow_open:
            continue
        if not isinstance(v, str):
            raise _fail(name, "a pair of month strings such as ('1990-01', '1999-12')", value)
    return tuple(value)


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
        if self.action_mode not in ACTION_MODES:
            raise _fail("action_mode", f"one of {ACTION_MODES}", self.action_mode)
        for name in (
            "allow_cash",
            "tilt_long_only",
            "aum_grows_with_wealth",
            "normalize",
            "random_start",
        ):
            _check_bool(name, getattr(self, name))
        _check_real("max_weight", self.max_weight, low=0.0, low_open=True)
        _check_real("max_gross", self.max_gross, low=0.0, low_open=True)
        if self.benchmark_weights is not None:
            bw = self.benchmark_weights
            if not isinstance(bw, (list, tuple)) or len(bw) == 0:
                raise _fail("benchmark_weights", "None or a non-empty sequence of numbers", bw)
            for i, v in enumerate(bw):
                _check_real(f"benchmark_weights[{i}]", v)
            set_(self, "benchmark_weights", tuple(float(v) for v in bw))
        _check_real("max_deviation", self.max_deviation, low=0.0, low_open=True)
        if self.max_turnover is not None:
            _check_real("max_turnover", self.max_turnover, low=0.0, low_open=True)
        _check_real("no_trade_band", self.no_trade_band, low=0.0)

        if self.costs not in COST_PRESETS:
            raise _fail("costs", f"one of {COST_PRESETS}", self.costs)
        set_(
            self,
            "cost_bps",
            _check_scalar_or_vector("cost_bps", self.cost_bps, low=0.0, low_open=False),
        )
        set_(
            self,
            "internal_bps",
            _check_scalar_or_vector("internal_bps", self.internal_bps, low=0.0, low_open=False),
        )
        set_(
            self,
            "sigma_daily",
            _check_scalar_or_vector("sigma_daily", self.sigma_daily, low=0.0, low_open=False),
        )
        set_(
            self,
            "capacity_usd",
            _check_scalar_or_vector("capacity_usd", self.capacity_usd, low=0.0, low_open=True),
        )
        if self.impact_coef is not None:
            _check_real("impact_coef", self.impact_coef, low=0.0)
        if self.trade_days is not None:
            _check_real("trade_days", self.trade_days, low=0.0, low_open=True)
        if self.participation_cap is not None:
            _check_real(
                "participation_cap", self.participation_cap, low=0.0, low_open=True, allow_inf=True
            )
        _check_real("aum", self.aum, low=0.0, low_open=True)
        if self.max_position_notional is not None:
            _check_real("max_position_notional", self.max_position_notional, low=0.0, low_open=True)

        if isinstance(self.reward, str):
            if self.reward not in REWARD_NAMES:
                raise _fail("reward", f"one of {REWARD_NAMES} or a RewardStrategy", self.reward)
        elif not isinstance(self.reward, RewardStrategy):
            raise _fail("reward", f"one of {REWARD_NAMES} or a RewardStrategy", self.reward)
        _check_real("risk_aversion", self.risk_aversion, low=0.0)
        _check_real("dsr_eta", self.dsr_eta, low=0.0, high=1.0, low_open=True, high_open=True)
        _check_real("dsr_prior_vol", self.dsr_prior_vol, low=0.0, low_open=True)
        _check_real("drawdown_penalty", self.drawdown_penalty, low=0.0)
        _check_real("turnover_penalty", self.turnover_penalty, low=0.0)

        _check_int("lookback", self.lookback, 1)
        _check_int("vol_lookback", self.vol_lookback, 2)
        blocks = self.observation_blocks
        if not isinstance(blocks, (list, tuple)) or len(blocks) == 0:
            raise _fail("observation_blocks", f"a non-empty subset of {OBSERVATION_BLOCKS}", blocks)
        for b in blocks:
            if b not in OBSERVATION_BLOCKS:
                raise _fail(
                    "observation_blocks", f"a non-empty subset of {OBSERVATION_BLOCKS}", blocks
                )
        if len(set(blocks)) != len(blocks):
            raise _fail("observation_blocks", "free of repeated names", blocks)
        set_(self, "observation_blocks", tuple(blocks))
        set_(
            self,
            "normalize_window",
            _check_month_pair("normalize_window", self.normalize_window, allow_open=False),
        )
        if self.normalize and self.normalize_window is None:
            raise _fail(
                "normalize_window",
                "the training window (start, end) when normalize=True (no default: fitting on "
                "the env's own window looks ahead)",
                None,
            )
        set_(self, "window", _check_month_pair("window", self.window, allow_open=True))
        if self.episode_length is not None:
            _check_int("episode_length", self.episode_length, 1)
        if self.initial_weights not in INITIAL_WEIGHTS:
            raise _fail("initial_weights", f"one of {INITIAL_WEIGHTS}", self.initial_weights)
        _check_real("ruin_wealth", self.ruin_wealth, low=0.0, high=1.0, high_open=True)
        if self.max_drawdown_stop is not None:
            _check_real(
                "max_drawdown_stop", self.max_drawdown_stop, low=0.0, high=1.0, low_open=True
            )

    # ------------------------------------------------------------------ (de)serialisation
    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> EnvConfig:
        """Build a config from a mapping; unknown keys raise ``ConfigError`` with suggestions."""
        if not isinstance(values, Mapping):
            raise _fail("config", "an EnvConfig or a mapping of its fields", values)
        names = [f.name for f in fields(cls)]
        for key in values:
            if key not in names:
                close = difflib.get_close_matches(str(key), names, n=3, cutoff=0.6)
                hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
                raise ConfigError(f"`{key}` is not an EnvConfig field{hint}")
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in values.items()})

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
