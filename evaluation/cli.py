"""``factorgym report RUN_DIR``: the research report of a finished run.

:func:`add_subcommands` adds the subcommand to the ``factorgym`` parser; errors
(:class:`~factorgym.errors.FactorGymError`) are left to ``factorgym.cli.main``, which prints
them on one line and exits with code 2. The verdict and the paths written go to stdout,
progress to stderr.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

__all__ = ["add_subcommands", "cmd_report"]


def add_subcommands(subparsers: Any) -> None:
    """Add ``report`` to ``subparsers`` (the object ``add_subparsers`` returned)."""
    rep = subparsers.add_parser(
        "report",
        help="write the research report (report.html, summary.csv/json) of a finished run",
        description=(
            "Write RUN_DIR/report/report.html (self-contained: opens offline), summary.csv and "
            "summary.json: metrics with bootstrap intervals, the significance of every agent "
            "against 1/N after costs with every trial counted, the verdict, robustness, "
            "capacity, attribution and monitoring."
        ),
    )
    rep.add_argument("run_dir", metavar="RUN_DIR", help="a finished run directory")
    rep.add_argument("--out", metavar="DIR", help="report folder (default RUN_DIR/report)")
    rep.add_argument("--force", action="store_true", help="replace an existing report")
    rep.add_argument(
        "--tearsheets", action="store_true", help="also write quantstats tear sheets per agent"
    )
    rep.add_argument(
        "--replay",
        action="store_true",
        help=(
            "rebuild the run's envs to replay its decisions at other costs and AUM when the run "
            "has no capacity/cost tables (also adds feature drift and forecast skill)"
        ),
    )
    rep.add_argument(
        "--extra-trials",
        dest="extra_trials",
        type=int,
        default=0,
        metavar="N",
        help="trials run outside this run (earlier runs, discarded configs) to deflate for",
    )
    rep.add_argument("--reps", type=int, default=1000, metavar="N", help="bootstrap replications")
    rep.add_argument("--seed", type=int, default=0, metavar="N", help="bootstrap seed")
    rep.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    """``factorgym report RUN_DIR``: write the report and print the verdict."""
    import json

    from rich.console import Console

    from factorgym.evaluation.report import write_report

    err = Console(stderr=True)
    with err.status("computing the report" + (" (replaying decisions)" if args.replay else "")):
        files = write_report(
            args.run_dir,
            args.out,
            force=args.force,
            tearsheets=args.tearsheets,
            replay=args.replay,
            n_extra_trials=args.extra_trials,
            reps=args.reps,
            seed=args.seed,
        )
    doc = json.loads(files.json.read_text(encoding="utf-8"))
    out = sys.stdout
    out.write(f"verdict: {doc['verdict']['text']}\n")
    out.write(f"report:  {files.html}\n")
    out.write(f"summary: {files.csv}, {files.json}\n")
    for path in files.tearsheets:
        out.write(f"tear sheet: {path}\n")
    return 0
