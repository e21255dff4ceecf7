"""``factorgym run`` and ``factorgym configs``: the subcommands of the experiments.

:func:`add_subcommands` adds them to the ``factorgym`` parser; each handler returns an exit
code, and errors (:class:`~factorgym.errors.FactorGymError`) are left to ``factorgym.cli.main``,
which prints them on one line and exits with code 2. Progress goes to stderr, the summary table
to stdout.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from factorgym.errors import ConfigError

__all__ = ["add_subcommands", "cmd_configs", "cmd_run"]


def add_subcommands(subparsers: Any) -> None:
    """Add ``run`` and ``configs`` to ``subparsers`` (the object ``add_subparsers`` returned)."""
    run = subparsers.add_parser(
        "run",
        help="benchmark every agent on purged out-of-sample folds",
        description=(
            "Run an experiment: fit every agent x seed on each fold's training months, run it "
            "through the fold's test env, and write tables, models and a manifest to a run "
            "directory. CONFIG is a .toml file or a shipped config (see `factorgym configs`)."
        ),
    )
    run.add_argument("config", nargs="?", help="config file or shipped name (default: default)")
    run.add_argument("--quick", action="store_true", help="apply the config's [quick] overrides")
    run.add_argument(
        "--data",
        nargs="+",
        metavar="PATH",
        help="Ken French CSV file(s) as downloaded (merged on month) or one tidy .csv/.parquet",
    )
    run.add_argument("--units", choices=("decimal", "percent"), help="--data tidy file: units")
    run.add_argument("--kind", choices=("excess", "total"), help="--data: how returns combine")
    run.add_argument("--start", metavar="YYYY-MM", help="first month of the data")
    run.add_argument("--end", metavar="YYYY-MM", help="last month of the data")
    run.add_argument("--out", metavar="DIR", help="run directory (must not exist)")
    run.add_argument("--overwrite", action="store_true", help="replace an existing run directory")
    run.add_argument("--jobs", type=int, metavar="N", help="parallel workers")
    run.add_argument("--backend", choices=("local", "ray"), help="local (joblib) or ray")
    run.add_argument("--ray-address", dest="ray_address", help="existing Ray cluster address")
    run.add_argument("--resume", metavar="RUN_DIR", help="finish an interrupted run")
    run.set_defaults(func=cmd_run)

    configs = subparsers.add_parser("configs", help="list and show the shipped configs")
    configs_sub = configs.add_subparsers(dest="configs_command")
    show = configs_sub.add_parser("show", help="print a shipped config")
    show.add_argument("name")
    check = configs_sub.add_parser("check", help="validate a config file (writes nothing)")
    check.add_argument("name", help="a .toml file or a shipped name")
    check.add_argument("--quick", action="store_true")
    configs.set_defaults(func=cmd_configs)


# ---------------------------------------------------------------------- configs
def cmd_configs(args: argparse.Namespace) -> int:
    """``factorgym configs [show NAME | check FILE]``."""
    from rich.console import Console

    from factorgym.experiments.config import load_config, shipped_config_path, shipped_configs

    command = getattr(args, "configs_command", None)
    if command == "show":
        sys.stdout.write(shipped_config_path(args.name).read_text(encoding="utf-8"))
        return 0
    if command == "check":
        cfg = load_config(args.name, quick=args.quick)
        n_seeds = sum(len(cfg.seeds_of(a)) for a in cfg.agents)
        sys.stdout.write(
            f"{cfg.name}: valid ({len(cfg.agents)} agents, {n_seeds} agent-seeds, "
            f"splits {cfg.splits.method}, hash {cfg.experiment_hash[:12]})\n"
        )
        return 0
    console = Console()
    for name, description in shipped_configs().items():
        console.print(f"[bold]{name}[/bold]  {description}", highlight=False)
    console.print("show one with: factorgym configs show NAME", style="dim")
    return 0


# ---------------------------------------------------------------------- run
def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    over: dict[str, Any] = {}
    data: dict[str, Any] = {}
    if args.data:
        # relative to where the command runs (a config file's own paths are relative to it)
        data["paths"] = [str(Path(p).expanduser().absolute()) for p in args.data]
        data["source"] = "files"
        for key in ("units", "kind"):
            if getattr(args, key) is not None:
                data[key] = getattr(args, key)
    elif args.units is not None or args.kind is not None:
        raise ConfigError("`--units`/`--kind` apply to --data files only; pass --data PATH")
    for key in ("start", "end"):
        if getattr(args, key) is not None:
            data[key] = getattr(args, key)
    if data:
        over["data"] = data
    runner = _runner(args)
    if runner:
        over["runner"] = runner
    return over


def _runner(args: argparse.Namespace) -> dict[str, Any]:
    runner: dict[str, Any] = {}
    if args.jobs is not None:
        runner["jobs"] = args.jobs
    if args.backend is not None:
        runner["backend"] = args.backend
    if args.ray_address is not None:
        runner["ray_address"] = args.ray_address
        runner.setdefault("backend", "ray")
    return runner


class _ProgressView:
    """A rich progress bar over units: fold / agent / seed of the last one, ETA."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.console = Console(stderr=True)
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("elapsed"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=self.console,
            transient=False,
        )
        self.task: Any = None
        self.report = ""

    def __enter__(self) -> _ProgressView:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(*exc)  # type: ignore[arg-type]

    def __call__(self, event: Any) -> None:
        if event.kind == "planned":
            self.task = self.progress.add_task(
                f"{event.n_folds} folds", total=event.total, completed=event.done
            )
            if event.done:
                self.console.print(f"resuming: {event.done} of {event.total} units already done")
        elif event.kind == "unit" and self.task is not None:
            fold, agent, seed = event.key
            self.progress.update(
                self.task,
                completed=event.done,
                description=f"fold {fold + 1}/{event.n_folds} · {agent} · seed {seed}",
            )
        elif event.kind == "assembled" and self.task is not None:
            self.progress.update(self.task, description="tables written · writing the report")
        elif event.kind == "report":
            self.report = event.message
            if self.task is not None:
                self.progress.update(self.task, description="done")


