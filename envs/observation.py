"""Observation layout: feature blocks, column names and the training-window normaliser.

Row ``t`` of every block uses panel rows ``<= t`` only (the timing convention of
``ARCHITECTURE.md``). The trailing blocks come from :mod:`factorgym.trailing` and feature frames
are checked by :func:`factorgym.alignment.align_feature_frame`, the homes of those rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from factorgym._typing import BoolArray, FloatArray
from factorgym.errors import DataError

__all__ = ["ObservationNormalizer", "block_columns", "fit_normalizer", "normalize_features"]


def normalize_features(
    features: Mapping[str, pd.DataFrame | pd.Series] | pd.DataFrame | pd.Series | None,
) -> dict[str, pd.DataFrame | pd.Series]:
    """Feature frames as an ordered ``{block name: frame}`` dict (a single frame is "features")."""
    if features is None:
        return {}
    if isinstance(features, (pd.DataFrame, pd.Series)):
        return {"features": features}
    if isinstance(features, Mapping):
        out = {}
        for k, v in features.items():
            if not isinstance(k, str) or not k:
                raise DataError(f"feature block names must be non-empty strings, got {k!r}")
            out[k] = v
        return out
    raise DataError(
        "`features` must be a DataFrame or a mapping of block name to DataFrame, got "
        f"{type(features).__name__}"
    )


@dataclass(frozen=True, eq=False)
class ObservationNormalizer:
    """Column means and scales fitted on the rows of a training window.

    Attributes
    ----------
    mean, scale : ndarray of shape (n_columns,)
        ``(x - mean) / scale``; a constant column gets scale 1.
    window : tuple of str
        First and last observation month used in the fit.
    n_rows : int
        Number of rows used.
    """

    mean: FloatArray
    scale: FloatArray
    window: tuple[str, str]
    n_rows: int

    def transform(self, rows: FloatArray) -> FloatArray:
        """Standardise rows of shape ``(..., n_columns)``."""
        return (rows - self.mean) / self.scale


def fit_normalizer(
    rows: FloatArray, mask: BoolArray, window: tuple[str, str]
) -> ObservationNormalizer:
    """Fit mean and (population) std of ``rows[mask]``, the training-window rows only.

    Raises
    ------
    DataError
        If the window holds no complete row.
    """
    sel = rows[mask]
    sel = sel[np.all(np.isfinite(sel), axis=1)]
    if sel.shape[0] == 0:
        raise DataError(
            f"`normalize_window` {window} holds no complete observation row to fit the normaliser"
        )
    mean = sel.mean(axis=0)
    std = sel.std(axis=0)
    scale = np.where(std > 1e-12, std, 1.0)
    return ObservationNormalizer(mean=mean, scale=scale, window=window, n_rows=int(sel.shape[0]))


def block_columns(
    blocks: Sequence[str],
    assets: Sequence[str],
    lookback: int,
    feature_columns: Sequence[str],
) -> dict[str, tuple[str, ...]]:
    """Column names of each observation block, in layout order."""
    out: dict[str, tuple[str, ...]] = {}
    if "returns" in blocks:
        out["returns"] = tuple(f"ret_lag{j}:{a}" for j in range(lookback) for a in assets)
    if "volatility" in blocks:
        out["volatility"] = tuple(f"vol:{a}" for a in assets)
    if "features" in blocks and feature_columns:
        out["features"] = tuple(feature_columns)
    if "weights" in blocks:
        out["weights"] = tuple(f"w:{a}" for a in assets)
    return out
