"""Write a panel to a self-verifying tidy CSV file, and check such a file when it is read back.

The file is an ordinary tidy CSV (``date`` column of month-end dates, one column per asset, then
``RF``; decimals, written with the shortest text that reads back to the same float64) between two
comment lines::

    # factorgym export v1: units=decimal kind=excess rf=RF; ...
    date,MktRF,SMB,HML,Mom,RF
    1990-01-31,-0.0785,...
    ...
    # end of factorgym export: rows=327 sha256=<SHA-256 of every byte above this line>

A file that lost its end (a copy interrupted, a disk that filled up) or was changed after the
export fails the check and is refused by :func:`factorgym.load` with the reason. pandas reads the
file with ``pandas.read_csv(path, comment="#")``.

The file is written atomically (:mod:`factorgym._files`): whatever happens during the write --
``kill -9``, a full disk, a file-size limit -- the target holds either its old content or the
complete new file. An existing file is replaced only with ``overwrite=True``, and never when it is
one of the files the panel was read from.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from factorgym._files import atomic_write_bytes, check_output_path
from factorgym.errors import DataError
from factorgym.panel import FactorPanel
from factorgym.validation import check_bool, fail

__all__ = ["ExportInfo", "read_export", "write_csv"]

FORMAT_VERSION = 1
_HEADER = re.compile(
    r"^# factorgym export v(?P<version>\d+): units=(?P<units>\w+) kind=(?P<kind>\w+) rf=RF;"
)
_TRAILER = re.compile(
    r"^# end of factorgym export: rows=(?P<rows>\d+) sha256=(?P<sha>[0-9a-f]{64})$"
)
_MARKER = b"# factorgym export v"


@dataclass(frozen=True)
class ExportInfo:
    """What the comment lines of a verified export say.

    Attributes
    ----------
    units : str
        Units of the values (``"decimal"``).
    kind : str
        The panel's kind (``"excess"`` or ``"total"``).
    rows : int
        Number of data rows (months).
    """

    units: str
    kind: str
    rows: int


def is_export(raw: bytes) -> bool:
    """True if ``raw`` (the start of a file is enough) begins with the export's first line."""
    return raw.startswith(_MARKER)


def _body(panel: FactorPanel) -> bytes:
    frame = panel.to_frame(include_rf=True)
    # float_format=None: pandas writes repr(), the shortest text that reads back bit for bit.
    return frame.to_csv(date_format="%Y-%m-%d", lineterminator="\n").encode("utf-8")


def export_bytes(panel: FactorPanel) -> bytes:
    """The complete content of the export of ``panel`` (see the module docstring)."""
    reserved = [a for a in panel.assets if a == "RF" or a.lower() == "date"]
    if reserved:
        raise DataError(
            f"`panel` asset names must not be 'RF' or 'date' (the export's own columns), got "
            f"{reserved}; rename them first"
        )
    head = (
        f"# factorgym export v{FORMAT_VERSION}: units=decimal kind={panel.kind} rf=RF; monthly "
        "returns; the last line holds the row count and the SHA-256 of everything above it; "
        "read it with pandas.read_csv and comment='#'\n"
    ).encode()
    text = head + _body(panel)
    digest = hashlib.sha256(text).hexdigest()
    return text + f"# end of factorgym export: rows={panel.n_months} sha256={digest}\n".encode()


def write_csv(
    panel: FactorPanel,
    path: str | os.PathLike[str],
    *,
    overwrite: bool = False,
    inputs: Iterable[str | os.PathLike[str]] = (),
) -> Path:
    """Write ``panel`` (returns and ``RF``, decimals) to a self-verifying tidy CSV file.

    Parameters
    ----------
    panel : FactorPanel
        What to write.
    path : path
        Target file; must end in ``.csv``. Missing parent folders are created.
    overwrite : bool, default False
        Replace an existing file. Without it an existing file is refused.
    inputs : iterable of paths
        Files the panel was read from, in addition to ``panel.provenance.files``; the target
        must be none of them, whatever ``overwrite`` says.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    OutputError
        The target exists (and ``overwrite`` is False), is an input, is a directory, or the
        operating system refused the write; the target is then unchanged.
    ConfigError
        ``path`` does not end in ``.csv`` or ``overwrite`` is not a bool.
    DataError
        An asset is named ``RF`` or ``date``.
    """
    return _write_csv(panel, path, overwrite=overwrite, inputs=inputs, name="path")


def _write_csv(
    panel: FactorPanel,
    path: str | os.PathLike[str],
    *,
    overwrite: bool,
    inputs: Iterable[str | os.PathLike[str]],
    name: str,
) -> Path:
    """:func:`write_csv`, with ``name`` the parameter the messages name (``OUT`` in the CLI)."""
    overwrite = check_bool("overwrite", overwrite)
    if not isinstance(panel, FactorPanel):
        raise DataError(f"`panel` must be a factorgym.FactorPanel, got {type(panel).__name__}")
    target = Path(path)
    if target.suffix.lower() != ".csv":
        raise fail(name, "a path ending in .csv", str(target))
    protected = [*panel.provenance.files, *inputs]
    check_output_path(target, overwrite=overwrite, inputs=protected, name=name)
    return atomic_write_bytes(target, export_bytes(panel), name=name, make_folder=True)


def read_export(raw: bytes, *, what: str) -> tuple[bytes, ExportInfo]:
    """Check an export's comment lines, row count and checksum; return the CSV part.

    Parameters
    ----------
    raw : bytes
        The whole file.
    what : str
        The file's name, for messages.

    Returns
    -------
    csv : bytes
        The CSV table between the two comment lines.
    info : ExportInfo

    Raises
    ------
    DataError
        An unknown version, a missing last line (the file was cut short), a row count or a
        checksum that does not match (the file was changed after the export).
    """
    first_end = raw.find(b"\n")
    if first_end < 0:
        raise DataError(
            f"{what} is a factorgym export cut short: it ends inside its first line; export it "
            "again"
        )
    first = raw[:first_end].decode("utf-8", "replace")
    head = _HEADER.match(first)
    if head is None or int(head.group("version")) != FORMAT_VERSION:
        raise DataError(
            f"{what}: unknown factorgym export header {first[:60]!r} (this version reads "
            f"v{FORMAT_VERSION})"
        )
    content = raw.rstrip(b"\r\n")
    tail_start = content.rfind(b"\n") + 1
    last = content[tail_start:].rstrip(b"\r").decode("utf-8", "replace")
    tail = _TRAILER.match(last) if tail_start > first_end else None
    table = raw[first_end + 1 : tail_start] if tail is not None else raw[first_end + 1 :]
    rows = max(table.count(b"\n") - 1, 0)  # minus the line of column names
    if tail is None:
        raise DataError(
            f"{what} is a factorgym export cut short: its last line must be '# end of factorgym "
            f"export: rows=... sha256=...', but the file ends after {rows} data rows with "
            f"{last[:60]!r}; export it again"
        )
    digest = hashlib.sha256(raw[:tail_start]).hexdigest()
    if rows != int(tail.group("rows")) or digest != tail.group("sha"):
        raise DataError(
            f"{what} was changed after it was exported: it holds {rows} data rows (the export "
            f"wrote {tail.group('rows')}) and its SHA-256 "
            f"{'matches' if digest == tail.group('sha') else 'does not match'}; export it again "
            "(or, if you edited it on purpose, delete its first and last lines, which start "
            "with '#')"
        )
    return table, ExportInfo(units=head.group("units"), kind=head.group("kind"), rows=rows)
