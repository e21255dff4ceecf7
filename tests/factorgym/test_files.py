"""factorgym._files: where a file may be written, atomic writes, stale temporary files."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from factorgym import FactorGymError
from factorgym._files import (
    STALE_AFTER_SECONDS,
    TEMP_NAME,
    _host,
    atomic_write_bytes,
    check_output_path,
    remove_stale_temps,
    same_file,
)
from factorgym.errors import OutputError


def test_output_error_is_a_factorgym_error_and_an_os_error():
    assert issubclass(OutputError, FactorGymError) and issubclass(OutputError, OSError)


def test_check_output_path_rules(tmp_path):
    new = tmp_path / "new.csv"
    assert check_output_path(new, overwrite=False) == new
    old = tmp_path / "old.csv"
    old.write_text("keep")
    with pytest.raises(OutputError, match=r"`out` must not exist unless overwriting is asked for"):
        check_output_path(old, overwrite=False, name="out")
    assert check_output_path(old, overwrite=True) == old
    with pytest.raises(OutputError, match="`out` must be a file, got the directory"):
        check_output_path(tmp_path, overwrite=True, name="out")
    # an input is never written over: same path, another spelling, a symlink, a hard link
    link = tmp_path / "link.csv"
    link.symlink_to(old)
    hard = tmp_path / "hard.csv"
    os.link(old, hard)
    spelled = tmp_path / "sub" / ".." / "old.csv"
    (tmp_path / "sub").mkdir()
    for alias in (old, link, hard, spelled):
        with pytest.raises(OutputError, match="`out` must not be one of the inputs"):
            check_output_path(alias, overwrite=True, inputs=[old], name="out")
    assert same_file(tmp_path / "a" / ".." / "x.csv", tmp_path / "x.csv")  # neither exists


def test_atomic_write_replaces_and_keeps_permissions_usual(tmp_path):
    target = tmp_path / "f.bin"
    target.write_bytes(b"old")
    atomic_write_bytes(target, b"new content")
    assert target.read_bytes() == b"new content"
    assert os.stat(target).st_mode & 0o777 == 0o666 & ~_umask_now()
    assert [p.name for p in tmp_path.iterdir()] == ["f.bin"]


def _umask_now() -> int:
    old = os.umask(0o022)
    os.umask(old)
    return old


@pytest.mark.parametrize("failing", ["os.write", "os.fsync", "os.replace"])
def test_a_failed_write_leaves_the_target_and_no_temp(tmp_path, monkeypatch, failing):
    target = tmp_path / "f.bin"
    target.write_bytes(b"old")
    module, name = failing.split(".")

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, name, boom)
    with pytest.raises(
        OutputError, match=r"`path`: cannot write .*f.bin': No space left on device"
    ):
        atomic_write_bytes(target, b"new")
    monkeypatch.undo()
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.bin"]


def test_an_interrupt_leaves_the_target_and_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "f.bin"
    target.write_bytes(b"old")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_bytes(target, b"new")
    monkeypatch.undo()
    assert target.read_bytes() == b"old" and len(list(tmp_path.iterdir())) == 1


def test_parent_that_is_a_file_and_missing_folders(tmp_path):
    (tmp_path / "afile").write_text("x")
    with pytest.raises(OutputError, match=r"cannot write .*: '.*afile' is a file, not a folder"):
        atomic_write_bytes(tmp_path / "afile" / "x.csv", b"1", make_folder=True)
    with pytest.raises(OutputError, match="No such file or directory"):
        atomic_write_bytes(tmp_path / "missing" / "x.csv", b"1")
    atomic_write_bytes(tmp_path / "made" / "x.csv", b"1", make_folder=True)
    assert (tmp_path / "made" / "x.csv").read_bytes() == b"1"


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_temporary_files_rule(tmp_path):
    host = _host()
    dead, alive = _dead_pid(), os.getpid()
    names = {
        "dead_writer": f".x.csv.{host}.{dead}.abc123.tmp",  # removed: its writer is gone
        "live_writer": f".x.csv.{host}.{alive}.abc123.tmp",  # kept: still being written
        "other_host_young": f".x.csv.otherhost.{dead}.abc123.tmp",  # kept: cannot tell
        "other_host_old": f".x.csv.otherhost.{alive}.def456.tmp",  # removed: older than the limit
        "other_target": f".y.csv.{host}.{dead}.abc123.tmp",  # kept when cleaning for x.csv only
        "not_ours": "x.csv.tmp",  # never touched
    }
    for key, name in names.items():
        assert key == "not_ours" or TEMP_NAME.match(name), name
        (tmp_path / name).write_bytes(b"partial")
    old = time.time() - STALE_AFTER_SECONDS - 60
    os.utime(tmp_path / names["other_host_old"], (old, old))
    removed = {p.name for p in remove_stale_temps(tmp_path, "x.csv")}
    assert removed == {names["dead_writer"], names["other_host_old"]}
    assert {p.name for p in remove_stale_temps(tmp_path)} == {names["other_target"]}
    left = {p.name for p in tmp_path.iterdir()}
    assert left == {names["live_writer"], names["other_host_young"], names["not_ours"]}


def test_the_next_write_removes_stale_temps_of_its_target(tmp_path):
    stale = tmp_path / f".x.csv.{_host()}.{_dead_pid()}.abc123.tmp"
    stale.write_bytes(b"partial")
    atomic_write_bytes(tmp_path / "x.csv", b"complete")
    assert [p.name for p in tmp_path.iterdir()] == ["x.csv"]
