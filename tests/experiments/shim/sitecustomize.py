"""Test-only: install the stand-in `factorgym.agents.rollout` in every process (CLI subprocesses,
joblib and Ray workers) started with this folder on PYTHONPATH.

The finder is appended at the END of `sys.meta_path`: the real module, once agents/ provides
it, is found first and the stand-in is never used. Nothing heavy is imported at start-up.
"""

import importlib.abc
import importlib.util
import sys

_ROLLOUT = "factorgym.agents.rollout"


class _Loader(importlib.abc.Loader):
    def create_module(self, spec):
        return None

    def exec_module(self, module):
        import factorgym_standins

        module.run_allocator = factorgym_standins.run_allocator
        module.Rollout = factorgym_standins.Rollout
        module.STANDIN = True


class StandinRolloutFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != _ROLLOUT:
            return None
        return importlib.util.spec_from_loader(name, _Loader())


if not any(type(f).__name__ == "StandinRolloutFinder" for f in sys.meta_path):
    sys.meta_path.append(StandinRolloutFinder())
