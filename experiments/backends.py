"""Where units run: in this process, in joblib worker processes, or as Ray tasks.

Every backend runs the same function, :func:`~factorgym.experiments.units.run_unit`, on the
same task objects and hands each result to ``on_result`` in this process as soon as it is done
(so finished units are stored while others still run). A unit's result does not depend on the
backend, the number of workers or the order units finish in; the runner assembles the tables in
a fixed order.

Ray is optional (``pip install "factorgym[ray]"``) and imported only when asked for.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence

from factorgym.errors import ConfigError
from factorgym.experiments.units import UnitResult, UnitTask, run_unit

__all__ = ["RAY_MISSING", "check_backend", "execute"]

RAY_MISSING = '`--backend ray` needs Ray, which is not installed: pip install "factorgym[ray]"'


def check_backend(backend: str) -> None:
    """Refuse an unknown backend, or ``"ray"`` without Ray installed (before any work).

    Raises
    ------
    ConfigError
        Naming the backend, or saying how to install Ray.
    """
    if backend == "ray":
        try:
            import ray  # noqa: F401
        except ImportError as exc:
            raise ConfigError(RAY_MISSING) from exc
    elif backend != "local":
        raise ConfigError(f"`backend` must be one of ('local', 'ray'), got {backend!r}")


def execute(
    tasks: Sequence[UnitTask],
    on_result: Callable[[UnitResult], None],
    *,
    backend: str = "local",
    jobs: int = 1,
    ray_address: str | None = None,
) -> None:
    """Run every task and pass each result to ``on_result`` (in this process).

    Parameters
    ----------
    tasks : sequence of UnitTask
    on_result : callable
        Called once per finished unit, in completion order.
    backend : {"local", "ray"}
        ``"local"``: this process (``jobs=1``) or ``jobs`` joblib (loky) worker processes;
        ``"ray"``: Ray tasks of one CPU each.
    jobs : int
        Workers (local) or CPUs of the local Ray started here.
    ray_address : str, optional
        Connect to this Ray cluster instead of starting a local one.

    Raises
    ------
    ConfigError
        For ``backend="ray"`` without Ray installed, or an unknown backend.
    """
    check_backend(backend)
    if not tasks:
        return
    if backend == "local":
        _local(tasks, on_result, jobs)
    else:
        _ray(tasks, on_result, jobs, ray_address)


def _local(tasks: Sequence[UnitTask], on_result: Callable[[UnitResult], None], jobs: int) -> None:
    if jobs == 1 or len(tasks) == 1:
        for task in tasks:
            on_result(run_unit(task))
        return
    from joblib import Parallel, delayed

    results = Parallel(n_jobs=min(jobs, len(tasks)), return_as="generator_unordered")(
        delayed(run_unit)(task) for task in tasks
    )
    for result in results:
        on_result(result)


def _worker_env() -> dict[str, str]:
    """Environment of local Ray workers: this process's import path, one thread each."""
    paths = [p for p in sys.path if p]
    existing = os.environ.get("PYTHONPATH")
    if existing:
        paths = existing.split(os.pathsep) + paths
    seen: dict[str, None] = dict.fromkeys(paths)
    return {
        "PYTHONPATH": os.pathsep.join(seen),
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
    }


def _ray(
    tasks: Sequence[UnitTask],
    on_result: Callable[[UnitResult], None],
    jobs: int,
    address: str | None,
) -> None:
    import ray

    started = False
    if not ray.is_initialized():
        if address is None:
            ray.init(
                num_cpus=jobs,
                include_dashboard=False,
                log_to_driver=False,
                runtime_env={"env_vars": _worker_env()},
            )
        else:
            ray.init(address=address, log_to_driver=False)
        started = True
    try:
        remote = ray.remote(num_cpus=1, max_retries=0)(run_unit)
        pending = [remote.remote(task) for task in tasks]
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            on_result(ray.get(done[0]))
    finally:
        if started:
            ray.shutdown()
