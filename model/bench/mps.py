"""Export the benchmark instances as an MPS collection with a metadata table (MIPLIB-style).

``<folder>/<instance>.mps`` per instance (``model.export``: free MPS, readable names) and
``<folder>/metadata.csv``: instance, family, districts, types, rows, columns, binaries,
non-zeros, best known objective and how many runs proved it (from a benchmark's runs, when
given), status (``easy``: some solver proved optimality; ``open``: none did), SHA-256 of the file.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pandas as pd
import pyomo.environ as pyo

from model.bench.instances import Instance


def model_size(model: pyo.ConcreteModel) -> dict[str, int]:
    """Rows, columns, binaries and non-zeros of a Pyomo model (active constraints)."""
    from pyomo.repn import generate_standard_repn

    columns = list(model.component_data_objects(pyo.Var, descend_into=True))
    rows = list(model.component_data_objects(pyo.Constraint, active=True, descend_into=True))
    nonzeros = sum(len(generate_standard_repn(c.body, quadratic=False).linear_vars) for c in rows)
    return {
        "rows": len(rows),
        "columns": sum(1 for v in columns if not v.fixed),
        "binaries": sum(1 for v in columns if v.is_binary() and not v.fixed),
        "nonzeros": nonzeros,
    }


def export_collection(
    instances: list[Instance], folder: Path, runs: pd.DataFrame | None = None
) -> Path:
    """Write every instance as MPS and the metadata table; returns the table's path."""
    from model.errors import ClusterSiteError
    from model.export import export_model, scenario_model
    from model.scenario import load_scenario

    folder.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = []
    for instance in instances:
        try:
            model = scenario_model(load_scenario(instance.scenario))
            path = export_model(model, folder / f"{instance.name.replace('/', '_')}.mps", "mps")
        except ClusterSiteError as err:  # e.g. infeasible before any solving: no file
            rows.append({"instance": instance.name, "family": instance.family, "status": str(err)})
            continue
        row: dict[str, Any] = {
            "instance": instance.name,
            "family": instance.family,
            "districts": instance.districts,
            "types": instance.types,
            **model_size(model),
            "sense": "max",
            "best_objective": None,
            "proved_by_runs": 0,
            "status": "unknown",
            "file": path.name,
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        }
        if runs is not None:
            mine = runs[(runs["instance"] == instance.name)]
            proved = mine[(mine["status"] == "optimal") & (mine["check"] == "ok")]
            row["proved_by_runs"] = len(proved)
            row["status"] = "easy" if len(proved) else "open"
            checked = mine[mine["check"] == "ok"]
            found = pd.to_numeric(checked["objective"], errors="coerce").dropna()
            if len(found):
                row["best_objective"] = float(found.max())
        rows.append(row)
    table = folder / "metadata.csv"
    pd.DataFrame(rows).to_csv(table, index=False)
    return table
