"""Random tiny regions and scenarios for checking the MIP against brute-force enumeration.

Every instance has 2-6 districts, 1-3 cluster types and 1-3 sectors, in the §3 file format.
Road minutes all end in ...3 hundredths, so a shortest path of at most five links never has a
zero hundredths digit; every explicit or default minute threshold has one, so no travel time
ever ties with a threshold and the float order of path sums cannot flip a ``≤``. Budget costs
have one decimal and limits end in ...5 hundredths, for the same reason.
"""

from __future__ import annotations

import csv
import itertools
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

TYPE_IDS = ["wood", "food", "chem"]
SECTOR_IDS = ["forestry", "dairy", "plastics"]
ABSENT_SECTOR = "textiles"  # a cluster sector that never appears in activity.csv
LOCAL_NAMES = ["Северный", "Южный", "Озёрный", "Лесной", "Речной", "Горный"]
ROAD_KINDS = ["federal", "regional", "local"]


def _write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def _split_one(rng: random.Random, parts: int) -> list[float]:
    """``parts`` positive weights in hundredths that sum to 1."""
    cuts = sorted(rng.sample(range(1, 100), parts - 1))
    bounds = [0, *cuts, 100]
    return [(b - a) / 100 for a, b in itertools.pairwise(bounds)]


def _minutes(rng: random.Random, low: float, high: float) -> float:
    """Draw a road time ending in ...3 hundredths."""
    return round(round(rng.uniform(low, high), 1) + 0.03, 2)


def _write_region(rng: random.Random, region: Path) -> dict[str, Any]:
    """Write the §3 files; return the facts the scenario generator needs."""
    region.mkdir(parents=True, exist_ok=True)
    n = rng.randint(2, 6)
    districts = [f"d{idx + 1}" for idx in range(n)]
    border = {d: rng.random() < 0.5 for d in districts}
    _write_csv(
        region / "districts.csv",
        ["id", "name", "name_local", "lat", "lon", "population", "area_km2", "border"],
        [
            [
                d,
                f"District {d[1:]}",
                LOCAL_NAMES[idx],
                round(rng.uniform(53.5, 56.0), 4),
                round(rng.uniform(31.0, 35.5), 4),
                rng.randint(5000, 300000),
                round(rng.uniform(300.0, 3000.0), 1),
                "true" if border[d] else "false",
            ]
            for idx, d in enumerate(districts)
        ],
    )

    sectors = rng.sample(SECTOR_IDS, rng.randint(1, 3))
    activity: list[list[Any]] = []
    for d in districts:
        for s in sectors:
            draw = rng.random()
            if draw < 0.1:
                continue  # a missing row is a zero
            value = 0.0 if draw < 0.3 else round(rng.uniform(0.5, 120.0), 2)
            activity.append([d, s, value])
    if not any(row[2] > 0 for row in activity):
        key = [rng.choice(districts), sectors[0]]
        activity = [row for row in activity if row[:2] != key]
        activity.append([*key, round(rng.uniform(1.0, 50.0), 2)])
    _write_csv(region / "activity.csv", ["district", "sector", "value"], activity)

    exports = [
        [d, s, round(rng.uniform(0.0, 1.0), 3)]
        for d in districts
        for s in sectors
        if rng.random() < 0.5
    ]
    _write_csv(region / "exports.csv", ["district", "sector", "share"], exports)

    order = districts[:]
    rng.shuffle(order)
    pairs = [(order[idx], rng.choice(order[:idx])) for idx in range(1, n)]
    for _ in range(rng.randint(0, n)):
        a, b = rng.sample(districts, 2)
        pairs.append((a, b))  # may repeat a pair: parallel links
    kinds = ["local"] * len(pairs) if rng.random() < 0.1 else None
    roads = [
        [a, b, _minutes(rng, 5.0, 55.0), kinds[idx] if kinds else rng.choice(ROAD_KINDS)]
        for idx, (a, b) in enumerate(pairs)
    ]
    _write_csv(region / "roads.csv", ["a", "b", "minutes", "kind"], roads)

    crossing_districts = [rng.choice(districts) for _ in range(rng.choice([0, 1, 1, 2]))]
    _write_csv(
        region / "crossings.csv",
        ["id", "name", "district", "mode"],
        [
            [f"x{idx + 1}", f"Crossing {idx + 1}", d, rng.choice(["road", "rail"])]
            for idx, d in enumerate(crossing_districts)
        ],
    )

    types = TYPE_IDS[: rng.randint(1, 3)]
    clusters: dict[str, Any] = {}
    for k in types:
        pool = sectors + ([ABSENT_SECTOR] if rng.random() < 0.15 else [])
        chosen = rng.sample(pool, rng.randint(1, min(2, len(pool))))
        cooperation = {
            other: round(rng.uniform(0.0, 1.0), 2)
            for other in types
            if other != k and rng.random() < 0.6
        }
        clusters[k] = {
            "name": f"{k.capitalize()} cluster",
            "sectors": dict(zip(chosen, _split_one(rng, len(chosen)), strict=True)),
            "cross_border": rng.random() < 0.35,
            "needs_corridor": rng.random() < 0.25,
            "cooperation": cooperation,
        }
    with (region / "clusters.yaml").open("w", encoding="utf-8") as handle:
        yaml.safe_dump(clusters, handle, sort_keys=False, allow_unicode=True)
    return {"districts": districts, "types": types}


