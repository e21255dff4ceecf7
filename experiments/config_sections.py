"""The sections of an experiment config, as frozen, validated dataclasses.

``[data]``, ``[splits]``, ``[features]``, ``[agents.NAME]``, ``[output]`` and ``[runner]``;
:mod:`factorgym.experiments.config` assembles them into an :class:`ExperimentConfig`.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from factorgym.errors import ConfigError, FactorGymError
from factorgym.experiments.combinatorial_purged_cv import CombinatorialPurgedCV
from factorgym.experiments.config_values import (
    as_table,
    check_keys,
    freeze,
    hyper_value,
    month_value,
    plain,
    plain_dict,
    prefixed,
    string_list,
    string_value,
    unknown_key,
)
from factorgym.experiments.purged_walk_forward import PurgedWalkForward
from factorgym.validation import check_bool, check_choice, check_int, check_int_sequence, fail

__all__ = [
    "BACKENDS",
    "DATA_SOURCES",
    "SPLIT_METHODS",
    "AgentConfig",
    "DataConfig",
    "FeaturesConfig",
    "OutputConfig",
    "RunnerConfig",
    "SplitConfig",
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
_AGENT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")


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
    options: Mapping[str, Any] = field(default_factory=lambda: freeze({}))

    @classmethod
    def from_table(cls, table: Mapping[str, Any], *, base: Path | None) -> DataConfig:
        """Validate ``[data]``; ``base`` is the folder relative paths are resolved against."""
        check_keys("data", table, _DATA_KEYS)
        paths_raw = table.get("paths")
        source = table.get("source", "files" if paths_raw is not None else "french")
        source = check_choice("data.source", source, DATA_SOURCES)
        paths: tuple[str, ...] = ()
        if source == "files":
            if paths_raw is None:
                raise fail("data.paths", "a non-empty list of files when source='files'", None)
            resolved = []
            for i, p in enumerate(string_list("data.paths", paths_raw)):
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
        assets = (
            None if table.get("assets") is None else string_list("data.assets", table["assets"])
        )
        start = month_value("data.start", table.get("start"))
        end = month_value("data.end", table.get("end"))
        if start is not None and end is not None and start > end:
            raise ConfigError(f"`data.start` must not be after `data.end`, got {start} > {end}")
        return cls(source, paths, assets, start, end, freeze(options))

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
        out.update(plain_dict(self.options))
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
    return string_value(path, value)  # date_column, rf_column


@dataclass(frozen=True)
class SplitConfig:
    """How the months are split (``[splits]``): walk-forward or CPCV, with purge and embargo.

    ``params`` holds the splitter's arguments (see :class:`PurgedWalkForward` and
    :class:`CombinatorialPurgedCV`); sizes are in months of the earnable sample (the months an
    env can earn once every feature and trailing statistic is available).
    """

    method: str = "walk_forward"
    params: Mapping[str, Any] = field(
        default_factory=lambda: freeze(
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
                raise unknown_key("splits", str(key), ("method",) + allowed)
        if method == "walk_forward":
            params = {"train_size": 120, "test_size": 60, "validation_size": 24, "purge": 1}
        else:
            params = {"n_groups": 6, "n_test_groups": 2, "purge": 1}
        params.update(table)
        out = cls(method, freeze(params))
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
        return {"method": self.method, **plain_dict(self.params)}


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
        ``models`` (the ensemble's members, :class:`~factorgym.forecasts.EnsembleForecaster`),
        the arguments of the :class:`~factorgym.forecasts.WalkForwardForecaster` every member
        copies (``min_train_months``, ``refit_every``, ...) and ``use_regimes``
        (feed the filtered regime probabilities to the forecasters; default true when regimes
        are on).
    """

    regimes: Mapping[str, Any] | None = None
    forecasts: Mapping[str, Any] | None = None

    @classmethod
    def from_table(cls, table: Mapping[str, Any]) -> FeaturesConfig:
        """Validate ``[features]`` (keys and plain types; values are checked on the data)."""
        from factorgym.forecasts import WalkForwardForecaster
        from factorgym.regimes import RegimeFeatures

        check_keys("features", table, ("regimes", "forecasts"))
        allowed = {
            "regimes": _builder_keys(RegimeFeatures),
            "forecasts": ("models",)
            + _builder_keys(WalkForwardForecaster, ("model",))
            + ("use_regimes",),
        }
        out: dict[str, Mapping[str, Any] | None] = {}
        for block in ("regimes", "forecasts"):
            value = table.get(block)
            if value is None or value is False:
                out[block] = None
                continue
            if value is True:
                value = {}
            sub = as_table(f"features.{block}", value)
            check_keys(f"features.{block}", sub, allowed[block])
            params = {k: hyper_value(f"features.{block}.{k}", v) for k, v in sub.items()}
            if "use_regimes" in params:
                check_bool("features.forecasts.use_regimes", params["use_regimes"])
            out[block] = freeze(params)
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
            b: (False if v is None else plain(dict(v)))
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
    params: Mapping[str, Any] = field(default_factory=lambda: freeze({}))
    seeds: tuple[int, ...] | None = None

    @classmethod
    def from_table(cls, name: str, table: object) -> AgentConfig:
        """Validate ``[agents.NAME]`` (the kind and parameter values are checked on build)."""
        path = f"agents.{name}"
        if not _AGENT_NAME.match(name):
            raise fail(path, "named by a letter then letters, digits, '_' or '-'", name)
        sub = as_table(path, table)
        kind = string_value(f"{path}.kind", sub.pop("kind", name))
        seeds = sub.pop("seeds", None)
        if seeds is not None:
            seeds = check_int_sequence(f"{path}.seeds", seeds, minimum=0, unique=True)
        params = {k: hyper_value(f"{path}.{k}", v) for k, v in sub.items()}
        return cls(name, kind, freeze(params), seeds)

    def to_dict(self) -> dict[str, Any]:
        """Plain values."""
        out: dict[str, Any] = {"kind": self.kind, **plain_dict(self.params)}
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
    replay : bool
        Replay every unit's test decisions at other AUM and cost levels
        (``tables/capacity.parquet``, ``tables/cost_sensitivity.parquet``).
    report : bool
        Write ``RUN_DIR/report/report.html`` (and ``summary.csv``/``.json``) at the end.
    """

    directory: str = "runs"
    feature_cache: str | None = None
    save_models: bool = True
    replay: bool = True
    report: bool = True

    @classmethod
    def from_table(cls, table: Mapping[str, Any]) -> OutputConfig:
        """Validate ``[output]``."""
        check_keys(
            "output", table, ("directory", "feature_cache", "save_models", "replay", "report")
        )
        directory = string_value("output.directory", table.get("directory", "runs"))
        if Path(directory).expanduser().exists() and not Path(directory).expanduser().is_dir():
            raise fail("output.directory", "a folder (it is a file)", directory)
        cache = table.get("feature_cache")
        if cache is not None:
            cache = string_value("output.feature_cache", cache)
        save = check_bool("output.save_models", table.get("save_models", True))
        replay = check_bool("output.replay", table.get("replay", True))
        report = check_bool("output.report", table.get("report", True))
        return cls(directory, cache, save, replay, report)

    def to_dict(self) -> dict[str, Any]:
        """Plain values."""
        return {
            "directory": self.directory,
            "feature_cache": self.feature_cache,
            "save_models": self.save_models,
            "replay": self.replay,
            "report": self.report,
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
        check_keys("runner", table, ("jobs", "backend", "ray_address"))
        jobs = check_int("runner.jobs", table.get("jobs", 1), minimum=1, maximum=1024)
        backend = check_choice("runner.backend", table.get("backend", "local"), BACKENDS)
        address = table.get("ray_address")
        if address is not None:
            address = string_value("runner.ray_address", address)
            if backend != "ray":
                raise fail("runner.ray_address", "unset unless backend='ray'", address)
        return cls(jobs, backend, address)

    def to_dict(self) -> dict[str, Any]:
        """Plain values."""
        return {"jobs": self.jobs, "backend": self.backend, "ray_address": self.ray_address}
