"""Every ```python block and ``$`` line of every ```console block of README.md runs as written.

How the examples are run, so that they behave as on a fresh clone at the repository root:

- each block gets a fresh temporary working directory holding a symlink to every top-level entry
  of the repository (``tests/``, ``benchmarks/``, ``README.md``, ...), so relative paths such as
  ``tests/fixtures/kenfrench/...`` resolve, and files the examples write land in the temporary
  directory, never in the checkout;
- a ```python block runs in one fresh interpreter (``sys.executable``); a ```console block's
  ``$`` lines run one after another through ``bash`` with the installed ``factorgym`` entry point
  (the one next to ``sys.executable``); ``PYTHONPATH`` points at this checkout, so the code under
  test is the checkout's, as for the rest of the suite;
- a command must exit with 0, unless the lines under it show the documented error
  (``factorgym: error: ...``): then it must exit with 2 and print exactly those lines on stderr.
  Other lines under a command must appear in its output.

A block opts out only with a visible marker on the line right before its fence::

    <!-- readme-test: skip (why) -->

and is then reported as skipped, with its line and reason, in pytest's summary. A block marked
``<!-- readme-test: slow (why) -->`` runs under the ``slow`` marker (its test id ends in
``-slow``). New sections of the README are picked up without touching this file.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
LANGUAGES = ("python", "console")
_FENCE = re.compile(r"^(?P<indent>\s*)```(?P<lang>[\w+-]*)\s*$")
_MARKER = re.compile(
    r"^\s*<!--\s*readme-test:\s*(?P<kind>skip|slow)\s*(?:\((?P<why>.*)\))?\s*-->\s*$"
)
# top-level entries not linked into the workspace: build output, and what the examples write
# (a linked `runs/` would send the README's runs into the checkout and make a second run fail)
_NOT_LINKED = {"build", "dist", "venv", "runs"}


@dataclass(frozen=True)
class Command:
    """One ``$`` line of a console block and the lines shown under it."""

    line: int
    text: str
    expected: tuple[str, ...] = ()


@dataclass(frozen=True)
class Block:
    """A fenced block of the README."""

    lang: str
    line: int  # 1-based line of the opening fence
    code: str
    skip: str | None = None
    slow: str | None = None
    commands: tuple[Command, ...] = field(default=())

    @property
    def test_id(self) -> str:
        return f"{self.lang}-line{self.line}" + ("-slow" if self.slow is not None else "")


def _commands(lines: list[str], first_line: int) -> tuple[Command, ...]:
    out: list[Command] = []
    for offset, raw in enumerate(lines):
        text = raw.strip()
        if text.startswith("$ "):
            out.append(Command(first_line + offset, text[2:].strip()))
        elif text and out:
            last = out[-1]
            out[-1] = Command(last.line, last.text, (*last.expected, text))
    return tuple(out)


def extract_blocks(text: str) -> list[Block]:
    """The ```python and ```console blocks of a Markdown text, with their markers."""
    lines = text.splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        fence = _FENCE.match(lines[i])
        if fence is None or not fence.group("lang"):
            i += 1
            continue
        indent, lang, start = fence.group("indent"), fence.group("lang"), i
        i += 1
        body: list[str] = []
        while i < len(lines) and lines[i].strip() != "```":
            body.append(lines[i][len(indent) :] if lines[i].startswith(indent) else lines[i])
            i += 1
        i += 1  # the closing fence
        if lang not in LANGUAGES:
            continue
        marks: dict[str, str] = {}
        j = start - 1
        while j >= 0 and (m := _MARKER.match(lines[j])):  # markers stacked right above
            marks[m.group("kind")] = (m.group("why") or "").strip()
            j -= 1
        if "skip" in marks and not marks["skip"]:
            raise AssertionError(f"README line {j + 2}: a skip marker must give a reason")
        blocks.append(
            Block(
                lang=lang,
                line=start + 1,
                code="\n".join(body) + "\n",
                skip=marks.get("skip"),
                slow=marks.get("slow"),
                commands=_commands(body, start + 2) if lang == "console" else (),
            )
        )
    return blocks


BLOCKS = extract_blocks(README.read_text(encoding="utf-8"))


def _param(block: Block) -> object:
    marks = [pytest.mark.slow] if block.slow is not None else []
    return pytest.param(block, id=block.test_id, marks=marks)


@pytest.fixture()
def workspace(tmp_path: Path) -> Path:
    """A fresh working directory where the repository's files keep their relative paths."""
    for entry in ROOT.iterdir():
        if entry.name.startswith(".") or entry.name in _NOT_LINKED or entry.suffix == ".egg-info":
            continue
        (tmp_path / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    return tmp_path


def _entry_point() -> Path:
    script = Path(sys.executable).parent / ("factorgym.exe" if os.name == "nt" else "factorgym")
    found = script if script.exists() else shutil.which("factorgym")
    assert found, (
        "the README's commands need the installed `factorgym` entry point: "
        'pip install -e ".[test]" (no entry point next to ' + sys.executable + ")"
    )
    return Path(found)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    env["PATH"] = os.pathsep.join([str(_entry_point().parent), env.get("PATH", "")])
    env["MPLBACKEND"] = "Agg"
    env.pop("PYTHONSTARTUP", None)
    return env


def _run_python(block: Block, cwd: Path) -> None:
    script = cwd / f"_readme_line{block.line}.py"
    script.write_text(block.code, encoding="utf-8")
    out = subprocess.run(
        [sys.executable, script.name],
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert out.returncode == 0, (
        f"README.md line {block.line}: the Python block exits with {out.returncode}\n{out.stderr}"
    )
    assert "Traceback" not in out.stderr and "Warning" not in out.stderr, out.stderr


def _run_command(command: Command, cwd: Path) -> None:
    out = subprocess.run(
        ["bash", "-c", command.text],
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    where = f"README.md line {command.line}: $ {command.text}"
    errors = [e for e in command.expected if e.startswith("factorgym: error:")]
    if errors:
        assert out.returncode == 2, f"{where}\nexit {out.returncode}, documented 2\n{out.stderr}"
        assert out.stderr.strip().splitlines() == list(command.expected), where
        return
    assert out.returncode == 0, f"{where}\nexit {out.returncode}\n{out.stderr}"
    assert "Traceback" not in out.stderr, f"{where}\n{out.stderr}"
    for line in command.expected:
        assert line in out.stdout, f"{where}\nexpected {line!r} in the output\n{out.stdout}"


@pytest.mark.parametrize("block", [_param(b) for b in BLOCKS])
def test_readme_block_runs_as_written(block: Block, workspace: Path) -> None:
    if block.skip is not None:
        pytest.skip(f"README.md line {block.line} ({block.lang}) opted out: {block.skip}")
    if block.lang == "python":
        _run_python(block, workspace)
        return
    assert block.commands, f"README.md line {block.line}: a console block without a `$` line"
    for command in block.commands:
        _run_command(command, workspace)


# ----------------------------------------------------------------------------- the harness
def test_every_python_and_console_block_is_collected() -> None:
    text = README.read_text(encoding="utf-8")
    fences = [m.group(1) for m in re.finditer(r"^\s*```(\w+)\s*$", text, flags=re.M)]
    assert len(BLOCKS) == sum(lang in LANGUAGES for lang in fences)
    assert sum(b.lang == "python" for b in BLOCKS) >= 2
    assert sum(len(b.commands) for b in BLOCKS) >= 8
    # the documented error example is among them, with its one line
    documented = [c for b in BLOCKS for c in b.commands if c.expected]
    assert any(c.expected[0].startswith("factorgym: error: `assets`") for c in documented)


def test_extractor_reads_markers_commands_and_expected_output() -> None:
    text = "\n".join(
        [
            "# T",
            "```python",
            "print(1)",
            "```",
            "<!-- readme-test: skip (needs a GPU) -->",
            "```python",
            "import torch",
            "```",
            "<!-- readme-test: slow (builds HMM features) -->",
            "```console",
            "$ factorgym data list   # comment",
            "$ factorgym data show french --assets X",
            "factorgym: error: `assets`: unknown asset 'X'",
            "```",
            "  ```bash",
            "  pip install .",
            "  ```",
            "1. item",
            "   ```python",
            "   x = 1",
            "   ```",
        ]
    )
    blocks = extract_blocks(text)
    assert [(b.lang, b.line, b.skip, b.slow) for b in blocks] == [
        ("python", 2, None, None),
        ("python", 6, "needs a GPU", None),
        ("console", 10, None, "builds HMM features"),
        ("python", 19, None, None),
    ]
    assert blocks[3].code == "x = 1\n" and blocks[2].test_id == "console-line10-slow"
    assert blocks[2].commands == (
        Command(11, "factorgym data list   # comment"),
        Command(
            12,
            "factorgym data show french --assets X",
            ("factorgym: error: `assets`: unknown asset 'X'",),
        ),
    )
    with pytest.raises(AssertionError, match="a skip marker must give a reason"):
        extract_blocks("<!-- readme-test: skip -->\n```python\nx\n```\n")
