"""Files the product writes: atomic replacement, no overwrite without asking, never an input.

One home for the rules of ``CONVENTIONS.md`` ("Files the product writes"):

- :func:`check_output_path` refuses a target that is a directory, that exists when overwriting
  was not asked for, or that is one of the inputs (the same file, through any path, symlink or
  hard link) -- even when overwriting was asked for.
- :func:`atomic_write_bytes` writes to a temporary file in the target's folder, calls
  ``fsync`` on it, ``os.replace`` to put it over the target, and ``fsync`` on the folder (git and
  sqlite work this way). A reader sees the old file or the complete new one, never a part; on
  any failure the temporary file is removed and the target is untouched.
- :func:`remove_stale_temps` removes temporary files left behind by a writer that was killed
  (``kill -9`` cannot be caught). The rule, stated once: a file is a stale temporary of ours when
  its name matches :data:`TEMP_NAME` for the same target, it is owned by the current user, and
  either the process that wrote it (host and pid are in the name) is no longer running on this
  host, or it is older than :data:`STALE_AFTER_SECONDS` (writers on other hosts, reused pids).
  Nothing else is ever touched.
"""

from __future__ import annotations

import os
import re
import socket
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from factorgym.errors import OutputError

__all__ = [
    "STALE_AFTER_SECONDS",
    "TEMP_NAME",
    "atomic_write_bytes",
    "check_output_path",
    "remove_stale_temps",
    "same_file",
]

#: A temporary file older than this is stale whoever wrote it (a write takes well under a
#: second; an hour leaves room for slow network file systems and clock skew).
STALE_AFTER_SECONDS = 3600.0

#: ``.<target name>.<host>.<pid>.<random>.tmp`` -- the name of every temporary file written here.
TEMP_NAME = re.compile(
    r"^\.(?P<target>.+)\.(?P<host>[A-Za-z0-9-]{1,32})\.(?P<pid>\d+)\.[A-Za-z0-9_]+\.tmp$"
)


def _host() -> str:
    name = re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname())[:32]
    return name or "host"


def _umask() -> int:
    # os.umask can only be read by setting it; the two calls are back to back.
    old = os.umask(0o022)
    os.umask(old)
    return old


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """True if ``a`` and ``b`` name the same file (same device and inode, or same real path)."""
    pa, pb = Path(a), Path(b)
    try:
        return os.path.samefile(pa, pb)
    except OSError:  # one of them does not exist: compare where they would be
        return pa.resolve(strict=False) == pb.resolve(strict=False)


def check_output_path(
    path: str | os.PathLike[str],
    *,
    overwrite: bool,
    inputs: Iterable[str | os.PathLike[str]] = (),
    name: str = "path",
) -> Path:
    """Return ``path`` if a file may be written there; raise :class:`OutputError` otherwise.

    Parameters
    ----------
    path : path
        The target file.
    overwrite : bool
        Whether an existing file may be replaced (``--force`` / ``overwrite=True``).
    inputs : iterable of paths
        Files the content was read from: never written over, whatever ``overwrite`` says.
    name : str
        Parameter name for the message.

    Raises
    ------
    OutputError
        The target is a directory, is one of ``inputs``, or exists and ``overwrite`` is False.
    """
    target = Path(path)
    for source in inputs:
        if same_file(target, source):
            raise OutputError(
                f"`{name}` must not be one of the inputs, got {str(target)!r} (the file the data "
                "are read from); write to another file"
            )
    if target.is_dir():
        raise OutputError(f"`{name}` must be a file, got the directory {str(target)!r}")
    if target.exists() and not overwrite:
        raise OutputError(
            f"`{name}` must not exist unless overwriting is asked for (--force, overwrite=True), "
            f"got the existing file {str(target)!r}"
        )
    return target


def _pid_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, it is someone else's
        return True
    return True


def remove_stale_temps(folder: str | os.PathLike[str], target: str | None = None) -> list[Path]:
    """Remove stale temporary files of ours in ``folder`` (see the module docstring for the rule).

    Parameters
    ----------
    folder : path
        The folder to clean (nothing happens if it does not exist).
    target : str, optional
        Only temporaries of this target file name; ``None`` for every target.

    Returns
    -------
    list of Path
        The files removed.
    """
    root = Path(folder)
    if not root.is_dir():
        return []
    host, now, uid = _host(), time.time(), os.getuid() if hasattr(os, "getuid") else None
    removed = []
    for entry in root.iterdir():
        m = TEMP_NAME.match(entry.name)
        if m is None or (target is not None and m.group("target") != target):
            continue
        try:
            st = entry.lstat()
        except FileNotFoundError:  # removed meanwhile by another process
            continue
        if uid is not None and st.st_uid != uid:
            continue
        dead = m.group("host") == host and not _pid_running(int(m.group("pid")))
        if dead or now - st.st_mtime > STALE_AFTER_SECONDS:
            try:
                entry.unlink()
            except FileNotFoundError:
                continue
            removed.append(entry)
    return removed


def _fsync_folder(folder: Path) -> None:
    if os.name != "posix":  # folders cannot be opened for fsync on Windows
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(
    path: str | os.PathLike[str], data: bytes, *, name: str = "path", make_folder: bool = False
) -> Path:
    """Write ``data`` to ``path`` atomically (temp file in the same folder, fsync, os.replace).

    The caller checks first whether writing there is allowed (:func:`check_output_path`). The new
    file gets the permissions a plain ``open(path, "w")`` would give (``0o666`` minus the umask).

    Parameters
    ----------
    path : path
        Target file.
    data : bytes
        The complete new content.
    name : str
        Parameter name for error messages.
    make_folder : bool
        Create missing parent folders first.

    Raises
    ------
    OutputError
        The operating system refused (no such folder, permission, disk full, file size limit,
        ...); the target is unchanged and no temporary file is left.
    """
    target = Path(path)
    folder = target.parent
    tmp: str | None = None
    for above in (folder, *folder.parents):
        if above.exists() and not above.is_dir():
            raise OutputError(
                f"`{name}`: cannot write {str(target)!r}: {str(above)!r} is a file, not a folder"
            )
    try:
        if make_folder:
            folder.mkdir(parents=True, exist_ok=True)
        remove_stale_temps(folder, target.name)
        fd, tmp = tempfile.mkstemp(
            dir=folder, prefix=f".{target.name}.{_host()}.{os.getpid()}.", suffix=".tmp"
        )
        try:
            if hasattr(os, "fchmod"):  # mkstemp creates 0o600; give the usual permissions
                os.fchmod(fd, 0o666 & ~_umask())
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
        tmp = None
        _fsync_folder(folder)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise OutputError(f"`{name}`: cannot write {str(target)!r}: {reason}") from exc
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
    return target
