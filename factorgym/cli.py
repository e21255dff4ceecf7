"""The ``factorgym`` command line. The only module that writes to the terminal."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from factorgym._version import __version__
from factorgym.errors import FactorGymError

__all__ = ["build_parser", "main"]


def _source_arg(values: list[str]) -> object:
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


def _cmd_data_export(args: argparse.Namespace) -> int:
    panel = _load(args)
    out = Path(args.out)
    if out.suffix.lower() not in (".csv",):
        raise FactorGymError(f"`OUT` must end in .csv, got {str(out)!r}")
    out.parent.mkdir(parents=True, exist_ok=True)
    panel.to_frame(include_rf=True).to_csv(out, date_format="%Y-%m-%d", float_format="%.10g")
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


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    parser = argparse.ArgumentParser(
        prog="factorgym",
        description="Monthly factor timing with reinforcement learning.",
    )
    parser.add_argument("--version", action="version", version=f"factorgym {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    data = sub.add_parser("data", help="list, show and export data sources")
    data_sub = data.add_subparsers(dest="data_command", required=True)
    p_list = data_sub.add_parser("list", help="the data sources and what each holds")
    p_list.set_defaults(func=_cmd_data_list)
    p_show = data_sub.add_parser("show", help="period, months and per-asset statistics")
    _add_source_arguments(p_show)
    p_show.set_defaults(func=_cmd_data_show)
    p_export = data_sub.add_parser("export", help="write a source to a tidy CSV (decimals)")
    _add_source_arguments(p_export)
    p_export.set_defaults(func=_cmd_data_export)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; errors print one line to stderr and return a non-zero code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "data_command", None) == "export":
        # `export SOURCE... OUT`: the last positional is the output file.
        if len(args.source) < 2:
            parser.error("data export needs SOURCE and OUT.csv")
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
