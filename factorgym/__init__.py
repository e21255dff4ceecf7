"""factorgym: monthly factor timing with reinforcement learning.

>>> import factorgym
>>> panel = factorgym.load("french")             # embedded Ken French factors, 1949-01..2017-03
>>> panel.describe()                             # doctest: +SKIP
"""

from factorgym._version import __version__
from factorgym.data import load
from factorgym.errors import (
    ConfigError,
    DataError,
    FactorGymError,
    InvalidActionError,
    LookAheadError,
    NotFittedError,
    UnknownAssetError,
)
from factorgym.panel import FactorPanel, Provenance
from factorgym.registration import ENV_IDS, register_envs

register_envs()

__all__ = [
    "ENV_IDS",
    "ConfigError",
    "DataError",
    "FactorGymError",
    "FactorPanel",
    "InvalidActionError",
    "LookAheadError",
    "NotFittedError",
    "Provenance",
    "UnknownAssetError",
    "__version__",
    "load",
    "register_envs",
]
