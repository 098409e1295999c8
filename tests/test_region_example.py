"""The worked example end to end, with no hand-written CSV: ``region example`` writes the
FICTIONAL inputs (a GeoPackage and statistics tables), ``region init`` builds the region, and
``run`` and ``compare`` solve scenarios on it, writing the report and the GIS layers."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

pytest.importorskip("pyproj")  # the geo extra (the dev extra installs it)

from model.cli import main
from model.region import load_region

ROOT = Path(__file__).resolve().parent.parent


def test_example_region_runs_end_to_end(tmp_path, capsys):
    inputs, region_dir = tmp_path / "inputs", tmp_path / "exampleshire"
    assert main(["region", "example", str(inputs)]) == 0
    assert main(["region", "example", str(inputs)]) == 2  # never writes into earlier files
    assert (
        main(
            [
                "region",
                "init",
                str(region_dir),
                "--boundaries",
                str(inputs / "districts.gpkg"),
                "--id-field",
                "code",
                "--name-field",
                "name",
                "--activity",
                str(inputs / "employment.csv"),
                "--activity-basis",
                "assumed",
                "--population",
                str(inputs / "population.csv"),
                "--crossings",
                str(inputs / "crossings.csv"),
                "--border",
                str(inputs / "border.geojson"),
                "--road-kinds",
                str(inputs / "road_kinds.csv"),
            ]
        )
        == 0
    )
    region = load_region(region_dir)
    ids = set(region.district_ids)
    assert len(ids) == 9
    # the state border is the western edge x = 0: exactly the districts touching it
    boundaries = json.loads((region_dir / "boundaries.geojson").read_text())
    west = {
        f["properties"]["id"]
        for f in boundaries["features"]
        if min(p[0] for p in f["geometry"]["coordinates"][0]) <= 1e-6
    }
    assert set(region.districts.index[region.districts["border"]]) == west
    assert set(region.crossings["district"]) <= west
    capsys.readouterr()

    scenario = str(ROOT / "scenarios" / "baseline.yaml")
    run_dir = tmp_path / "runs" / "base"
    assert (
        main(["run", scenario, "--set", f"region={region_dir}", "--out", str(run_dir), "--quiet"])
        == 0
    )
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["status"] == "optimal"
    with (run_dir / "assignments.csv").open() as f:
        assigned = list(csv.DictReader(f))
    assert assigned and {r["district"] for r in assigned} <= ids
    layers = json.loads((run_dir / "sitings_districts.geojson").read_text())
    assert len(layers["features"]) == 9
    assert "†" in (run_dir / "report.md").read_text()  # every activity row is assumed

    compare_dir = tmp_path / "compare"
    assert (
        main(
            [
                "compare",
                str(run_dir),
                str(ROOT / "scenarios" / "compact.yaml"),
                "--set",
                f"region={region_dir}",
                "--out",
                str(compare_dir),
                "--quiet",
            ]
        )
        == 0
    )
    with (compare_dir / "sitings.csv").open() as f:
        header = next(csv.reader(f))
    assert "baseline" in " ".join(header) and "compact" in " ".join(header)
