"""A Smolensk scenario whose types' minima do not fit together (``model.site_flow``)."""

from __future__ import annotations

from pathlib import Path

import yaml

from model.region import load_region

REPO = Path(__file__).resolve().parent.parent.parent
SIX = ["plastics", "metallurgy", "machinery", "building_materials", "wood", "food"]
CROWDED = ("wood", "food", "building_materials")
KEPT = ("velizhsky", "demidovsky")


def crowded_scenario(folder: Path, capacity: int = 1) -> Path:
    """Wood, food and building materials only in Velizhsky and Demidovsky, at most
    ``capacity`` cores per district (1: three types, two places, and each type alone fits)."""
    districts = load_region(REPO / "data" / "smolensk").district_ids
    forbid = [{"cluster": k, "district": d} for k in CROWDED for d in districts if d not in KEPT]
    rules = {
        "clusters": SIX,
        "max_clusters_per_district": capacity,
        "forbid": forbid,
        "corridor": {"types": []},
        "border": {"types": []},
    }
    path = folder / f"crowded-{capacity}.yaml"
    data = {"name": "crowded", "region": str(REPO / "data" / "smolensk"), "rules": rules}
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path
