"""Ken French monthly data embedded in ``linearmodels.datasets.french`` (1949-01..2017-03)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from factorgym.errors import DataError
from factorgym.panel import FactorPanel, Provenance

__all__ = ["FRENCH_UNIVERSES", "load_french"]

#: Universes of the embedded data: name -> (columns, kind, description).
FRENCH_UNIVERSES: dict[str, tuple[tuple[str, ...], str, str]] = {
    "factors": (
        ("MktRF", "SMB", "HML", "Mom"),
        "excess",
        "Fama-French market, size, value and Carhart momentum factors (long-short, excess)",
    ),
    "industries": (
        (
            "NoDur",
            "Durbl",
            "Manuf",
            "Enrgy",
            "Chems",
            "BusEq",
            "Telcm",
            "Utils",
            "Shops",
            "Hlth",
            "Money",
            "Other",
        ),
        "total",
        "12 value-weighted industry portfolios (total returns)",
    ),
    "size_value": (
        ("S1V1", "S1V3", "S1V5", "S3V1", "S3V3", "S3V5", "S5V1", "S5V3", "S5V5"),
        "total",
        "9 of the 25 size/book-to-market portfolios (quintiles 1, 3, 5; total returns)",
    ),
    "size_momentum": (
        ("S1M1", "S1M3", "S1M5", "S3M1", "S3M3", "S3M5", "S5M1", "S5M3", "S5M5"),
        "total",
        "9 of the 25 size/momentum portfolios (quintiles 1, 3, 5; total returns)",
    ),
}


@lru_cache(maxsize=1)
def _raw() -> pd.DataFrame:
    from linearmodels.datasets import french  # local: import cost only when used

    frame = french.load()
    frame = frame.set_index(pd.DatetimeIndex(frame.pop("dates")).to_period("M"))
    return frame


def _vintage() -> str:
    import linearmodels

    return f"linearmodels {linearmodels.__version__} embedded copy (Ken French library, to 2017-03)"


def load_french(*, universe: str = "factors") -> FactorPanel:
    """The embedded Ken French data as a panel.

    Parameters
    ----------
    universe : {"factors", "industries", "size_value", "size_momentum"}
        ``"factors"`` gives MktRF, SMB, HML, Mom as excess returns (``kind="excess"``);
        the others give portfolios as total returns (``kind="total"``). The risk-free rate is
        the library's one-month T-bill column ``RF``. Values are already decimals.
    """
    if universe not in FRENCH_UNIVERSES:
        raise DataError(f"`universe` must be one of {sorted(FRENCH_UNIVERSES)}, got {universe!r}")
    cols, kind, desc = FRENCH_UNIVERSES[universe]
    raw = _raw()
    return FactorPanel(
        raw.loc[:, list(cols)].to_numpy(dtype=np.float64),
        raw["RF"].to_numpy(dtype=np.float64),
        raw.index,
        cols,
        kind=kind,  # type: ignore[arg-type]
        provenance=Provenance(
            source="french",
            vintage=_vintage(),
            units_converted="none (shipped in decimals)",
            rf_source="Ken French RF (one-month T-bill), same file",
            notes=f"universe={universe}: {desc}",
        ),
    )