def _sites(rng: random.Random, types: list[str]) -> dict[str, Any]:
    sites: dict[str, Any] = {}
    if rng.random() < 0.5:
        low = rng.choice([0, 1, 1])
        sites["default"] = {"min": low, "max": rng.choice([max(low, 1), 2])}
    else:
        sites["default"] = {"min": 1, "max": 1}
    for k in types:
        if rng.random() < 0.35:
            sites[k] = rng.choice(
                [{"min": 0}, {"min": 0}, {"max": 2}, {"min": 0, "max": 2}, {"min": 2}]
            )
            if sites[k].get("min", sites["default"]["min"]) > sites[k].get(
                "max", sites["default"]["max"]
            ):
                sites[k]["max"] = sites[k]["min"]
    return sites


def _rules(rng: random.Random, districts: list[str], types: list[str]) -> dict[str, Any]:
    """Random rules; each family is switched on with its own probability."""
    rules: dict[str, Any] = {}
    draw = rng.random()
    if draw < 0.3:
        rules["border"] = {"enforce": False, "max_minutes": round(rng.uniform(5.0, 60.0), 1)}
    elif draw < 0.8:
        rules["border"] = {"enforce": True, "max_minutes": round(rng.uniform(15.0, 90.0), 1)}
    draw = rng.random()
    if draw < 0.15:
        rules["corridor"] = {"enforce": False, "max_minutes": round(rng.uniform(5.0, 40.0), 1)}
    elif draw < 0.7:
        rules["corridor"] = {"max_minutes": round(rng.uniform(15.0, 80.0), 1)}
    if rng.random() < 0.6:
        rules["max_clusters_per_district"] = rng.randint(1, 3)
    if rng.random() < 0.6:
        rules["max_members"] = rng.randint(0, 3)
    rules["sites"] = _sites(rng, types)
    if len(types) > 1 and rng.random() < 0.3:
        keep = set(rng.sample(types, rng.randint(1, len(types) - 1)))
        rules["clusters"] = [k for k in types if k in keep]
        types = rules["clusters"]
        rules["sites"] = {
            key: value for key, value in rules["sites"].items() if key == "default" or key in types
        }
    if rng.random() < 0.25:
        rules["min_border_sites"] = rng.choice([1, 1, 2])
    if rng.random() < 0.35:
        rules["groups"] = []
        for idx in range(rng.randint(1, 2)):
            group: dict[str, Any] = {
                "name": f"group_{idx + 1}",
                "districts": rng.sample(districts, rng.randint(1, max(1, len(districts) - 1))),
            }
            if rng.random() < 0.7:
                group["max_sites"] = rng.choice([0, 1, 1, 2])
            elif rng.random() < 0.5:
                group["max_sites"] = None
            if rng.random() < 0.4:
                group["min_sites"] = 1
            rules["groups"].append(group)
    if rng.random() < 0.3:
        rules["lock"] = [{"cluster": rng.choice(types), "district": rng.choice(districts)}]
    if rng.random() < 0.35:
        sites = {(rng.choice(types), rng.choice(districts)) for _ in range(rng.randint(1, 3))}
        rules["forbid"] = [{"cluster": k, "district": d} for k, d in sorted(sites)]
    if rng.random() < 0.3:
        budget: dict[str, Any] = {
            "limit": round(round(rng.uniform(1.5, 6.0), 1) + 0.05, 2),
            "costs": {
                d: round(rng.uniform(0.5, 3.0), 1)
                for d in rng.sample(districts, rng.randint(0, len(districts)))
            },
        }
        if rng.random() < 0.5:
            budget["default_cost"] = round(rng.uniform(0.5, 2.0), 1)
        rules["budget"] = budget
    return rules


