"""The shared argument checks: canonical values back, one message form for every failure."""

from __future__ import annotations

import math

import numpy as np
import pytest

from factorgym.errors import ConfigError, DataError
from factorgym.validation import (
    check_bool,
    check_choice,
    check_int,
    check_int_sequence,
    check_matrix,
    check_real,
    check_real_sequence,
    check_seed,
    is_real,
)


def test_canonical_values_come_back():
    assert check_bool("b", np.bool_(True)) is True
    assert check_int("n", np.int64(3), minimum=1) == 3 and type(check_int("n", np.int64(3))) is int
    assert check_real("x", 2, low=0.0) == 2.0 and type(check_real("x", 2)) is float
    assert check_real("cap", math.inf, low=0.0, low_open=True, allow_inf=True) == math.inf
    assert check_choice("mode", "a", ("a", "b")) == "a"
    assert check_seed("seed", None) is None and check_seed("seed", 0) == 0
    assert check_int_sequence("w", [3, 12], minimum=1) == (3, 12)
    assert check_real_sequence("alphas", np.array([0.1, 1.0]), low=0.0, low_open=True) == (0.1, 1.0)
    assert is_real(1) and is_real(np.float32(1.0)) and not is_real(True) and not is_real("1")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: check_bool("flag", "no"), "`flag` must be True or False, got 'no'"),
        (lambda: check_int("n", 2.5, minimum=1), "`n` must be an int >= 1, got 2.5"),
        (lambda: check_int("n", True), "`n` must be an int, got True"),
        (
            lambda: check_int("n", 11, minimum=1, maximum=10),
            "`n` must be an int >= 1 and <= 10, got 11",
        ),
        (
            lambda: check_real("c", -5.0, low=0.0, high=1e4),
            "`c` must be a finite number >= 0 and <= 10000, got -5.0",
        ),
        (lambda: check_real("c", math.nan), "`c` must be a finite number, got nan"),
        (lambda: check_real("c", math.inf, low=0.0), "`c` must be a finite number >= 0, got inf"),
        (
            lambda: check_real("p", 0.0, low=0.0, low_open=True, allow_inf=True),
            "`p` must be a number > 0 (inf allowed), got 0.0",
        ),
        (lambda: check_real("c", "5"), "`c` must be a finite number, got '5'"),
        (
            lambda: check_choice("mode", "x", ("a", "b")),
            "`mode` must be one of ('a', 'b'), got 'x'",
        ),
        (lambda: check_seed("seed", -1), "`seed` must be an int >= 0, got -1"),
        (
            lambda: check_int_sequence("w", [], minimum=1),
            "`w` must be a non-empty sequence of ints >= 1, got []",
        ),
        (
            lambda: check_int_sequence("w", "12"),
            "`w` must be a non-empty sequence of ints, got '12'",
        ),
        (lambda: check_int_sequence("w", [3, 0], minimum=1), "`w[1]` must be an int >= 1, got 0"),
        (
            lambda: check_int_sequence("w", [3, 3], unique=True),
            "`w` must be a sequence of distinct ints, got [3, 3]",
        ),
        (
            lambda: check_real_sequence("a", [1.0, -1.0], low=0.0),
            "`a[1]` must be a finite number >= 0, got -1.0",
        ),
    ],
)
def test_each_failure_names_parameter_constraint_and_value(call, message):
    with pytest.raises(ConfigError) as info:
        call()
    assert str(info.value) == message


def test_matrix_checks():
    x = np.asfortranarray(np.arange(6.0).reshape(3, 2))
    out = check_matrix(x)
    assert out.flags.c_contiguous and np.array_equal(out, x)
    with pytest.raises(
        DataError, match=r"`X` must be 2-D \(n_samples, n_features\), got shape \(3,\)"
    ):
        check_matrix(np.ones(3))
    with pytest.raises(
        DataError, match=r"`R` must be finite, got 1 NaN/inf values \(first at row 1, column 0\)"
    ):
        check_matrix([[1.0, 2.0], [np.nan, 1.0]], name="R")
    assert np.isnan(check_matrix([[1.0, np.nan]], allow_nan=True)[0, 1])
    with pytest.raises(DataError, match=r"must be finite, got 1 inf values"):
        check_matrix([[1.0, np.inf]], allow_nan=True)
    with pytest.raises(DataError, match="`X` must be numeric"):
        check_matrix([["a", "b"]])
