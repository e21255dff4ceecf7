"""The ``factorgym`` command line. The only module that writes to the terminal.

Options may come anywhere after the command (``factorgym data export french --start 1990-01
out.csv`` and ``... french out.csv --start 1990-01`` are the same). New commands are added to
:func:`build_parser` next to :func:`add_data_commands`; every command function returns an exit
code, and a :class:`~factorgym.errors.FactorGymError` becomes one line on stderr and code 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from factorgym._version import __version__
from factorgym.errors import FactorGymError
from factorgym.validation import fail

__all__ = ["add_data_commands", "build_parser", "main"]


class _Parser(argparse.ArgumentParser):
    """An argument parser whose leaf commands accept options before, between or after positionals.

    ``argparse`` stops a ``nargs="+"`` positional at the first option, so ``export french
    --start 1990-01 out.csv`` used to fail with "unrecognized arguments: out.csv". Leaf parsers
    (those without subcommands) parse with ``parse_known_intermixed_args``, which collects the
    positionals wherever they are; parsers with subcommands cannot (argparse refuses) and do not
    need to.
    """

    _intermixing = False

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        if self._subparsers is not None or self._intermixing:
            return super().parse_known_args(args, namespace)
        self._intermixing = True  # parse_known_intermixed_args calls parse_known_args itself
        try:
            return self.parse_known_intermixed_args(args, namespace)
        finally:
            self._intermixing = False


def _source_arg(values: list[str]) -> str | list[str]:
    return values[0] if len(values) == 1 else values


def _options(args: argparse.Namespace) -> dict[str, object]:
    opts: dict[str, object] = {}
    for name in ("universe", "kind", "units", "table", "rf", "seed", "n_months"):
        value = getattr(args, name, None)
        if value is not None:
            opts[name] = value
    if isinstance(opts.get("table"), str) and str(opts["table"]).isdigit():
        opts["table"] = int(str(opts["table"]))
    return opts


def _load(args: argparse.Namespace):  # noqa: ANN202 - returns FactorPanel
    from factorgym.data import load

    assets = [a.strip() for a in args.assets.split(",")] if args.assets else None
    return load(
        _source_arg(args.source), start=args.start, end=args.end, assets=assets, **_options(args)
    )


def _cmd_data_list(args: argparse.Namespace) -> int:
    from rich.console import Console

    from factorgym.data import SOURCES

    console = Console()
    for info in SOURCES.values():
        console.print(f"[bold]{info.name}[/bold]  ({info.kind}; {info.period})")
        console.print(f"    {info.holds}", highlight=False)
        console.print(f"    options: {info.options}", highlight=False)
    return 0


def _cmd_data_show(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    panel = _load(args)
    console = Console()
    prov = panel.provenance
    console.print(f"[bold]source[/bold]   {prov.source}")
    console.print(f"[bold]period[/bold]   {panel.start}..{panel.end}  ({panel.n_months} months)")
    console.print(f"[bold]kind[/bold]     {panel.kind}  ({panel.n_assets} assets)")
    console.print(f"[bold]vintage[/bold]  {prov.vintage}")
    console.print(f"[bold]units[/bold]    {prov.units_converted}")
    console.print(f"[bold]rf[/bold]       {prov.rf_source}")
    if prov.notes:
        console.print(f"[bold]notes[/bold]    {prov.notes}")
    console.print(f"[bold]hash[/bold]     {panel.content_hash[:16]}")
    stats = panel.describe()
    sharpe_of = "excess returns" if panel.kind == "excess" else "returns minus rf"
    table = Table(
        title=f"Per-asset statistics (annualised, 12 periods/year; Sharpe of {sharpe_of})"
    )
    table.add_column("asset")
    for col in ("ann. mean", "ann. vol", "Sharpe", "max DD", "skew"):
        table.add_column(col, justify="right")
    for asset, row in stats.iterrows():
        table.add_row(
            str(asset),
            f"{row['ann_mean']:.2%}",
            f"{row['ann_vol']:.2%}",
            f"{row['sharpe']:.3f}",
            f"{row['max_drawdown']:.1%}",
            f"{row['skew']:.2f}",
        )
    console.print(table)
    return 0


def _input_files(args: argparse.Namespace) -> list[Path]:
    """The sources that are files (named sources such as 'french' are not)."""
    return [Path(src) for src in args.source if Path(src).exists()]


def _cmd_data_export(args: argparse.Namespace) -> int:
    from factorgym._files import check_output_path
    from factorgym.data.csv_export import _write_csv

    out = Path(args.out)
    if out.suffix.lower() != ".csv":
        raise fail("OUT", "a path ending in .csv", str(out))
    # Refuse before loading anything: an existing file without --force, a directory, an input.
    check_output_path(out, overwrite=args.force, inputs=_input_files(args), name="OUT")
    panel = _load(args)
    _write_csv(panel, out, overwrite=args.force, inputs=_input_files(args), name="OUT")
    sys.stdout.write(
        f"wrote {panel.n_months} months x {panel.n_assets} assets (+ RF) to {out} "
        "(decimal units; reload with units='decimal')\n"
    )
    return 0


def _add_source_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "source",
        nargs="+",
        help="'french', 'etf', 'synthetic', Ken French CSV file(s), or a tidy .csv/.parquet",
    )
    p.add_argument("--start", help="first month, e.g. 1990-01")
    p.add_argument("--end", help="last month, e.g. 2016-12")
    p.add_argument("--assets", help="comma-separated asset names, e.g. MktRF,HML")
    p.add_argument("--universe", help="french: factors|industries|size_value|size_momentum")
    p.add_argument("--kind", choices=("excess", "total"), help="files: how columns combine")
    p.add_argument("--units", choices=("decimal", "percent"), help="tidy files: value units")
    p.add_argument("--table", help="Ken French files: monthly table index or title substring")
    p.add_argument("--rf", type=float, help="constant monthly risk-free rate (decimal)")
    p.add_argument("--seed", type=int, help="synthetic: random seed")
    p.add_argument("--n-months", dest="n_months", type=int, help="synthetic: number of months")


def add_data_commands(sub: argparse._SubParsersAction) -> None:
    """Add ``data list|show|export`` to the top-level subcommands ``sub``."""
    data = sub.add_parser("data", help="list, show and export data sources")
    data_sub = data.add_subparsers(dest="data_command", required=True)
    p_list = data_sub.add_parser("list", help="the data sources and what each holds")
    p_list.set_defaults(func=_cmd_data_list)
    p_show = data_sub.add_parser("show", help="period, months and per-asset statistics")
    _add_source_arguments(p_show)
    p_show.set_defaults(func=_cmd_data_show)
    p_export = data_sub.add_parser(
        "export",
        help="write a source to a tidy CSV (decimals)",
        description="Write SOURCE... to OUT.csv (the last positional): a tidy CSV in decimals "
        "whose last line carries its row count and SHA-256, written atomically. An existing "
        "OUT is replaced only with --force, and never when it is one of the inputs.",
    )
    _add_source_arguments(p_export)
    p_export.add_argument(
        "--force", action="store_true", help="replace OUT if it exists (never an input file)"
    )
    p_export.set_defaults(func=_cmd_data_export)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    parser = _Parser(
        prog="factorgym",
        description="Monthly factor timing with reinforcement learning.",
    )
    parser.add_argument("--version", action="version", version=f"factorgym {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    add_data_commands(sub)
    from factorgym.experiments.cli import add_subcommands  # `run`, `configs`

    add_subcommands(sub)
    from factorgym.evaluation.cli import add_subcommands as add_report  # `report`

    add_report(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; errors print one line to stderr and return a non-zero code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "data_command", None) == "export":
        # `export SOURCE... OUT`: the last positional is the output file.
        if len(args.source) < 2:
            parser.error("data export needs SOURCE... and OUT.csv (the last positional)")
        args.out = args.source.pop()
    try:
        return int(args.func(args))
    except FactorGymError as exc:
        sys.stderr.write(f"factorgym: error: {exc}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("factorgym: interrupted\n")
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
