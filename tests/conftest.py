"""Settings every test file shares: the order in which the tests run, and bytecode caching.

**Long tests first.** ``make test`` runs pytest on one worker process per core (pytest-xdist,
``--dist worksteal``): each worker is handed a contiguous share of the collection, and a worker
that runs dry takes tests from the *end* of another's queue. A test that takes many seconds and
is collected late (the files run in alphabetical order) starts when the other worker is nearly
done and keeps one core busy alone. Tests marked ``slow`` (several seconds each on a quiet
machine) are therefore moved to the front of the collection, in their own collection order;
the order of the others is unchanged and nothing is skipped or deselected.

**Bytecode.** Some sandboxes set ``PYTHONDONTWRITEBYTECODE``: every process the tests start
(the xdist workers, and the ``run.py`` processes of the command-line checks, well over a
hundred) then compiles the project's modules from source again, about 0.4 s of CPU each. Where
it is set, the tests' processes cache bytecode as an ordinary install does (``bench/startup.py``
does the same for its measured runs), but under one folder of the temporary directory
(``PYTHONPYCACHEPREFIX``) so that no ``__pycache__`` appears in the source or data folders.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

if os.environ.pop("PYTHONDONTWRITEBYTECODE", None) is not None:
    os.environ.setdefault(
        "PYTHONPYCACHEPREFIX", str(Path(tempfile.gettempdir()) / "clustersite-pycache")
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    slow = [item for item in items if item.get_closest_marker("slow") is not None]
    if slow:
        rest = [item for item in items if item.get_closest_marker("slow") is None]
        items[:] = slow + rest


@pytest.fixture(scope="session")
def degenerate_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Run folders of the degenerate cases (tests/test_degenerate_outputs.py), made once per
    test process for every file that reads them; tests copy a folder before changing it."""
    from tests.test_degenerate_outputs import make_degenerate_runs

    return make_degenerate_runs(tmp_path_factory.mktemp("degenerate"))