def write_random_instance(rng: random.Random, folder: Path) -> dict[str, Any]:
    """Write a random tiny region to ``folder/region``; return a random scenario dict for it."""
    region = folder / "region"
    facts = _write_region(rng, region)
    scenario: dict[str, Any] = {"region": str(region.resolve())}
    if rng.random() < 0.8:
        scenario["weights"] = {
            "fit": round(rng.uniform(0.0, 2.0), 2),
            "export": round(rng.uniform(0.0, 2.0), 2),
            "member": round(rng.uniform(0.0, 1.5), 2),
            "coop": round(rng.uniform(0.0, 2.0), 2),
        }
    if rng.random() < 0.8:
        scenario["indicators"] = {
            "lq_cap": round(rng.uniform(1.2, 4.0), 2),
            "link_tau": round(rng.uniform(15.0, 90.0), 1),
            "link_max_minutes": round(rng.uniform(20.0, 150.0), 1),
            "member_max_minutes": round(rng.uniform(10.0, 90.0), 1),
        }
    scenario["rules"] = _rules(rng, facts["districts"], facts["types"])
    _fit_and_colocation(rng, scenario)
    _planner_forms(rng, scenario["rules"], facts["districts"], facts["types"])
    return scenario


def _planner_forms(
    rng: random.Random, rules: dict[str, Any], districts: list[str], types: list[str]
) -> None:
    """Locks on a set of districts, groups limited to some types, bans of every type in a
    district, and references by name (drawn last, so the earlier draws of a seed stay as
    they were)."""
    active = rules.get("clusters") or types
    if len(districts) > 1 and rng.random() < 0.2:
        places = rng.sample(districts, rng.randint(2, min(3, len(districts))))
        lock = {"cluster": rng.choice(active), "districts": places}
        if rules.get("lock") and rng.random() < 0.5:
            rules["lock"] = [lock]
        else:
            rules["lock"] = [*rules.get("lock", []), lock]
    for group in rules.get("groups", []):
        if rng.random() < 0.5:
            group["types"] = rng.sample(active, rng.randint(1, len(active)))
    if rng.random() < 0.12:
        rules["forbid"] = [*rules.get("forbid", []), {"district": rng.choice(districts)}]
    if rng.random() < 0.25:
        _by_name(rng, rules, districts)


