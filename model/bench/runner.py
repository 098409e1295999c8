"""Run the grid of (instance, solver, seed) on Dask and record every run as one CSV row.

Each run loads the scenario with ``solver.name``, ``solver.time_limit``, ``solver.seed`` and
``solver.threads = 1`` overridden, and solves it through ``model.pipeline.solve``, which checks
the returned solution against every rule of the scenario and recomputes its objective from the
data (not from the solver's model); a solution that fails is recorded as ``check = failed``.
Runs go to a Dask cluster: a ``LocalCluster`` (one single-threaded worker process per core) by
default, or the scheduler at ``address``.
"""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from model.bench.instances import Instance

COLUMNS = (
    "instance", "family", "solver", "seed", "status", "check", "objective", "bound", "gap",
    "solve_s", "handoff_s", "wall_s", "nodes", "time_limit", "solver_version", "message",
    "host", "cpu", "cores", "memory_gb", "python",
)  # fmt: skip
OVER_LICENCE_LIMIT = "over_licence_limit"  # the status of a run the solver's licence refused


@dataclass(frozen=True)
class Job:
    """One run of the grid."""

    instance: Instance
    solver: str
    seed: int
    time_limit: float


def hardware() -> dict[str, Any]:
    """Where a run ran: host, CPU model, cores, memory, Python."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):
        memory = float("nan")
    return {
        "host": platform.node(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(memory, 1),
        "python": platform.python_version(),
    }


def run_job(job: Job) -> dict[str, Any]:
    """Solve one instance with one solver and seed; never raises, records what happened."""
    from model.errors import ClusterSiteError
    from model.pipeline import SolutionCheckError, solve
    from model.scenario import load_scenario
    from solvers import LicenceError, adapter_for

    row: dict[str, Any] = dict.fromkeys(COLUMNS)
    row.update(
        instance=job.instance.name,
        family=job.instance.family,
        solver=job.solver,
        seed=job.seed,
        time_limit=job.time_limit,
        **hardware(),
    )
    overrides = [
        f"solver.name={job.solver}",
        f"solver.time_limit={job.time_limit}",
        f"solver.seed={job.seed}",
        "solver.threads=1",
    ]
    started = time.perf_counter()
    try:
        row["solver_version"] = adapter_for(job.solver).version()
        result = solve(load_scenario(job.instance.scenario, overrides))
    except LicenceError as err:
        row.update(status=OVER_LICENCE_LIMIT, check="none", message=str(err))
    except SolutionCheckError as err:
        row.update(status="error", check="failed", message=str(err))
    except ClusterSiteError as err:
        row.update(status="error", check="none", message=str(err))
    else:
        outcome = result.outcome
        row["status"] = result.status
        row["check"] = "ok" if result.has_solution else "none"
        row["objective"] = result.objective
        if outcome is not None:
            row.update(
                bound=outcome.bound,
                gap=outcome.gap,
                solve_s=outcome.wall_time_s,
                handoff_s=outcome.handoff_s,
                nodes=outcome.nodes,
                solver_version=outcome.version,
                message=outcome.message,
            )
        else:
            row.update(solve_s=0.0, message="; ".join(result.diagnosis))
    row["wall_s"] = time.perf_counter() - started
    return row


def make_jobs(
    instances: Iterable[Instance], solvers: Iterable[str], repeats: int, time_limit: float
) -> list[Job]:
    """The grid: every instance × solver × seed 0..repeats-1."""
    return [
        Job(instance, solver, seed, time_limit)
        for instance in instances
        for solver in solvers
        for seed in range(repeats)
    ]


def run_grid(
    jobs: list[Job],
    *,
    address: str | None = None,
    workers: int | None = None,
    processes: bool = True,
    progress: bool = True,
    on_row: Callable[[dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    """Run every job on Dask; rows come back in job order."""
    from dask.distributed import Client, LocalCluster, as_completed
    from tqdm import tqdm

    if address:
        client = Client(address)
        cluster = None
    else:
        cluster = LocalCluster(
            n_workers=workers or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=processes,
            dashboard_address=None,
        )
        client = Client(cluster)
    rows: list[dict[str, Any] | None] = [None] * len(jobs)
    try:
        futures = client.map(run_job, jobs, pure=False)
        position = {future.key: n for n, future in enumerate(futures)}
        with tqdm(total=len(jobs), desc="runs", unit="run", disable=not progress) as bar:
            for future in as_completed(futures):
                row = future.result()
                rows[position[future.key]] = row
                if on_row is not None:
                    on_row(row)
                bar.update(1)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return [row for row in rows if row is not None]


def write_rows(rows: list[dict[str, Any]], path: Path) -> Path:
    """Write the runs CSV (one row per run, the columns of :data:`COLUMNS`)."""
    import pandas as pd

    pd.DataFrame(rows, columns=list(COLUMNS)).to_csv(path, index=False)
    return path


def job_record(job: Job) -> dict[str, Any]:
    """A job as plain data (for logs)."""
    data = asdict(job)
    data["instance"] = job.instance.name
    return data
