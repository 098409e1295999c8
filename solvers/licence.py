"""Licences of the commercial solvers: their free editions' size limits, and errors as outcomes.

The free editions that ``pip install`` brings, with their limits for mixed-integer programs
(measured with the versions named in ``docs/solvers.md``, by solving models one row or column
past the limit; COPT takes larger LPs, 10,000 rows and columns):

======  =================================  ================================
solver  edition                            size limit
======  =================================  ================================
gurobi  restricted licence (in the wheel)  2,000 columns and 2,000 rows
cplex   Community Edition                  1,000 columns and 1,000 rows
xpress  Community licence (in the wheel)   5,000 rows and columns together
copt    size-limited mode (no licence)     2,000 columns and 2,000 rows
======  =================================  ================================

A solver that refuses a model for its size, or finds no usable licence (missing, expired), ends
the run with :class:`LicenceError`: exit status 4, one line naming the solver, the limit and
the model's rows and columns, no traceback. :func:`probe_licence` says, for ``run.py solvers``,
whether a solver runs on a full licence, a size-limited one, or none: it solves a one-column
model and one just past the free edition's limit, a few milliseconds each.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from model.errors import ClusterSiteError


@dataclass(frozen=True)
class EditionLimit:
    """The size limit of a solver's free edition."""

    edition: str
    max_columns: int | None = None
    max_rows: int | None = None
    max_total: int | None = None  # rows + columns together (Xpress Community)

    def allows(self, rows: int, columns: int) -> bool:
        """True when a model of this many rows and columns is within the limit."""
        return not (
            (self.max_columns is not None and columns > self.max_columns)
            or (self.max_rows is not None and rows > self.max_rows)
            or (self.max_total is not None and rows + columns > self.max_total)
        )

    def describe(self) -> str:
        if self.max_total is not None:
            return f"at most {self.max_total:,} rows and columns together"
        return f"at most {self.max_columns:,} columns and {self.max_rows:,} rows"


FREE_EDITIONS: dict[str, EditionLimit] = {
    "gurobi": EditionLimit("restricted licence", max_columns=2000, max_rows=2000),
    "cplex": EditionLimit("Community Edition", max_columns=1000, max_rows=1000),
    "xpress": EditionLimit("Community licence", max_total=5000),
    "copt": EditionLimit("size-limited mode", max_columns=2000, max_rows=2000),
}


class LicenceError(ClusterSiteError):
    """The solver's licence does not cover this model, or there is no usable licence (exit 4)."""

    exit_code = 4

    def __init__(
        self,
        solver: str,
        reason: str,
        rows: int | None,
        columns: int | None,
        *,
        over_limit: bool,
    ) -> None:
        self.solver = solver
        self.reason = reason
        self.rows = rows
        self.columns = columns
        self.over_limit = over_limit
        size = (
            f"the model has {rows:,} rows and {columns:,} columns"
            if rows is not None and columns is not None
            else "model size unknown"
        )
        super().__init__(f"solver {solver}: {reason}; {size}")

    def __reduce__(self) -> tuple[Any, ...]:
        # rebuilt from its fields, so that it survives pickling (Dask workers of a sweep)
        fields = (self.solver, self.reason, self.rows, self.columns)
        return (_rebuild, (*fields, self.over_limit))


def _rebuild(
    solver: str, reason: str, rows: int | None, columns: int | None, over_limit: bool
) -> LicenceError:
    return LicenceError(solver, reason, rows, columns, over_limit=over_limit)


def over_limit_error(solver: str, rows: int | None, columns: int | None) -> LicenceError:
    """The solver refused the model for its size: name its free edition's limit."""
    limit = FREE_EDITIONS.get(solver)
    reason = (
        f"model too large for the {limit.edition} ({limit.describe()})"
        if limit is not None
        else "model too large for the solver's licence"
    )
    return LicenceError(solver, reason, rows, columns, over_limit=True)


def no_licence_error(
    solver: str, detail: str, rows: int | None, columns: int | None
) -> LicenceError:
    """No usable licence (missing, expired, not valid here)."""
    detail = " ".join(detail.split())[:200]
    return LicenceError(solver, f"no usable licence ({detail})", rows, columns, over_limit=False)


# -- quiet starts ------------------------------------------------------------------------------
@contextlib.contextmanager
def captured_output() -> Iterator[list[str]]:
    """Catch what C libraries print on file descriptors 1 and 2 (licence banners).

    Yields a list that holds the captured text once the block ends.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    text: list[str] = []
    try:
        saved = (os.dup(1), os.dup(2))
    except OSError:  # no real descriptors (some embedded interpreters): nothing to catch
        yield text
        return
    with tempfile.TemporaryFile(mode="w+b") as sink:
        try:
            os.dup2(sink.fileno(), 1)
            os.dup2(sink.fileno(), 2)
            yield text
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])
            sink.seek(0)
            text.append(sink.read().decode(errors="replace"))


@contextlib.contextmanager
def quiet_start() -> Iterator[list[str]]:
    """:func:`captured_output`, and Python warnings (Xpress's licence notice) caught too."""
    with captured_output() as text, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield text
    text.extend(str(w.message) for w in caught)


# -- licence states ----------------------------------------------------------------------------
@dataclass(frozen=True)
class LicenceState:
    """What ``run.py solvers`` shows about a solver's licence."""

    state: str  # "free", "full", "size-limited", "none", "" (not installed)
    limit: str  # the size limit in words, "" if none
    detail: str = ""  # e.g. an expiry date


Probe = Callable[[int, int], None]  # builds and solves a model of (rows, columns), or raises


@functools.cache
def probe_licence(solver: str, probe: Probe, is_size_error: Callable[[Exception], bool]) -> str:
    """ "full", "size-limited" or "none: <reason>", from two tiny solves (cached per process)."""
    try:
        with quiet_start():
            probe(1, 1)
    except Exception as err:  # any failure of a one-column model means no usable licence
        return "none: " + " ".join(str(err).split())[:120]
    limit = FREE_EDITIONS[solver]
    rows = (limit.max_rows or 0) + 1 if limit.max_total is None else 1
    columns = (limit.max_columns or 1) if limit.max_total is None else limit.max_total
    try:
        with quiet_start():
            probe(rows, columns)
    except Exception as err:
        if is_size_error(err):
            return "size-limited"
        return "none: " + " ".join(str(err).split())[:120]
    return "full"


def state_from_probe(solver: str, found: str, detail: str = "") -> LicenceState:
    """A :class:`LicenceState` from :func:`probe_licence`'s answer."""
    limit = FREE_EDITIONS[solver]
    if found == "size-limited":
        return LicenceState("size-limited", f"{limit.edition}: {limit.describe()}", detail)
    if found == "full":
        return LicenceState("full", "none", detail)
    return LicenceState("none", "", found.removeprefix("none: "))
