"""Write a scenario's model as an MPS or LP file, for any solver outside the project.

The Pyomo model is compiled to arrays once (``solvers.standard_form``) and written by HiGHS's
writer, with column and row names taken from the Pyomo components (``y(wood,d0001)``,
``pair_first_core(...)``); characters that MPS or LP files cannot hold become ``_``. The file
is written beside its destination and renamed into place, so it is never left half-written.

Example::

    from model.export import export_scenario
    export_scenario("scenarios/baseline.yaml", Path("baseline.mps"), "mps")
    # any solver: highspy.Highs().readModel("baseline.mps"); cbc baseline.mps -solve; ...
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pyomo.environ as pyo

from model.errors import ClusterSiteError, InputError
from model.scenario import LoadedScenario, check_against_region, load_scenario

FORMATS = ("mps", "lp")
UNSAFE = re.compile(r"[^A-Za-z0-9_.(),]")


class InfeasibleExportError(ClusterSiteError):
    """The scenario cannot be written: a constraint is violated before any solving (exit 3)."""

    exit_code = 3


def file_names(names: list[str]) -> list[str]:
    """Names that MPS and LP files accept, unique: ``y[a,b]`` becomes ``y(a,b)``."""
    out: list[str] = []
    seen: dict[str, int] = {}
    for name in names:
        safe = UNSAFE.sub("_", name.replace("[", "(").replace("]", ")")) or "_"
        count = seen.get(safe, 0)
        seen[safe] = count + 1
        out.append(safe if count == 0 else f"{safe}_{count + 1}")
    return out


def export_model(model: pyo.ConcreteModel, out: Path, file_format: str) -> Path:
    """Write ``model`` to ``out`` as MPS (free format) or CPLEX LP; returns ``out``."""
    from solvers.highs import new_highs, to_highs_lp
    from solvers.standard_form import InfeasibleConstantError, compile_model

    if file_format not in FORMATS:
        raise InputError(None, "--format", f"expected one of {', '.join(FORMATS)}")
    try:
        lp = compile_model(model, keep_row_names=True)
    except InfeasibleConstantError as err:
        raise InfeasibleExportError(f"the model is infeasible before solving: {err}") from err
    highs_lp = to_highs_lp(lp)
    highs_lp.col_names_ = file_names(lp.column_names())
    highs_lp.row_names_ = file_names(lp.row_names or [])
    writer = new_highs()
    writer.passModel(highs_lp)
    out.parent.mkdir(parents=True, exist_ok=True)
    # HiGHS picks the format from the extension, so write a temporary file that has it
    handle, temporary = tempfile.mkstemp(
        prefix=f".{out.name}.", suffix=f".{file_format}", dir=out.parent
    )
    os.close(handle)
    try:
        writer.writeModel(temporary)
        os.replace(temporary, out)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return out


def scenario_model(loaded: LoadedScenario) -> pyo.ConcreteModel:
    """Build the Pyomo model of a loaded scenario (the pipeline's stages up to the solver)."""
    from model.formulation import build_model
    from model.instance import build_instance
    from model.pipeline import checked_region_path
    from model.region import load_region

    region = load_region(checked_region_path(loaded))
    check_against_region(loaded, region)
    return build_model(build_instance(region, loaded.scenario))


def export_scenario(
    scenario: Path | str, out: Path, file_format: str, overrides: list[str] | None = None
) -> Path:
    """Load a scenario (with ``--set`` overrides), build its model and write it to ``out``."""
    return export_model(scenario_model(load_scenario(scenario, overrides)), out, file_format)
