from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from factorgym import ConfigError
from factorgym.feature_cache import FeatureCache, cache_key


def test_key_is_order_independent_and_exact():
    assert cache_key(a=1, b=0.1) == cache_key(b=0.1, a=1)
    assert cache_key(a=0.1) != cache_key(a=0.1000000000000001)
    assert cache_key(x=np.arange(3)) != cache_key(x=np.arange(3) + 1)
    with pytest.raises(ConfigError, match="cache key parts must be .* got object"):
        cache_key(x=object())


def test_memory_and_disk_reuse(tmp_path):
    calls = []

    def compute():
        calls.append(1)
        return pd.DataFrame({"p": [0.1, 0.9]})

    cache = FeatureCache(tmp_path)
    a = cache.get_or_compute(compute, panel="h1", n=2)
    a.iloc[0, 0] = 99.0  # mutating a returned frame must not corrupt the cache
    b = cache.get_or_compute(compute, panel="h1", n=2)
    assert b.iloc[0, 0] == 0.1 and len(calls) == 1 and cache.hits == 1
    fresh = FeatureCache(tmp_path)  # a new process: reads from disk
    c = fresh.get_or_compute(compute, panel="h1", n=2)
    assert len(calls) == 1 and c.iloc[0, 0] == 0.1
    cache.get_or_compute(compute, panel="h2", n=2)
    assert len(calls) == 2 and cache.misses == 2


def test_compute_must_return_a_frame():
    with pytest.raises(ConfigError, match="must return a pandas DataFrame, got list"):
        FeatureCache().get_or_compute(lambda: [1, 2], k=1)
