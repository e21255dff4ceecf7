"""Experiment configurations: TOML files parsed into frozen, validated dataclasses.

A configuration has the tables ``[data]``, ``[env]`` (:class:`~factorgym.envs.EnvConfig`
fields), ``[features]``, ``[splits]``, ``[agents.NAME]`` (one per allocator: ``kind`` and its
hyper-parameters), ``[output]``, ``[runner]``, an optional ``[quick]`` table of overrides applied
by ``factorgym run --quick``, and the top-level keys ``name``, ``description`` and ``seeds``.

Every check runs before anything is written. Unknown keys, wrong types and impossible values
raise :class:`~factorgym.errors.ConfigError` naming the key path, the constraint and the value::

    `splits.test_size` must be an int >= 1, got 0
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import hashlib
import inspect
import json
import math
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from factorgym.envs.config import EnvConfig
from factorgym.errors import ConfigError, DataError, FactorGymError
from factorgym.experiments.combinatorial_purged_cv import CombinatorialPurgedCV
from factorgym.experiments.purged_walk_forward import PurgedWalkForward
from factorgym.panel import parse_month
from factorgym.validation import check_bool, check_choice, check_int, check_int_sequence, fail

__all__ = [
    "AgentConfig",
    "DataConfig",
    "ExperimentConfig",
    "FeaturesConfig",
    "OutputConfig",
    "RunnerConfig",
    "SplitConfig",
    "load_config",
    "parse_config",
    "shipped_config_path",
    "shipped_configs",
]

DATA_SOURCES = ("french", "etf", "synthetic", "files")
SPLIT_METHODS = ("walk_forward", "cpcv")
BACKENDS = ("local", "ray")
#: Options each data source accepts besides source, paths, assets, start and end.
_SOURCE_OPTIONS: dict[str, tuple[str, ...]] = {
    "french": ("universe",),
    "etf": ("rf",),
    "synthetic": ("n_months", "n_assets", "seed", "separation", "rf"),
    "files": ("table", "kind", "rf", "units", "date_column", "rf_column"),
}
_DATA_KEYS = ("source", "paths", "assets", "start", "end") + tuple(
    sorted({k for opts in _SOURCE_OPTIONS.values() for k in opts})
)
_SPLIT_KEYS: dict[str, tuple[str, ...]] = {
    "walk_forward": (
        "train_size",
        "test_size",
        "validation_size",
        "expanding",
        "purge",
        "embargo",
        "max_folds",
        "keep_partial_test",
    ),
    "cpcv": ("n_groups", "n_test_groups", "purge", "embargo", "validation_size"),
}
#: EnvConfig fields the runner sets for every fold (a config may not set them).
_RUNNER_ENV_FIELDS = ("window", "normalize_window")
_TOP_KEYS = (
    "name",
    "description",
    "seeds",
    "data",
    "env",
    "features",
    "splits",
    "agents",
    "output",
    "runner",
    "quick",
)
_AGENT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_CONFIG_FOLDER = "configs"  # package data of factorgym.experiments


# ---------------------------------------------------------------------- error helpers
def _unknown(path: str, key: str, allowed: tuple[str, ...] | list[str]) -> ConfigError:
    close = difflib.get_close_matches(key, list(allowed), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    where = f"`{path}.{key}`" if path else f"`{key}`"
    return ConfigError(f"{where} is not a known key (allowed: {', '.join(allowed)}){hint}")


def _check_keys(path: str, table: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    for key in table:
        if key not in allowed:
            raise _unknown(path, str(key), allowed)


def _table(path: str, value: object) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise fail(path, "a table", value)
    return dict(value)


_LEADING_NAME = re.compile(r"^`([^`]+)`")


def prefixed(exc: FactorGymError, prefix: str) -> ConfigError:
    """``exc`` as a ConfigError whose leading `` `name` `` becomes `` `prefix.name` ``."""
    msg = str(exc)
    if _LEADING_NAME.match(msg):
        msg = _LEADING_NAME.sub(lambda m: f"`{prefix}.{m.group(1)}`", msg, count=1)
    else:
        msg = f"`{prefix}`: {msg}"
    return ConfigError(msg)


def _month(path: str, value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        value = value.isoformat()
    if not isinstance(value, str):
        raise fail(path, "a month such as '1990-01'", value)
    try:
        return str(parse_month(value, name=path))
    except DataError as exc:
        raise ConfigError(str(exc)) from exc


def _string(path: str, value: object, *, pattern: re.Pattern[str] | None = None) -> str:
    if not isinstance(value, str) or not value.strip():
        raise fail(path, "a non-empty string", value)
    if pattern is not None and not pattern.match(value):
        raise fail(path, f"a name matching {pattern.pattern}", value)
    return value


def _strings(path: str, value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, (list, tuple)) or not value:
        raise fail(path, "a non-empty list of strings", value)
    out = tuple(_string(f"{path}[{i}]", v) for i, v in enumerate(value))
    if len(set(out)) != len(out):
        raise fail(path, "a list of distinct strings", value)
    return out


def _scalar_or_list(path: str, value: object) -> object:
    """A hyper-parameter value: a finite scalar, or a list of them (tuples in the config)."""
    if isinstance(value, (list, tuple)):
        return tuple(_scalar_or_list(f"{path}[{i}]", v) for i, v in enumerate(value))
    if isinstance(value, float) and not math.isfinite(value):
        raise fail(path, "a finite number", value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise fail(path, "a number, bool, string or a list of them", value)


class FrozenMap(Mapping[str, Any]):
    """A read-only, picklable mapping (``MappingProxyType`` does not pickle)."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Any]) -> None:
        object.__setattr__(self, "_data", dict(data))

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("FrozenMap is read-only")

    def __getstate__(self) -> dict[str, Any]:
        return self._data

    def __setstate__(self, state: dict[str, Any]) -> None:
        object.__setattr__(self, "_data", dict(state))

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"