def _by_name(rng: random.Random, rules: dict[str, Any], districts: list[str]) -> None:
    """Write the rules' references as names, local names or ids in another letter case."""

    def d(ident: str) -> str:
        name = f"District {ident[1:]}"
        local = LOCAL_NAMES[districts.index(ident)]
        return rng.choice([ident, name, name.upper(), local, local.lower()])

    def k(ident: str) -> str:
        name = f"{ident.capitalize()} cluster"
        return rng.choice([ident, ident.upper(), name, name.lower()])

    if rules.get("clusters") is not None:
        rules["clusters"] = [k(v) for v in rules["clusters"]]
    rules["sites"] = {
        (key if key == "default" else k(key)): value for key, value in rules["sites"].items()
    }
    for group in rules.get("groups", []):
        group["districts"] = [d(v) for v in group["districts"]]
        if "types" in group:
            group["types"] = [k(v) for v in group["types"]]
    for lock in rules.get("lock", []):
        lock["cluster"] = k(lock["cluster"])
        if "districts" in lock:
            lock["districts"] = [d(v) for v in lock["districts"]]
        else:
            lock["district"] = d(lock["district"])
    for ban in rules.get("forbid", []):
        if "cluster" in ban:
            ban["cluster"] = k(ban["cluster"])
        ban["district"] = d(ban["district"])
    if rules.get("budget") is not None:
        rules["budget"]["costs"] = {d(key): v for key, v in rules["budget"]["costs"].items()}


def _fit_and_colocation(rng: random.Random, scenario: dict[str, Any]) -> None:
    """Random fit method, intra-district time and greenfield rule (drawn after the rest)."""
    mode = rng.random()
    if mode < 0.2:  # today's canonical model: capped LQ, free co-location, greenfield allowed
        scenario.setdefault("indicators", {}).update({"fit": "lq", "intra_district": "none"})
        scenario["rules"]["greenfield"] = True
        return
    if mode < 0.3:  # every new key at its default
        return
    chosen: dict[str, Any] = {}
    method = rng.choice(["lq", "stars", "critical_mass", "critical_mass", None])
    if method is not None:
        chosen["fit"] = method
    if method == "critical_mass" and rng.random() < 0.5:
        chosen["critical_mass_kind"] = "absolute"
        chosen["critical_mass"] = round(rng.uniform(5.0, 80.0), 1)
    elif method == "critical_mass" and rng.random() < 0.5:
        chosen["critical_mass"] = round(rng.uniform(0.05, 0.8), 2)
    intra = rng.choice(["none", "disc", None])
    if intra is not None:
        chosen["intra_district"] = intra
    if intra == "disc" and rng.random() < 0.5:
        chosen["intra_speed_kmh"] = round(rng.uniform(20.0, 80.0), 1)
        chosen["intra_detour"] = round(rng.uniform(1.0, 1.6), 2)
    if chosen:
        scenario.setdefault("indicators", {}).update(chosen)
    greenfield = rng.choice([True, False, None])
    if greenfield is not None:
        scenario["rules"]["greenfield"] = greenfield


