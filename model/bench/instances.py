"""Benchmark instances: scenario files, or graded families written over generated regions.

``generated:N[:SEED]`` writes N scenario files (and their regions, from
``model.generate.generate_region``) into a folder, taken in order from :data:`FAMILIES`, which
runs from easy to hard along four axes: size (districts), number of cluster types, radii (member
and link reach, road density) and tight capacities (one core per district, small catchments,
several sites per type). Past the table, the same families repeat with the next seed.

Any other SPEC is a comma-separated list of scenario files, folders (every ``*.yaml`` in them)
or glob patterns, and may hold one ``generated:N[:SEED]`` item too (its instances come first).
"""

from __future__ import annotations

import glob
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from model.errors import InputError

GENERATED = "generated:"


@dataclass(frozen=True)
class Family:
    """One generated instance shape: region size and a few scenario overrides."""

    family: str
    districts: int
    types: int = 6
    spacing_km: float = 43.0
    overrides: dict[str, Any] = field(default_factory=dict)

    def label(self, seed: int) -> str:
        return f"{self.family}-n{self.districts}-k{self.types}-s{seed}"


# more types than fit well in a region: a type may stay unsited (min 0), as planners allow
MANY = {"rules": {"sites": {"default": {"min": 0, "max": 1}}}}
WIDE = {"indicators": {"member_max_minutes": 90, "link_max_minutes": 180}}
TIGHT = {
    "rules": {
        "max_clusters_per_district": 1,
        "max_members": 2,
        "sites": {"default": {"min": 1, "max": 3}},
    }
}

# easy to hard, interleaved so that the first N span every axis
FAMILIES: tuple[Family, ...] = (
    Family("size", 30),
    Family("types", 60, types=4, overrides=MANY),
    Family("radii", 60, overrides=WIDE),
    Family("tight", 60, overrides=TIGHT),
    Family("size", 100),
    Family("types", 100, types=8, overrides=MANY),
    Family("radii", 100, overrides=WIDE),
    Family("tight", 100, overrides=TIGHT),
    Family("size", 300),
    Family("types", 120, types=10, overrides=MANY),
    Family("radii", 200, spacing_km=30.0, overrides=WIDE),
    Family("tight", 200, types=8, overrides=TIGHT),
    Family("size", 600),
    Family("types", 200, types=12, overrides=MANY),
    Family("radii", 300, spacing_km=25.0, overrides=WIDE),
    Family("tight", 300, types=10, overrides=TIGHT),
    Family("size", 1000),
    Family("types", 300, types=16, overrides=MANY),
    Family("radii", 500, spacing_km=20.0, overrides=WIDE),
    Family("tight", 500, types=12, overrides=TIGHT),
)


@dataclass(frozen=True)
class Instance:
    """A benchmark instance: a scenario file and what it is."""

    name: str
    scenario: Path
    family: str = ""
    districts: int | None = None
    types: int | None = None


def write_generated(folder: Path, count: int, seed: int = 1) -> list[Instance]:
    """Write ``count`` family instances (regions and scenario files) into ``folder``."""
    from model.generate import generate_region

    if count < 1:
        raise InputError(None, "--instances", "generated:N needs N ≥ 1")
    folder.mkdir(parents=True, exist_ok=True)
    found = []
    for index in range(count):
        shape = FAMILIES[index % len(FAMILIES)]
        run_seed = seed + index // len(FAMILIES)
        name = shape.label(run_seed)
        region = folder / "regions" / name
        if not (region / "districts.csv").is_file():
            generate_region(
                region,
                shape.districts,
                run_seed,
                types=shape.types,
                spacing_km=shape.spacing_km,
                overwrite=True,
            )
        scenario = {
            "name": name,
            "description": f"benchmark family '{shape.family}' ({shape.districts} districts, "
            f"{shape.types} types, {shape.spacing_km:g} km spacing, seed {run_seed})",
            "region": f"regions/{name}",
            **shape.overrides,
        }
        path = folder / f"{name}.yaml"
        path.write_text(yaml.safe_dump(scenario, sort_keys=False), encoding="utf-8")
        found.append(Instance(name, path, shape.family, shape.districts, shape.types))
    return found


def resolve_instances(spec: str, work: Path) -> list[Instance]:
    """The instances a ``--instances`` SPEC names; generated ones are written under ``work``."""
    items = [part.strip() for part in spec.split(",") if part.strip()]
    generated = [item for item in items if item.startswith(GENERATED)]
    if len(generated) > 1:
        raise InputError(None, "--instances", "at most one generated:N item")
    found: list[Instance] = []
    if generated:
        parts = generated[0][len(GENERATED) :].split(":")
        try:
            count = int(parts[0])
            seed = int(parts[1]) if len(parts) > 1 else 1
        except ValueError as err:
            raise InputError(
                None, "--instances", f"expected generated:N[:SEED], got {generated[0]!r}"
            ) from err
        found = write_generated(work, count, seed)
        items = [item for item in items if not item.startswith(GENERATED)]
        if not items:
            return found
    paths: list[Path] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            paths += sorted(path.glob("*.yaml"))
        elif path.is_file():
            paths.append(path)
        else:
            matches = sorted(Path(m) for m in glob.glob(item))
            if not matches:
                raise InputError(None, "--instances", f"no scenario file matches {item!r}")
            paths += matches
    if not paths:
        raise InputError(None, "--instances", f"no scenario files in {spec!r}")
    names = [p.stem for p in paths] + [i.name for i in found]
    return found + [
        Instance(p.stem if names.count(p.stem) == 1 else f"{p.parent.name}/{p.stem}", p.resolve())
        for p in paths
    ]
