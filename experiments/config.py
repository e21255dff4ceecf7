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
import difflib
import hashlib
import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from factorgym.envs.config import EnvConfig
from factorgym.errors import ConfigError, FactorGymError
from factorgym.experiments.config_sections import (
    AgentConfig,
    DataConfig,
    FeaturesConfig,
    OutputConfig,
    RunnerConfig,
    SplitConfig,
)
from factorgym.experiments.config_values import (
    as_table,
    check_keys,
    freeze,
    plain,
    prefixed,
    string_value,
)
from factorgym.validation import check_int_sequence, fail

__all__ = [
    "AgentConfig",
    "DataConfig",
    "ExperimentConfig",
    "FeaturesConfig",
    "OutputConfig",
    "RunnerConfig",
    "SplitConfig",
    "deep_merge",
    "load_config",
    "parse_config",
    "prefixed",
    "shipped_config_path",
    "shipped_configs",
]

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
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_CONFIG_FOLDER = "configs"  # package data of factorgym.experiments


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
        by the runner). Held with ``normalize=False``: see ``normalize``.
    normalize : bool
        ``[env] normalize``: standardise observations with statistics of each fold's training
        window (the runner sets ``normalize=True`` with that window on every fold's specs).
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
    quick: Mapping[str, Any] = field(default_factory=lambda: freeze({}))
    is_quick: bool = False
    source: str | None = None
    normalize: bool = False

    def seeds_of(self, agent: AgentConfig) -> tuple[int, ...]:
        """The seeds ``agent`` runs with."""
        return self.seeds if agent.seeds is None else agent.seeds

    def experiment_dict(self) -> dict[str, Any]:
        """What the results depend on: data, env, features, splits, agents and seeds."""
        return {
            "data": self.data.to_dict(),
            "env": plain(self.env.to_dict() | {"normalize": self.normalize}),
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


#: Stands in for the per-fold normaliser window while ``[env]`` is validated.
_PLACEHOLDER_WINDOW = ("1900-01", "1999-12")


def _env_config(table: Mapping[str, Any]) -> tuple[EnvConfig, bool]:
    """``[env]`` as an EnvConfig held with ``normalize=False``, and the ``normalize`` flag."""
    for key in _RUNNER_ENV_FIELDS:
        if key in table:
            raise ConfigError(
                f"`env.{key}` is set by the runner for every fold (from [splits]); remove it, "
                f"got {table[key]!r}"
            )
    values = dict(table)
    if values.get("normalize") is True:  # the window comes per fold; validate with a stand-in
        values["normalize_window"] = _PLACEHOLDER_WINDOW
    try:
        env = EnvConfig.from_dict(values)
    except FactorGymError as exc:
        raise prefixed(exc, "env") from exc
    return env.replace(normalize=False, normalize_window=None), env.normalize


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
    doc = as_table("config", raw)
    check_keys("", doc, _TOP_KEYS)
    quick_table = as_table("quick", doc.get("quick", {}))
    if "quick" in quick_table:
        raise ConfigError("`quick.quick` is not allowed (overrides do not nest)")
    check_keys("quick", quick_table, tuple(k for k in _TOP_KEYS if k != "quick"))
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

    cfg_name = string_value("name", doc.get("name", name), pattern=_NAME)
    description = doc.get("description", "")
    if not isinstance(description, str):
        raise fail("description", "a string", description)
    seeds = check_int_sequence("seeds", doc.get("seeds", [0]), minimum=0, unique=True)
    data = DataConfig.from_table(as_table("data", doc.get("data", {})), base=base)
    env, normalize = _env_config(as_table("env", doc.get("env", {})))
    features = FeaturesConfig.from_table(as_table("features", doc.get("features", {})))
    splits = SplitConfig.from_table(as_table("splits", doc.get("splits", {})))
    agents_table = as_table("agents", doc.get("agents", {}))
    if not agents_table:
        raise fail("agents", "a table with at least one [agents.NAME] allocator", {})
    agents = tuple(AgentConfig.from_table(str(k), v) for k, v in agents_table.items())
    output = OutputConfig.from_table(as_table("output", doc.get("output", {})))
    runner = RunnerConfig.from_table(as_table("runner", doc.get("runner", {})))
    return ExperimentConfig(
        name=cfg_name,
        data=data,
        env=env,
        normalize=normalize,
        features=features,
        splits=splits,
        agents=agents,
        seeds=seeds,
        output=output,
        runner=runner,
        description=description,
        quick=freeze(quick_table),
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
