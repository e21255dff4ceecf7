"""EnvConfig: defaults are valid, every invalid value raises ConfigError naming it."""

from __future__ import annotations

import math
import re

import pytest

from factorgym.envs import EnvConfig, LogReturn
from factorgym.envs.rewards import make_reward
from factorgym.errors import ConfigError


def test_defaults_are_valid_and_frozen():
    cfg = EnvConfig()
    assert cfg.action_mode == "long_only"
    assert cfg.costs == "central"
    assert cfg.aum == 1e8
    with pytest.raises(AttributeError):
        cfg.aum = 1.0  # type: ignore[misc]


def test_lists_become_tuples_and_config_is_hashable():
    cfg = EnvConfig(benchmark_weights=[0.5, 0.5], cost_bps=[1, 2], window=["1990-01", None])
    assert cfg.benchmark_weights == (0.5, 0.5)
    assert cfg.cost_bps == (1.0, 2.0)
    assert cfg.window == ("1990-01", None)
    assert hash(cfg) == hash(EnvConfig.from_dict(cfg.to_dict()))


BAD = [
    ({"action_mode": "short_only"}, "`action_mode` must be one of"),
    ({"allow_cash": 1}, "`allow_cash` must be True or False, got 1"),
    ({"tilt_long_only": "yes"}, "`tilt_long_only` must be True or False"),
    ({"aum_grows_with_wealth": None}, "`aum_grows_with_wealth` must be True or False"),
    ({"normalize": 0}, "`normalize` must be True or False"),
    ({"random_start": "no"}, "`random_start` must be True or False"),
    ({"max_weight": 0.0}, "`max_weight` must be a finite number > 0, got 0.0"),
    ({"max_gross": -1}, "`max_gross` must be a finite number > 0, got -1"),
    ({"max_gross": math.inf}, "`max_gross` must be a finite number > 0, got inf"),
    ({"benchmark_weights": ()}, "`benchmark_weights` must be None or a non-empty sequence"),
    ({"benchmark_weights": 0.5}, "`benchmark_weights` must be None or a non-empty sequence"),
    ({"benchmark_weights": (0.5, "x")}, re.escape("`benchmark_weights[1]` must be a finite")),
    ({"max_deviation": 0}, "`max_deviation` must be a finite number > 0"),
    ({"max_turnover": 0.0}, "`max_turnover` must be a finite number > 0"),
    ({"no_trade_band": -0.01}, "`no_trade_band` must be a finite number >= 0, got -0.01"),
    ({"costs": "medium"}, "`costs` must be one of"),
    ({"cost_bps": -5.0}, "`cost_bps` must be a finite number >= 0 and <= 10000, got -5.0"),
    (
        {"cost_bps": (1.0, -2.0)},
        re.escape("`cost_bps[1]` must be a finite number >= 0 and <= 10000, got -2.0"),
    ),
    ({"cost_bps": []}, "`cost_bps` must be a number or a non-empty sequence"),
    (
        {"internal_bps": math.nan},
        "`internal_bps` must be a finite number >= 0 and <= 10000, got nan",
    ),
    ({"sigma_daily": -0.01}, "`sigma_daily` must be a finite number >= 0"),
    (
        {"capacity_usd": 0.0},
        "`capacity_usd` must be a finite number >= 1000 and <= 1e\\+14, got 0.0",
    ),
    ({"impact_coef": -0.5}, "`impact_coef` must be a finite number >= 0"),
    ({"trade_days": 0}, "`trade_days` must be a finite number >= 0.01 and <= 252, got 0"),
    ({"participation_cap": 0.0}, "`participation_cap` must be a number > 0 and <= 1, or inf"),
    ({"participation_cap": math.nan}, "`participation_cap` must be a number > 0 and <= 1, or inf"),
    ({"aum": 0}, "`aum` must be a finite number >= 1 and <= 1e\\+15, got 0"),
    ({"aum": math.inf}, "`aum` must be a finite number >= 1 and <= 1e\\+15, got inf"),
    ({"max_position_notional": -1e6}, "`max_position_notional` must be a finite number > 0"),
    ({"reward": "sharpe"}, "`reward` must be one of"),
    ({"reward": 3}, "`reward` must be one of"),
    ({"risk_aversion": -1}, "`risk_aversion` must be a finite number >= 0"),
    ({"dsr_eta": 0.0}, "`dsr_eta` must be a finite number > 0 and < 1, got 0.0"),
    ({"dsr_eta": 1.0}, "`dsr_eta` must be a finite number > 0 and < 1, got 1.0"),
    ({"dsr_prior_vol": 0.0}, "`dsr_prior_vol` must be a finite number > 0"),
    ({"drawdown_penalty": -0.1}, "`drawdown_penalty` must be a finite number >= 0"),
    ({"turnover_penalty": True}, "`turnover_penalty` must be a finite number >= 0, got True"),
    ({"lookback": 0}, "`lookback` must be an int >= 1, got 0"),
    ({"lookback": 1.5}, "`lookback` must be an int >= 1, got 1.5"),
    ({"vol_lookback": 1}, "`vol_lookback` must be an int >= 2, got 1"),
    ({"observation_blocks": ()}, "`observation_blocks` must be a non-empty subset"),
    ({"observation_blocks": ("returns", "prices")}, "`observation_blocks` must be a non-empty"),
    ({"observation_blocks": "returns"}, "`observation_blocks` must be a non-empty subset"),
    ({"observation_blocks": ("weights", "weights")}, "`observation_blocks` must be free of"),
    ({"normalize_window": ("1990-01",)}, "`normalize_window` must be None or a pair"),
    ({"normalize": True}, r"`normalize_window` must be the training window .* got None"),
    ({"normalize_window": ("1990-01", None)}, "`normalize_window` must be a pair of month"),
    ({"window": "1990-01"}, "`window` must be None or a pair"),
    ({"window": (1990, 2000)}, "`window` must be a pair of month strings"),
    ({"episode_length": 0}, "`episode_length` must be an int >= 1, got 0"),
    ({"initial_weights": "equal"}, "`initial_weights` must be one of"),
    ({"ruin_wealth": 1.0}, "`ruin_wealth` must be a finite number >= 0 and < 1, got 1.0"),
    ({"ruin_wealth": -0.1}, "`ruin_wealth` must be a finite number >= 0 and < 1"),
    ({"max_drawdown_stop": 0.0}, "`max_drawdown_stop` must be a finite number > 0 and <= 1"),
    ({"max_drawdown_stop": 1.5}, "`max_drawdown_stop` must be a finite number > 0 and <= 1"),
    # sane ranges: a cost above 10,000 bp is not a cost, D and V near 0 explode the impact
    ({"cost_bps": 1e6}, "`cost_bps` must be a finite number >= 0 and <= 10000, got 1000000.0"),
    ({"internal_bps": 20_000}, "`internal_bps` must be a finite number >= 0 and <= 10000"),
    ({"trade_days": 1e-300}, "`trade_days` must be a finite number >= 0.01 and <= 252, got 1e-300"),
    ({"capacity_usd": 1e-300}, "`capacity_usd` must be a finite number >= 1000"),
    ({"impact_coef": 50.0}, "`impact_coef` must be a finite number >= 0 and <= 10, got 50.0"),
    (
        {"sigma_daily": (0.01, 2.0)},
        re.escape("`sigma_daily[1]` must be a finite number >= 0 and <= 1"),
    ),
    ({"participation_cap": 1.5}, "`participation_cap` must be a number > 0 and <= 1, or inf"),
    ({"aum": 1e20}, "`aum` must be a finite number >= 1 and <= 1e\\+15, got 1e\\+20"),
    (
        {"normalize": True, "normalize_window": ("1990-01", "1990-02")},
        re.escape(
            "`normalize_window` must span at least 36 months (a short window gives tiny "
            "stds and exploding observations), got ('1990-01', '1990-02') (2 months)"
        ),
    ),
    ({"normalize_window": ("1995-01", "1994-01")}, "`normalize_window` must be ordered"),
]


