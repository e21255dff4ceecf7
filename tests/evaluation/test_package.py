"""The public surface of factorgym.evaluation."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import factorgym.evaluation as evaluation


def test_all_is_sorted_and_importable() -> None:
    assert list(evaluation.__all__) == sorted(evaluation.__all__)
    for name in evaluation.__all__:
        obj = getattr(evaluation, name)
        assert inspect.getdoc(obj), name
        assert obj.__module__.startswith("factorgym.evaluation."), name


def test_periods_per_year_is_explicit_where_annualising() -> None:
    # a function that annualises takes `periods_per_year`; none hard-codes 12 or 252
    root = Path(evaluation.__file__).parent
    for path in root.glob("*.py"):
        text = path.read_text()
        code = re.sub(r'"""[\s\S]*?"""', "", text)  # docstrings may mention 12 or 252
        code = "\n".join(line.split("#")[0] for line in code.splitlines())
        literal = re.search(r"(?<![\w.-])(12|252)(?![\w.])", code.replace("= 12", ""))
        assert literal is None, path.name
        assert "print(" not in code, path.name
        assert not re.search(r"^\s*(from|import) evaluation\b", text, re.M), path.name
