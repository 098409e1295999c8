"""The solver interface: options in, a typed outcome out, whatever the solver.

An adapter takes a Pyomo model (it never builds one), solves it, loads the values of the best
solution into the model's variables, and returns a :class:`SolveOutcome` whose status is never
``OPTIMAL`` unless the solver proved it.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from model.errors import InputError

if TYPE_CHECKING:
    import pyomo.environ as pyo


class Status(enum.StrEnum):
    """Outcome of a solve, as reported in summary.json."""

    OPTIMAL = "optimal"
    TIME_LIMIT = "time_limit"  # stopped by the time limit; has_solution says if an incumbent exists
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    ERROR = "error"


@dataclass(frozen=True)
class SolverOptions:
    """Solver settings common to every adapter; ``raw`` goes to the solver as given."""

    time_limit: float | None = None  # seconds of solver time
    mip_gap: float = 0.0  # relative gap |bound − objective| / |objective| to stop at
    abs_gap: float | None = None  # absolute gap |bound − objective| to stop at; None: default
    threads: int | None = None  # None: the solver's default
    seed: int = 0  # the solver's random seed
    presolve: bool | None = None  # None: the solver's default
    log_file: str | None = None  # write the solver's log here (console output stays silent)
    raw: dict[str, Any] = field(default_factory=dict)  # solver-specific names, passed as given


@dataclass(frozen=True)
class SolveOutcome:
    """What a solver returned, in one shape for every solver."""

    status: Status
    has_solution: bool
    objective: float | None
    bound: float | None
    gap: float | None
    solver: str
    version: str
    wall_time_s: float  # hand-off + solve + read-back, measured by the adapter
    solver_time_s: float | None  # as the solver reports it
    handoff_s: float  # translating the Pyomo model into the solver's form
    nodes: int | None = None
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["status"] = self.status.value
        return data


class SolverOptionError(InputError):
    """The solver refused an option (an unknown name or a bad value): bad input, exit 2."""

    def __init__(self, solver: str, option: str, value: object) -> None:
        super().__init__(None, f"solver option {option}", f"{solver} refused {option}={value!r}")


class SolverAdapter(Protocol):
    """One adapter per solver family."""

    name: str

    def available(self) -> bool:
        """True when the solver can run on this machine."""
        ...

    def version(self) -> str:
        """The solver's version string."""
        ...

    def install_hint(self) -> str:
        """How to install the solver, for the error shown when it is missing."""
        ...

    def solve(self, model: pyo.ConcreteModel, options: SolverOptions) -> SolveOutcome:
        """Solve, load the best solution's values into the model's variables, report."""
        ...


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """|bound − objective| / max(|objective|, 1e-10), the usual MIP gap (None if unknown)."""
    if objective is None or bound is None:
        return None
    return abs(bound - objective) / max(abs(objective), 1e-10)


def untimed_outcome(
    status: Status,
    solver: str,
    version: str,
    *,
    has_solution: bool | None = None,
    objective: float | None = None,
    bound: float | None = None,
    nodes: int | None = None,
    solver_time_s: float | None = None,
    message: str = "",
) -> SolveOutcome:
    """An outcome whose wall and hand-off times the adapter fills in afterwards.

    ``has_solution`` defaults to whether there is an objective value; the gap follows from the
    objective and the bound.
    """
    return SolveOutcome(
        status=status,
        has_solution=has_solution if has_solution is not None else objective is not None,
        objective=objective,
        bound=bound,
        gap=relative_gap(objective, bound),
        solver=solver,
        version=version,
        wall_time_s=0.0,
        solver_time_s=solver_time_s,
        handoff_s=0.0,
        nodes=nodes,
        message=message,
    )
