"""Typed exceptions of factorgym.

Every error names the parameter (or file, column, month), the constraint that failed and the
value received, e.g. ``"`cost_bps` must be >= 0, got -5.0"``.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "DataError",
    "FactorGymError",
    "InvalidActionError",
    "LookAheadError",
    "NotFittedError",
    "OutputError",
    "UnknownAssetError",
]


class FactorGymError(Exception):
    """Base class of every error raised by factorgym."""


class DataError(FactorGymError, ValueError):
    """Input data is malformed, inconsistent or cannot be read."""


class UnknownAssetError(DataError, KeyError):
    """An asset name is not in the panel; the message suggests close matches."""

    def __str__(self) -> str:  # KeyError would otherwise repr() the message
        return str(self.args[0]) if self.args else ""


class ConfigError(FactorGymError, ValueError):
    """A configuration value is out of its allowed range or of the wrong type."""


class InvalidActionError(FactorGymError, ValueError):
    """A malformed (not numbers, wrong shape, NaN or inf) or infeasible action or target weights."""


class LookAheadError(FactorGymError, ValueError):
    """A feature frame would let information from after month t reach row t."""


class NotFittedError(FactorGymError, AttributeError):
    """An estimator was used before ``fit``."""


class OutputError(FactorGymError, OSError):
    """A file cannot be written where asked.

    It exists and overwriting was not asked for, it is one of the inputs, it is a directory, or
    the operating system refused the write (the message carries the OS reason).
    """