def _print_summary(results: Any, seconds: float, report: str = "") -> None:
    from rich.console import Console
    from rich.table import Table

    from factorgym.experiments.summary import summarize

    console = Console(width=None if sys.stdout.isatty() else 132)
    stats = summarize(results.returns)
    manifest = results.manifest
    months = results.returns["month"]
    table = Table(
        title=(
            f"{manifest['config']['name']}: out of sample {months.min()}..{months.max()}, "
            f"{manifest['folds']} folds (net of costs, annualised, mean over seeds/paths)"
        )
    )
    table.add_column("agent")
    for col in (
        "series",
        "months",
        "excess ret",
        "vol",
        "Sharpe",
        "±sd",
        "max DD",
        "turnover",
        "costs",
    ):
        table.add_column(col, justify="right")
    for agent, row in stats.iterrows():
        table.add_row(
            str(agent),
            f"{int(row['series'])}",
            f"{int(row['months'])}",
            f"{row['ann_excess']:.2%}",
            f"{row['ann_vol']:.2%}",
            f"{row['sharpe']:.3f}",
            f"{row['sharpe_sd']:.3f}",
            f"{row['max_drawdown']:.1%}",
            f"{row['turnover']:.3f}",
            f"{row['cost_drag']:.2%}",
        )
    console.print(table)
    console.print(f"run directory: {results.run_dir}  ({seconds:.1f} s)", highlight=False)
    if report:
        label = "" if report.startswith("no report") else "report: "
        console.print(f"{label}{report}", highlight=False)


def cmd_run(args: argparse.Namespace) -> int:
    """``factorgym run``: run (or resume) an experiment and print its summary."""
    from factorgym.experiments.backends import check_backend
    from factorgym.experiments.config import load_config
    from factorgym.experiments.runner import plan_experiment, resume_experiment, run_experiment

    if args.jobs is not None and args.jobs < 1:
        raise ConfigError(f"`--jobs` must be an int >= 1, got {args.jobs}")
    if args.backend is not None or args.ray_address is not None:
        check_backend(args.backend or "ray")
    t0 = time.perf_counter()
    if args.resume:
        if args.data or args.start or args.end or args.quick or args.out or args.overwrite:
            raise ConfigError(
                "`--resume` finishes a run as it was configured; it takes no --data, --start, "
                "--end, --quick, --out or --overwrite"
            )
        config = None if args.config is None else load_config(args.config)
        with _ProgressView() as view:
            results = resume_experiment(
                args.resume, config=config, runner=_runner(args), progress=view
            )
        report = view.report
    else:
        config = load_config(args.config or "default", quick=args.quick, overrides=_overrides(args))
        err = __import__("rich.console", fromlist=["Console"]).Console(stderr=True)
        with err.status("loading data, computing features, building folds"):
            plan = plan_experiment(config)
        with _ProgressView() as view:
            results = run_experiment(
                config, run_dir=args.out, overwrite=args.overwrite, progress=view, plan=plan
            )
        report = view.report
    _print_summary(results, time.perf_counter() - t0, report)
    return 0
