"""Cost presets ``zero``, ``low``, ``central``, ``high`` from ``COSTS.md`` (sections 2 and 3).

Tags as in ``COSTS.md``: **S** from a cited source, **A** our choice anchored on a cited figure,
**R** our reasoned choice with no direct source.

Central preset (``COSTS.md`` section 2)::

    asset    c one-way bp  h bp/month  Y        sigma daily  V per leg $/day     legs
    Mkt-RF   2 (R)         0 (R)       0.5 (A)  1.0% (R)     30e9 (S: SPY)       1
    SMB      20 (R)        4 (A)       0.5 (A)  2.5% (R)     10e9 (R)            2
    HML      12 (R)        5 (A)       0.5 (A)  2.0% (R)     20e9 (R)            2
    RMW      12 (R)        4 (A)       0.5 (A)  2.0% (R)     20e9 (R)            2
    CMA      12 (R)        5 (A)       0.5 (A)  2.0% (R)     20e9 (R)            2
    Mom      15 (R)        40 (A)      0.5 (A)  2.5% (R)     20e9 (R)            2
    ETF      3 (R)         0 (R)       0.5 (A)  1.2% (R)     0.15e9 (S: MTUM)    1
    D = 5 days (A: Ratcliffe, Miranda & Ang 2017); p_max = 0.10 (R)

Sensitivity (``COSTS.md`` section 3)::

    parameter                    low             central        high
    c Mkt-RF / ETF, bp           0.5 / 1         2 / 3          5 / 10
    c SMB, bp                    8               20             50
    c HML, RMW, CMA, bp          5               12             30
    c Mom, bp                    6               15             40
    h SMB / HML / RMW / CMA      1 / 1.5 / 1 / 1.5   4 / 5 / 4 / 5   8 / 10 / 8 / 12
    h Mom, bp/month              10              40             80
    Y                            0.15            0.5            1.0
    D days / p_max               10 / 0.2        5 / 0.1        1 / 0.05
    V multiplier                 x2              x1             x0.5

``low`` mimics a patient institutional trader (Frazzini, Israel & Moskowitz 2012, 2018), ``high``
spread-based academic estimates (Novy-Marx & Velikov 2016; Detzel, Novy-Marx & Velikov 2023).
``zero`` sets every ``c``, ``h`` and ``Y`` to 0 as ``COSTS.md`` says and, our choice (R), also
lifts the participation cap (``p_max = inf``): it is the frictionless ablation, so no trade is
cut either.

Asset names are matched case-insensitively, ignoring ``-``, ``_`` and spaces: ``MktRF``,
``Mkt-RF``, ``Mkt``, ``Market`` -> Mkt-RF; ``Mom``, ``UMD``, ``WML`` -> Mom; ``SMB``, ``HML``,
``RMW``, ``CMA``; ETF tickers ``MTUM``, ``QUAL``, ``SIZE``, ``USMV``, ``VLUE``, ``SPY``, ``IWM``,
``VTV``, ``VUG`` -> ETF row, with ``V`` overridden for SPY (30e9, S: SSGA) and IWM (3.5e9, S).

Unknown names fall back to a generic row chosen by the panel kind (R, logged at INFO level):
a long-short factor of an ``"excess"`` panel gets the HML row (a low-turnover large/mid-cap
long-short factor: c = 12 bp, h = 5 bp/month, sigma 2 %, V 20e9, 2 legs); an investable asset of a
``"total"`` panel gets the ETF row (c = 3 bp, h = 0, sigma 1.2 %, V 0.15e9, 1 leg), a
conservative capacity for, e.g., a sector fund. Override per asset with ``EnvConfig`` fields.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from factorgym.envs.costs import CostModel
from factorgym.errors import ConfigError

__all__ = ["ASSET_CLASSES", "PRESET_TABLES", "asset_class", "preset_row", "resolve_cost_model"]

logger = logging.getLogger(__name__)

ASSET_CLASSES = ("Mkt-RF", "SMB", "HML", "RMW", "CMA", "Mom", "ETF")

_C_BPS = {
    "zero": dict.fromkeys(ASSET_CLASSES, 0.0),
    "low": {"Mkt-RF": 0.5, "ETF": 1.0, "SMB": 8.0, "HML": 5.0, "RMW": 5.0, "CMA": 5.0, "Mom": 6.0},
    "central": {
        "Mkt-RF": 2.0,
        "ETF": 3.0,
        "SMB": 20.0,
        "HML": 12.0,
        "RMW": 12.0,
        "CMA": 12.0,
        "Mom": 15.0,
    },
    "high": {
        "Mkt-RF": 5.0,
        "ETF": 10.0,
        "SMB": 50.0,
        "HML": 30.0,
        "RMW": 30.0,
        "CMA": 30.0,
        "Mom": 40.0,
    },
}
_H_BPS = {
    "zero": dict.fromkeys(ASSET_CLASSES, 0.0),
    "low": {"Mkt-RF": 0.0, "ETF": 0.0, "SMB": 1.0, "HML": 1.5, "RMW": 1.0, "CMA": 1.5, "Mom": 10.0},
    "central": {
        "Mkt-RF": 0.0,
        "ETF": 0.0,
        "SMB": 4.0,
        "HML": 5.0,
        "RMW": 4.0,
        "CMA": 5.0,
        "Mom": 40.0,
    },
    "high": {
        "Mkt-RF": 0.0,
        "ETF": 0.0,
        "SMB": 8.0,
        "HML": 10.0,
        "RMW": 8.0,
        "CMA": 12.0,
        "Mom": 80.0,
    },
}
_Y = {"zero": 0.0, "low": 0.15, "central": 0.5, "high": 1.0}
_DAYS = {"zero": 5.0, "low": 10.0, "central": 5.0, "high": 1.0}
_P_MAX = {"zero": math.inf, "low": 0.2, "central": 0.1, "high": 0.05}
_V_MULT = {"zero": 1.0, "low": 2.0, "central": 1.0, "high": 0.5}
_SIGMA = {
    "Mkt-RF": 0.010,
    "SMB": 0.025,
    "HML": 0.020,
    "RMW": 0.020,
    "CMA": 0.020,
    "Mom": 0.025,
    "ETF": 0.012,
}
_V_CENTRAL = {
    "Mkt-RF": 30e9,
    "SMB": 10e9,
    "HML": 20e9,
    "RMW": 20e9,
    "CMA": 20e9,
    "Mom": 20e9,
    "ETF": 0.15e9,
}
_LEGS = {"Mkt-RF": 1.0, "SMB": 2.0, "HML": 2.0, "RMW": 2.0, "CMA": 2.0, "Mom": 2.0, "ETF": 1.0}

#: Every preset as ``{preset: {asset_class: {parameter: value}}}`` (plus ``"_shared"`` D, p_max).
PRESET_TABLES: dict[str, dict[str, dict[str, float]]] = {
    p: {
        **{
            a: {
                "c_bps": _C_BPS[p][a],
                "h_bps": _H_BPS[p][a],
                "Y": _Y[p],
                "sigma_daily": _SIGMA[a],
                "V_usd": _V_CENTRAL[a] * _V_MULT[p],
                "legs": _LEGS[a],
            }
            for a in ASSET_CLASSES
        },
        "_shared": {"D": _DAYS[p], "p_max": _P_MAX[p]},
    }
    for p in ("zero", "low", "central", "high")
}

_ALIASES = {
    "mktrf": "Mkt-RF",
    "mkt": "Mkt-RF",
    "market": "Mkt-RF",
    "rmrf": "Mkt-RF",
    "smb": "SMB",
    "hml": "HML",
    "rmw": "RMW",
    "cma": "CMA",
    "mom": "Mom",
    "umd": "Mom",
    "wml": "Mom",
}
_ETF_TICKERS = {"mtum", "qual", "size", "usmv", "vlue", "spy", "iwm", "vtv", "vug"}
#: Ticker-specific daily dollar volume (central), replacing the ETF row's 0.15e9.
_ETF_V_OVERRIDES = {"spy": 30e9, "iwm": 3.5e9}


def _key(name: str) -> str:
    return name.lower().replace("-", "").replace("_", "").replace(" ", "")


def asset_class(name: str, kind: str) -> tuple[str, bool]:
    """The preset row of an asset name and whether the name was recognised.

    Unknown names map to ``"HML"`` for ``kind="excess"`` and ``"ETF"`` for ``kind="total"``.
    """
    key = _key(name)
    if key in _ALIASES:
        return _ALIASES[key], True
    if key in _ETF_TICKERS:
        return "ETF", True
    return ("HML" if kind == "excess" else "ETF"), False


def preset_row(preset: str, name: str, kind: str) -> dict[str, float]:
    """Parameters ``c_bps, h_bps, Y, sigma_daily, V_usd, legs`` of one asset under a preset."""
    if preset not in PRESET_TABLES:
        raise ConfigError(f"`costs` must be one of {tuple(PRESET_TABLES)}, got {preset!r}")
    cls, _ = asset_class(name, kind)
    row = dict(PRESET_TABLES[preset][cls])
    v_over = _ETF_V_OVERRIDES.get(_key(name))
    if v_over is not None:
        row["V_usd"] = v_over * _V_MULT[preset]
    return row


def _per_asset(name: str, value: Any, n: int) -> np.ndarray | None:
    if value is None:
        return None
    if isinstance(value, (tuple, list, np.ndarray)):
        arr = np.asarray(value, dtype=np.float64)
        if arr.shape != (n,):
            raise ConfigError(
                f"`{name}` must be a scalar or have one value per asset ({n}), got {len(arr)}"
            )
        return arr
    return np.full(n, float(value))


def resolve_cost_model(assets: Sequence[str], kind: str, config: Any) -> CostModel:
    """The :class:`CostModel` of a panel's assets under ``config`` (preset plus overrides).

    Parameters
    ----------
    assets : sequence of str
        Asset names (matched to preset rows, see the module docstring).
    kind : {"excess", "total"}
        Panel kind; decides the fallback row of unknown names.
    config : EnvConfig
        Uses ``costs`` and the overrides ``cost_bps``, ``internal_bps``, ``impact_coef``,
        ``sigma_daily``, ``capacity_usd``, ``trade_days``, ``participation_cap``.
    """
    preset = config.costs
    n = len(assets)
    rows = [preset_row(preset, a, kind) for a in assets]
    sources = []
    unknown = []
    for a in assets:
        cls, known = asset_class(a, kind)
        sources.append(
            cls if known else f"generic {'factor (HML row)' if cls == 'HML' else 'asset (ETF row)'}"
        )
        if not known:
            unknown.append(a)
    if unknown:
        logger.info(
            "cost preset %r: no row for %s; using the generic %s row (override with EnvConfig)",
            preset,
            unknown,
            "HML" if kind == "excess" else "ETF",
        )
    params = {
        "cost_bps": np.array([r["c_bps"] for r in rows]),
        "internal_bps": np.array([r["h_bps"] for r in rows]),
        "impact_coef": np.array([r["Y"] for r in rows]),
        "sigma_daily": np.array([r["sigma_daily"] for r in rows]),
        "capacity_usd": np.array([r["V_usd"] for r in rows]),
    }
    overridden = []
    for field in ("cost_bps", "internal_bps", "sigma_daily", "capacity_usd"):
        over = _per_asset(field, getattr(config, field), n)
        if over is not None:
            params[field] = over
            overridden.append(field)
    if config.impact_coef is not None:
        params["impact_coef"] = np.full(n, float(config.impact_coef))
        overridden.append("impact_coef")
    shared = PRESET_TABLES[preset]["_shared"]
    days = shared["D"] if config.trade_days is None else float(config.trade_days)
    p_max = shared["p_max"] if config.participation_cap is None else float(config.participation_cap)
    if overridden:
        sources = [f"{s} + overrides({', '.join(overridden)})" for s in sources]
    return CostModel(
        assets=tuple(assets),
        legs=np.array([r["legs"] for r in rows]),
        trade_days=days,
        participation_cap=p_max,
        preset=preset,
        sources=tuple(sources),
        **params,
    )
