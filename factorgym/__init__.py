"""factorgym: monthly factor timing with reinforcement learning.

>>> import factorgym
>>> panel = factorgym.load("french")             # embedded Ken French factors, 1949-01..2017-03
>>> panel.describe()                             # doctest: +SKIP
"""

from pathlib import Path as _Path

from factorgym._version import __version__
from factorgym.data import load
from factorgym.errors import (
    ConfigError,
    DataError,
    FactorGymError,
    LookAheadError,
    NotFittedError,
    UnknownAssetError,
)
from factorgym.panel import FactorPanel, Provenance
from factorgym.registration import ENV_IDS, register_envs

# The design card keeps envs/, regimes/, ... at the repository root and setup.cfg maps them into
# this package when it is installed. Python started *inside a source checkout* finds this folder
# first (the current directory comes first on sys.path), and it has no envs/ of its own; let
# subpackage lookups fall through to the checkout's root, so `factorgym.envs` is the checkout's
# envs/ there, exactly as the installed mapping would have it.
_here = _Path(__file__).resolve().parent
if not (_here / "envs").is_dir() and (_here.parent / "envs" / "__init__.py").is_file():
    __path__.append(str(_here.parent))  # noqa: F821 - the package's own __path__
del _here, _Path

register_envs()

__all__ = [
    "ENV_IDS",
    "ConfigError",
    "DataError",
    "FactorGymError",
    "FactorPanel",
    "LookAheadError",
    "NotFittedError",
    "Provenance",
    "UnknownAssetError",
    "__version__",
    "load",
    "register_envs",
]