def rule_families(scenario: dict[str, Any]) -> set[str]:
    """Name the non-default rule families a scenario switches on that matter for its region."""
    with (Path(scenario["region"]) / "clusters.yaml").open(encoding="utf-8") as handle:
        catalogue = yaml.safe_load(handle)
    with (Path(scenario["region"]) / "districts.csv").open(encoding="utf-8") as handle:
        district_ids = {row["id"] for row in csv.DictReader(handle)}
    type_of = {str(spec["name"]).casefold(): k for k, spec in catalogue.items()}
    type_of.update({k.casefold(): k for k in catalogue})
    rules = scenario.get("rules", {})
    active = [type_of[k.casefold()] for k in rules.get("clusters") or list(catalogue)]
    cross = any(catalogue[k]["cross_border"] for k in active)
    corridor = any(catalogue[k]["needs_corridor"] for k in active)
    families: set[str] = set()
    border = rules.get("border")
    if border is not None and cross:
        families.add("border_radius" if border.get("enforce", True) else "border_off")
    if rules.get("corridor") is not None and corridor:
        on = rules["corridor"].get("enforce", True)
        families.add("corridor_radius" if on else "corridor_off")
    if "max_clusters_per_district" in rules:
        families.add("capacity")
    if "max_members" in rules:
        families.add("max_members")
        if rules["max_members"] == 0:
            families.add("max_members_zero")
    sites = rules.get("sites", {})
    if sites.get("default") != {"min": 1, "max": 1}:
        families.add("sites_default")
    for key, spec in sites.items():
        if key != "default":
            families.add("sites_per_type")
            if spec.get("min") == 0:
                families.add("sites_min_0")
            if spec.get("max") == 2:
                families.add("sites_max_2")
    if rules.get("clusters") is not None:
        families.add("clusters_subset")
    if rules.get("min_border_sites", 0) > 0:
        families.add("min_border_sites")
    for group in rules.get("groups", []):
        if group.get("max_sites") is not None:
            families.add("group_max")
        if group.get("min_sites", 0) > 0:
            families.add("group_min")
    for key in ("lock", "forbid"):
        if rules.get(key):
            families.add(key)
    if any("districts" in lock for lock in rules.get("lock", [])):
        families.add("lock_set")
    if any(group.get("types") is not None for group in rules.get("groups", [])):
        families.add("group_types")
    if any(ban.get("cluster") is None for ban in rules.get("forbid", [])):
        families.add("forbid_every_type")
    named = [
        *(d for group in rules.get("groups", []) for d in group["districts"]),
        *(lock.get("district") or "" for lock in rules.get("lock", [])),
        *(d for lock in rules.get("lock", []) for d in lock.get("districts") or []),
        *(ban["district"] for ban in rules.get("forbid", [])),
        *((rules.get("budget") or {}).get("costs") or {}),
    ]
    kinds = [
        *(rules.get("clusters") or []),
        *(key for key in rules.get("sites", {}) if key != "default"),
        *(lock["cluster"] for lock in rules.get("lock", [])),
        *(ban["cluster"] for ban in rules.get("forbid", []) if "cluster" in ban),
    ]
    if any(d and d not in district_ids for d in named) or any(k not in catalogue for k in kinds):
        families.add("names")
    if rules.get("budget") is not None:
        families.add("budget")
    if "weights" not in scenario:
        families.add("default_weights")
    radii = ("lq_cap", "link_tau", "link_max_minutes", "member_max_minutes")
    if not set(scenario.get("indicators", {})) & set(radii):
        families.add("default_indicators")
    indicators = scenario.get("indicators", {})
    method = indicators.get("fit", "critical_mass")
    families.add(f"fit_{method}")
    if method == "critical_mass":
        families.add(f"critical_mass_{indicators.get('critical_mass_kind', 'share')}")
    families.add(f"intra_{indicators.get('intra_district', 'disc')}")
    greenfield = rules.get("greenfield", False)
    families.add("greenfield_allowed" if greenfield else "greenfield_refused")
    if method == "lq" and indicators.get("intra_district") == "none" and greenfield:
        families.add("canonical")
    return families


ALL_FAMILIES = {
    "border_radius",
    "border_off",
    "corridor_radius",
    "corridor_off",
    "capacity",
    "max_members",
    "max_members_zero",
    "sites_default",
    "sites_per_type",
    "sites_min_0",
    "sites_max_2",
    "clusters_subset",
    "min_border_sites",
    "group_max",
    "group_min",
    "lock",
    "lock_set",
    "forbid",
    "forbid_every_type",
    "group_types",
    "names",
    "budget",
    "default_weights",
    "default_indicators",
    "fit_lq",
    "fit_stars",
    "fit_critical_mass",
    "critical_mass_share",
    "critical_mass_absolute",
    "intra_none",
    "intra_disc",
    "greenfield_allowed",
    "greenfield_refused",
    "canonical",
}


def random_cases(folder: Path, count: int) -> Iterator[tuple[int, Path, dict[str, Any]]]:
    """(seed, region folder, scenario without its region) of ``count`` random instances,
    seeds 0, 1, ..., each written under ``folder/<seed>``."""
    for seed in range(count):
        scenario = {
            "name": f"t{seed}",
            **write_random_instance(random.Random(seed), folder / str(seed)),
        }
        region_dir = Path(str(scenario.pop("region")))
        yield seed, region_dir, scenario