@pytest.mark.parametrize(("kwargs", "match"), BAD, ids=[next(iter(k)) for k, _ in BAD])
def test_invalid_values_raise_config_error(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        EnvConfig(**kwargs)


def test_inf_participation_cap_is_allowed():
    assert EnvConfig(participation_cap=math.inf).participation_cap == math.inf


def test_reward_strategy_object_is_accepted_and_serialised_by_repr():
    cfg = EnvConfig(reward=LogReturn())
    assert cfg.to_dict()["reward"] == "LogReturn()"


def test_from_dict_rejects_unknown_keys_with_a_suggestion():
    with pytest.raises(ConfigError, match="`action_mod` is not an EnvConfig field; did you mean"):
        EnvConfig.from_dict({"action_mod": "tilt"})
    with pytest.raises(ConfigError, match="`config` must be an EnvConfig or a mapping"):
        EnvConfig.from_dict(["tilt"])  # type: ignore[arg-type]


def test_replace_validates_and_rejects_unknown_fields():
    cfg = EnvConfig().replace(action_mode="tilt", max_deviation=0.1)
    assert (cfg.action_mode, cfg.max_deviation) == ("tilt", 0.1)
    with pytest.raises(ConfigError, match="`max_deviation` must be a finite number > 0"):
        EnvConfig().replace(max_deviation=-1.0)
    with pytest.raises(ConfigError, match="`rewrd` is not an EnvConfig field"):
        EnvConfig().replace(rewrd="log_return")


def test_from_toml(tmp_path):
    path = tmp_path / "exp.toml"
    path.write_text(
        '[env]\naction_mode = "tilt"\ncost_bps = [1.0, 2.0]\nwindow = ["1990-01", "1999-12"]\n'
    )
    cfg = EnvConfig.from_toml(path)
    assert cfg.action_mode == "tilt"
    assert cfg.cost_bps == (1.0, 2.0)
    assert cfg.window == ("1990-01", "1999-12")
    with pytest.raises(ConfigError, match="`table` 'agent' is not a table of"):
        EnvConfig.from_toml(path, table="agent")
    top = tmp_path / "top.toml"
    top.write_text('costs = "zero"\n')
    assert EnvConfig.from_toml(top, table=None).costs == "zero"


def test_make_reward_rejects_unknown_names():
    with pytest.raises(ConfigError, match="`reward` must be one of"):
        make_reward("sortino")
