"""`EnvSpec`: one record of panel, features and config builds the single and the batched env."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from factorgym.envs import BatchedFactorTimingEnv, EnvConfig, EnvSpec, FactorTimingEnv
from factorgym.errors import ConfigError


def test_spec_builds_matching_single_and_batched_envs(french_small):
    feats = {"x": pd.DataFrame({"a": np.arange(120.0)}, index=french_small.months)}
    spec = EnvSpec(french_small, feats, EnvConfig(random_start=False, episode_length=5))
    env = spec()
    vec = spec.batched(3)
    assert isinstance(env, FactorTimingEnv) and isinstance(vec, BatchedFactorTimingEnv)
    obs, _ = env.reset()
    vobs, _ = vec.reset()
    assert env.observation_columns == vec.observation_columns
    assert "x:a" in env.observation_columns
    np.testing.assert_array_equal(vobs, np.tile(obs, (3, 1)))
    narrow = spec.replace(window=("1995-01", "1996-12"))
    assert narrow.config.window == ("1995-01", "1996-12") and spec.config.window is None
    assert narrow.panel is spec.panel and "window=('1995-01', '1996-12')" in repr(narrow)


def test_bad_parts_are_refused(french_small):
    with pytest.raises(ConfigError, match="`panel` must be a FactorPanel, got DataFrame"):
        EnvSpec(french_small.to_frame())  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="`config` must be an EnvConfig, got dict"):
        EnvSpec(french_small, {}, {"costs": "low"})  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="`features` must be a mapping"):
        EnvSpec(french_small, [1])  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="not an EnvConfig field"):
        EnvSpec(french_small).replace(windw=None)
