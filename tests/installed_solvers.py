"""The solvers the parametrised solver tests run: those installed here, and those required.

``CLUSTERSITE_REQUIRED_SOLVERS`` (comma-separated; ``make test`` sets it to the solvers the dev
extra installs) names solvers that must work in this environment: each is tested whether or not
it is found, so a required solver that is missing, broken or without a licence fails its tests
instead of dropping out of the parameter list.
"""

from __future__ import annotations

import os

from solvers import KNOWN_SOLVERS, solver_table

REQUIRED_ENV = "CLUSTERSITE_REQUIRED_SOLVERS"


def required_solvers() -> list[str]:
    """The names in ``CLUSTERSITE_REQUIRED_SOLVERS``, lower case, in the order given."""
    names = os.environ.get(REQUIRED_ENV, "").split(",")
    return list(dict.fromkeys(n.strip().lower() for n in names if n.strip()))


def solvers_under_test() -> list[str]:
    """Installed solvers and required ones, in the order of KNOWN_SOLVERS (others last)."""
    found = {row.name for row in solver_table() if row.installed} | set(required_solvers())
    return [n for n in KNOWN_SOLVERS if n in found] + sorted(found - set(KNOWN_SOLVERS))