def _freeze(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return FrozenMap(mapping)


def _plain(value: object) -> object:
    """JSON-ready copy: tuples become lists, mappings dicts."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


# ---------------------------------------------------------------------- sections
@dataclass(frozen=True)
class DataConfig:
    """Where the returns come from (``[data]``).

    Attributes
    ----------
    source : {"french", "etf", "synthetic", "files"}
        Embedded Ken French data, embedded factor ETFs, the synthetic market, or files.
    paths : tuple of str
        ``source="files"``: Ken French CSV files as downloaded (merged on month) or one tidy
        ``.csv``/``.parquet`` file. Relative paths are resolved against the config's folder.
    assets : tuple of str, optional
        Assets kept, in this order.
    start, end : str, optional
        First and last month kept (``"YYYY-MM"``).
    options : mapping
        Source options (``universe``; ``rf``; ``n_months``, ``n_assets``, ``seed``,
        ``separation``; ``table``, ``kind``, ``units``, ``date_column``, ``rf_column``).
    """

    source: str = "french"
    paths: tuple[str, ...] = ()
    assets: tuple[str, ...] | None = None
    start: str | None = None
    end: str | None = None
    options: Mapping[str, Any] = field(default_factory=lambda: _freeze({}))

    @classmethod
    def from_table(cls, table: Mapping[str, Any], *, base: Path | None) -> DataConfig:
        """Validate ``[data]``; ``base`` is the folder relative paths are resolved against."""
        _check_keys("data", table, _DATA_KEYS)
        paths_raw = table.get("paths")
        source = table.get("source", "files" if paths_raw is not None else "french")
        source = check_choice("data.source", source, DATA_SOURCES)
        paths: tuple[str, ...] = ()
        if source == "files":
            if paths_raw is None:
                raise fail("data.paths", "a non-empty list of files when source='files'", None)
            resolved = []
            for i, p in enumerate(_strings("data.paths", paths_raw)):
                path = Path(p).expanduser()
                if not path.is_absolute() and base is not None:
                    path = base / path
                if not path.is_file():
                    raise fail(f"data.paths[{i}]", "an existing file", p)
                resolved.append(str(path.resolve()))
            paths = tuple(resolved)
        elif paths_raw is not None:
            raise fail(
                "data.paths", f"absent when source={source!r} (paths need 'files')", paths_raw
            )
        options = {}
        for key, value in table.items():
            if key in ("source", "paths", "assets", "start", "end"):
                continue
            if key not in _SOURCE_OPTIONS[source]:
                raise ConfigError(
                    f"`data.{key}` is not an option of source {source!r} (its options: "
                    f"{', '.join(_SOURCE_OPTIONS[source]) or 'none'})"
                )
            options[key] = _check_data_option(key, value)
        assets = None if table.get("assets") is None else _strings("data.assets", table["assets"])
        start = _month("data.start", table.get("start"))
        end = _month("data.end", table.get("end"))
        if start is not None and end is not None and start > end:
            raise ConfigError(f"`data.start` must not be after `data.end`, got {start} > {end}")
        return cls(source, paths, assets, start, end, _freeze(options))

    def to_dict(self) -> dict[str, Any]:
        """Plain values (for the manifest and the config hash)."""
        out: dict[str, Any] = {"source": self.source}
        if self.paths:
            out["paths"] = list(self.paths)
        if self.assets is not None:
            out["assets"] = list(self.assets)
        for key in ("start", "end"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        out.update(_plain(dict(self.options)))  # type: ignore[arg-type]
        return out

    def load(self) -> Any:
        """The :class:`~factorgym.FactorPanel` (errors are ConfigErrors naming ``data``)."""
        from factorgym.data import load

        source: Any
        if self.source == "files":
            source = self.paths[0] if len(self.paths) == 1 else list(self.paths)
        else:
            source = self.source
        try:
            return load(
                source,
                start=self.start,
                end=self.end,
                assets=None if self.assets is None else list(self.assets),
                **dict(self.options),
            )
        except FactorGymError as exc:
            raise prefixed(exc, "data") from exc


def _check_data_option(key: str, value: object) -> object:
    path = f"data.{key}"
    if key == "universe":
        from factorgym.data import FRENCH_UNIVERSES

        return check_choice(path, value, tuple(FRENCH_UNIVERSES))
    if key in ("n_months", "n_assets"):
        return check_int(path, value, minimum=2 if key == "n_assets" else 24)
    if key == "seed":
        return check_int(path, value, minimum=0)
    if key == "separation":
        from factorgym.validation import check_real

        return check_real(path, value, low=0.0)
    if key == "rf":
        from factorgym.validation import check_real

        return check_real(path, value, low=-0.1, high=0.1)
    if key == "kind":
        return check_choice(path, value, ("excess", "total"))
    if key == "units":
        return check_choice(path, value, ("decimal", "percent"))
    if key == "table":
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise fail(path, "a table index (int) or a title substring (str)", value)
        return value
    return _string(path, value)  # date_column, rf_column


@dataclass(frozen=True)
class SplitConfig:
    """How the months are split (``[splits]``): walk-forward or CPCV, with purge and embargo.

    ``params`` holds the splitter's arguments (see :class:`PurgedWalkForward` and
    :class:`CombinatorialPurgedCV`); sizes are in months of the earnable sample (the months an
    env can earn once every feature and trailing statistic is available).
    """

    method: str = "walk_forward"
    params: Mapping[str, Any] = field(
        default_factory=lambda: _freeze(
            {"train_size": 120, "test_size": 60, "validation_size": 24, "purge": 1}
        )
    )

    @classmethod
    def from_table(cls, table: Mapping[str, Any]) -> SplitConfig:
        """Validate ``[splits]``."""
        table = dict(table)
        method = check_choice("splits.method", table.pop("method", "walk_forward"), SPLIT_METHODS)
        allowed = _SPLIT_KEYS[method]
        for key in table:
            if key not in allowed:
                other = [m for m, keys in _SPLIT_KEYS.items() if key in keys and m != method]
                if other:
                    raise ConfigError(
                        f"`splits.{key}` is an option of method {other[0]!r}, not of {method!r}"
                    )
                raise _unknown("splits", str(key), ("method",) + allowed)
        if method == "walk_forward":
            params = {"train_size": 120, "test_size": 60, "validation_size": 24, "purge": 1}
        else:
            params = {"n_groups": 6, "n_test_groups": 2, "purge": 1}
        params.update(table)
        out = cls(method, _freeze(params))
        try:
            out.splitter()._validate()
        except ConfigError as exc:
            raise prefixed(exc, "splits") from exc
        return out

    def splitter(self) -> PurgedWalkForward | CombinatorialPurgedCV:
        """The splitter object."""
        if self.method == "walk_forward":
            return PurgedWalkForward(**dict(self.params))
        return CombinatorialPurgedCV(**dict(self.params))

    def to_dict(self) -> dict[str, Any]:
        """Plain values."""
        return {"method": self.method, **_plain(dict(self.params))}  # type: ignore[dict-item]


def _builder_keys(cls: type, exclude: tuple[str, ...] = ()) -> tuple[str, ...]:
    sig = inspect.signature(cls.__init__)  # type: ignore[misc]
    return tuple(p for p in sig.parameters if p != "self" and p not in exclude)


@dataclass(frozen=True)
class FeaturesConfig:
    """Point-in-time features (``[features]``).

    Attributes
    ----------
    regimes : mapping, optional
        Arguments of :class:`~factorgym.regimes.RegimeFeatures` (``None``: no regime features).
        ``[features.regimes]`` enables them; ``regimes = false`` disables them.
    forecasts : mapping, optional
        Arguments of :class:`~factorgym.forecasts.EnsembleForecaster` plus ``use_regimes``
        (feed the filtered regime probabilities to the forecasters; default true when regimes
        are on).
    """

    regimes: Mapping[str, Any] | None = None
    forecasts: Mapping[str, Any] | None = None

    @classmethod
    def from_table(cls, table: Mapping[str, Any]) -> FeaturesConfig:
        """Validate ``[features]`` (keys and plain types; values are checked on the data)."""
        from factorgym.forecasts import EnsembleForecaster
        from factorgym.regimes import RegimeFeatures

        _check_keys("features", table, ("regimes", "forecasts"))
        allowed = {
            "regimes": _builder_keys(RegimeFeatures),
            "forecasts": _builder_keys(EnsembleForecaster, ("n_jobs", "cache")) + ("use_regimes",),
        }
        out: dict[str, Mapping[str, Any] | None] = {}
        for block in ("regimes", "forecasts"):
            value = table.get(block)
            if value is None or value is False:
                out[block] = None
                continue
            if value is True:
                value = {}
            sub = _table(f"features.{block}", value)
            _check_keys(f"features.{block}", sub, allowed[block])
            params = {k: _scalar_or_list(f"features.{block}.{k}", v) for k, v in sub.items()}
            if "use_regimes" in params:
                check_bool("features.forecasts.use_regimes", params["use_regimes"])
            out[block] = _freeze(params)
        if (
            out["forecasts"] is not None
            and out["forecasts"].get("use_regimes") is True
            and out["regimes"] is None
        ):
            raise ConfigError(
                "`features.forecasts.use_regimes` must be false when `features.regimes` is off, "
                "got True"
            )
        return cls(out["regimes"], out["forecasts"])

    def to_dict(self) -> dict[str, Any]:
        """Plain values (``False`` for a block that is off)."""
        return {
            b: (False if v is None else _plain(dict(v)))
            for b, v in (("regimes", self.regimes), ("forecasts", self.forecasts))
        }


@dataclass(frozen=True)
class AgentConfig:
    """One allocator of the experiment (``[agents.NAME]``).

    Attributes
    ----------
    name : str
        Label in every results table (the table's name).
    kind : str
        Allocator kind: a name of :mod:`factorgym.agents` (e.g. ``"equal_weight"``) or
        ``"package.module:Class"``. Defaults to ``name``.
    params : mapping
        Hyper-parameters passed to the allocator's constructor.
    seeds : tuple of int, optional
        Seeds of this agent (default: the experiment's ``seeds``).
    """

    name: str
    kind: str
    params: Mapping[str, Any] = field(default_factory=lambda: _freeze({}))
    seeds: tuple[int, ...] | None = None

    @classmethod
    def from_table(cls, name: str, table: object) -> AgentConfig:
        """Validate ``[agents.NAME]`` (the kind and parameter values are checked on build)."""
        path = f"agents.{name}"
        if not _AGENT_NAME.match(name):
            raise fail(path, "named by a letter then letters, digits, '_' or '-'", name)
        sub = _table(path, table)
        kind = _string(f"{path}.kind", sub.pop("kind", name))
        seeds = sub.pop("seeds", None)
        if seeds is not None:
            seeds = check_int_sequence(f"{path}.seeds", seeds, minimum=0, unique=True)
        params = {k: _scalar_or_list(f"{path}.{k}", v) for k, v in sub.items()}
        return cls(name, kind, _freeze(params), seeds)

    def to_dict(self) -> dict[str, Any]:
        """Plain values."""
        out: dict[str, Any] = {"kind": self.kind, **_plain(dict(self.params))}  # type: ignore[dict-item]
        if self.seeds is not None:
            out["seeds"] = list(self.seeds)
        return out


@dataclass(frozen=True)
class OutputConfig:
    """Where results go (``[output]``).

    Attributes
    ----------
    directory : str
        Folder that holds run directories (``RUN_DIR = directory/NAME-TIMESTAMP`` unless
        ``--out`` names one).
    feature_cache : str, optional
        Folder of the content-addressed feature cache (default ``directory/feature-cache``).
    save_models : bool
        Save every fitted allocator under ``RUN_DIR/models``.
    """

    directory: str = "runs"
    feature_cache: str | None = None
    save_models: bool = True

    @classmethod
    def from_table(cls, table: Mapping[str, Any]) -> OutputConfig:
        """Validate ``[output]``."""
        _check_keys("output", table, ("directory", "feature_cache", "save_models"))
        directory = _string("output.directory", table.get("directory", "runs"))
        if Path(directory).expanduser().exists() and not Path(directory).expanduser().is_dir():
            raise fail("output.directory", "a folder (it is a file)", directory)
        cache = table.get("feature_cache")
        if cache is not None:
            cache = _string("output.feature_cache", cache)
        save = check_bool("output.save_models", table.get("save_models", True))
        return cls(directory, cache, save)

    def to_dict(self) -> dict[str, Any]:
        """Plain values."""
        return {
            "directory": self.directory,
            "feature_cache": self.feature_cache,
            "save_models": self.save_models,
        }


@dataclass(frozen=True)
class RunnerConfig:
    """How units are executed (``[runner]``); results do not depend on it.

    Attributes
    ----------
    jobs : int
        Parallel workers (joblib processes, or Ray CPUs of a local Ray).
    backend : {"local", "ray"}
        joblib on this machine, or Ray tasks.
    ray_address : str, optional
        Address of an existing Ray cluster (``"auto"``, ``"ray://host:10001"``); default: start
        a local Ray.
    """

    jobs: int = 1
    backend: str = "local"
    ray_address: str | None = None

    @classmethod
    def from_table(cls, table: Mapping[str, Any]) -> RunnerConfig:
        """Validate ``[runner]``."""
        _check_keys("runner", table, ("jobs", "backend", "ray_address"))
        jobs = check_int("runner.jobs", table.get("jobs", 1), minimum=1, maximum=1024)
        backend = check_choice("runner.backend", table.get("backend", "local"), BACKENDS)
        address = table.get("ray_address")
        if address is not None:
            address = _string("runner.ray_address", address)
            if backend != "ray":
                raise fail("runner.ray_address", "unset unless backend='ray'", address)
        return cls(jobs, backend, address)

    def to_dict(self) -> dict[str, Any]:
        """Plain values."""
        return {"jobs": self.jobs, "backend": self.backend, "ray_address": self.ray_address}


# ---------------------------------------------------------------------- the experiment
@dataclass(frozen=True)
class ExperimentConfig:
    """A whole experiment (frozen, validated).

    Attributes
    ----------
    name, description : str
        Label and free text.
    data : DataConfig
    env : EnvConfig
        Env settings shared by every fold (``window`` and ``normalize_window`` are set per fold
        by the runner).
    features : FeaturesConfig
    splits : SplitConfig
    agents : tuple of AgentConfig
    seeds : tuple of int
        Seeds every agent is run with (unless it lists its own).
    output : OutputConfig
    runner : RunnerConfig
    quick : mapping
        Overrides applied by ``--quick`` (already applied if ``is_quick``).
    is_quick : bool
    source : str, optional
        The file it was read from.
    """

    name: str
    data: DataConfig
    env: EnvConfig
    features: FeaturesConfig
    splits: SplitConfig
    agents: tuple[AgentConfig, ...]
    seeds: tuple[int, ...] = (0,)
    output: OutputConfig = field(default_factory=OutputConfig)
    runner: RunnerConfig = field(default_factory=RunnerConfig)
    description: str = ""
    quick: Mapping[str, Any] = field(default_factory=lambda: _freeze({}))
    is_quick: bool = False
    source: str | None = None

    def seeds_of(self, agent: AgentConfig) -> tuple[int, ...]:
        """The seeds ``agent`` runs with."""
        return self.seeds if agent.seeds is None else agent.seeds

    def experiment_dict(self) -> dict[str, Any]:
        """What the results depend on: data, env, features, splits, agents and seeds."""
        return {
            "data": self.data.to_dict(),
            "env": _plain(self.env.to_dict()),
            "features": self.features.to_dict(),
            "splits": self.splits.to_dict(),
            "agents": {a.name: a.to_dict() for a in self.agents},
            "seeds": list(self.seeds),
        }

    def to_dict(self) -> dict[str, Any]:
        """The full resolved configuration (saved in every run's manifest)."""
        return {
            "name": self.name,
            "description": self.description,
            **self.experiment_dict(),
            "output": self.output.to_dict(),
            "runner": self.runner.to_dict(),
            "quick": self.is_quick,
            "source": self.source,
        }

    @property
    def experiment_hash(self) -> str:
        """SHA-256 of :meth:`experiment_dict` (canonical JSON): the identity of the results."""
        blob = json.dumps(self.experiment_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()


def _env_config(table: Mapping[str, Any]) -> EnvConfig:
    for key in _RUNNER_ENV_FIELDS:
        if key in table:
            raise ConfigError(
                f"`env.{key}` is set by the runner for every fold (from [splits]); remove it, "
                f"got {table[key]!r}"
            )
    try:
        return EnvConfig.from_dict(table)
    except FactorGymError as exc:
        raise prefixed(exc, "env") from exc
    except TypeError as exc:  # e.g. a table where a number belongs
        raise ConfigError(f"`env`: {exc}") from exc


def deep_merge(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``overrides`` merged in (tables merge key by key, anything else replaces)."""
    out = copy.deepcopy(dict(base))
    for key, value in overrides.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def parse_config(
    raw: Mapping[str, Any],
    *,
    name: str = "experiment",
    base: Path | None = None,
    source: str | None = None,
    quick: bool = False,
    overrides: Mapping[str, Any] | None = None,
) -> ExperimentConfig:
    """Validate a parsed TOML document into an :class:`ExperimentConfig`.

    Parameters
    ----------
    raw : mapping
        The document (``tomllib.load`` output).
    name : str
        Default for the ``name`` key.
    base : Path, optional
        Folder relative data paths are resolved against.
    source : str, optional
        Where ``raw`` came from (recorded).
    quick : bool
        Apply the ``[quick]`` overrides.
    overrides : mapping, optional
        Applied last (the command line's ``--data``, ``--start``, ...); a ``data`` table here
        replaces the config's ``[data]`` when it holds ``paths``.

    Raises
    ------
    ConfigError
        For any unknown key, wrong type or impossible value (naming its key path).
    """
    doc = _table("config", raw)
    _check_keys("", doc, _TOP_KEYS)
    quick_table = _table("quick", doc.get("quick", {}))
    if "quick" in quick_table:
        raise ConfigError("`quick.quick` is not allowed (overrides do not nest)")
    _check_keys("quick", quick_table, tuple(k for k in _TOP_KEYS if k != "quick"))
    if quick:
        if not quick_table:
            raise ConfigError(f"`quick` table missing: config {name!r} has no [quick] overrides")
        doc = deep_merge(doc, quick_table)
    if overrides:
        overrides = dict(overrides)
        data_over = overrides.get("data")
        if isinstance(data_over, Mapping) and "paths" in data_over:
            doc["data"] = {}
        doc = deep_merge(doc, overrides)

    cfg_name = _string("name", doc.get("name", name), pattern=_NAME)
    description = doc.get("description", "")
    if not isinstance(description, str):
        raise fail("description", "a string", description)
    seeds = check_int_sequence("seeds", doc.get("seeds", [0]), minimum=0, unique=True)
    data = DataConfig.from_table(_table("data", doc.get("data", {})), base=base)
    env = _env_config(_table("env", doc.get("env", {})))
    features = FeaturesConfig.from_table(_table("features", doc.get("features", {})))
    splits = SplitConfig.from_table(_table("splits", doc.get("splits", {})))
    agents_table = _table("agents", doc.get("agents", {}))
    if not agents_table:
        raise fail("agents", "a table with at least one [agents.NAME] allocator", {})
    agents = tuple(AgentConfig.from_table(str(k), v) for k, v in agents_table.items())
    output = OutputConfig.from_table(_table("output", doc.get("output", {})))
    runner = RunnerConfig.from_table(_table("runner", doc.get("runner", {})))
    return ExperimentConfig(
        name=cfg_name,
        data=data,
        env=env,
        features=features,
        splits=splits,
        agents=agents,
        seeds=seeds,
        output=output,
        runner=runner,
        description=description,
        quick=_freeze(quick_table),
        is_quick=quick,
        source=source,
    )


def shipped_configs() -> dict[str, str]:
    """Shipped configuration names and their one-line descriptions."""
    out = {}
    folder = resources.files("factorgym.experiments").joinpath(_CONFIG_FOLDER)
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            text = entry.read_text(encoding="utf-8")
            doc = tomllib.loads(text)
            out[entry.name[: -len(".toml")]] = str(doc.get("description", ""))
    return out


def shipped_config_path(name: str) -> Path:
    """Path of the shipped configuration ``name`` (``ConfigError`` if there is none)."""
    names = list(shipped_configs())
    if name not in names:
        close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise ConfigError(
            f"`CONFIG` must be one of the shipped configs {names} or a .toml file, "
            f"got {name!r}{hint}"
        )
    folder = resources.files("factorgym.experiments").joinpath(_CONFIG_FOLDER)
    return Path(str(folder.joinpath(f"{name}.toml")))


def load_config(
    config: str | Path,
    *,
    quick: bool = False,
    overrides: Mapping[str, Any] | None = None,
) -> ExperimentConfig:
    """Read and validate a configuration file or a shipped configuration by name.

    Parameters
    ----------
    config : str or Path
        A ``.toml`` path, or the name of a shipped configuration (``"default"``, ``"quick"``,
        ``"etf"``, ``"industries"``, ``"synthetic"``).
    quick : bool
        Apply the file's ``[quick]`` overrides.
    overrides : mapping, optional
        Further overrides (see :func:`parse_config`).

    Raises
    ------
    ConfigError
        For a missing file, invalid TOML, or any invalid value (naming its key path).
    """
    text_path = Path(config).expanduser()
    if text_path.suffix.lower() != ".toml" and not text_path.exists():
        text_path = shipped_config_path(str(config))
    if not text_path.is_file():
        raise fail("CONFIG", "an existing .toml file or a shipped config name", str(config))
    try:
        raw = tomllib.loads(text_path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"`CONFIG` {str(text_path)!r} is not valid TOML: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"`CONFIG` {str(text_path)!r} is not UTF-8 text: {exc}") from exc
    return parse_config(
        raw,
        name=text_path.stem,
        base=text_path.resolve().parent,
        source=str(text_path.resolve()),
        quick=quick,
        overrides=overrides,
    )
