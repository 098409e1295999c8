"""Brute-force reference for the siting model (docs/model.md §4, §5; README scenario reference).

Written from the text of the design only, independent of ``model/``: it reads the region files
itself, computes the indicators with plain loops, and finds the optimum by enumerating every core
set and, for each core set, every member assignment. It is meant for tiny regions (≤ 6
districts, ≤ 3 cluster types) and is used to check the MIP on random instances.
"""

from __future__ import annotations

import copy
import csv
import itertools
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

INF = math.inf

DEFAULTS: dict[str, Any] = {
    "weights": {"fit": 1.0, "export": 1.0, "member": 0.5, "coop": 1.0},
    "indicators": {
        "lq_cap": 3.0,
        "link_tau": 60.0,
        "link_max_minutes": 120.0,
        "member_max_minutes": 60.0,
        "fit": "critical_mass",
        "critical_mass": 0.2,
        "critical_mass_kind": "share",
        "intra_district": "disc",
        "intra_speed_kmh": 40.0,
        "intra_detour": 1.3,
    },
    "rules": {
        "border": {"enforce": True, "max_minutes": 60.0},
        "corridor": {"enforce": True, "max_minutes": 30.0},
        "max_clusters_per_district": 2,
        "max_members": 4,
        "sites": {"default": {"min": 1, "max": 1}},
        "clusters": None,
        "min_border_sites": 0,
        "groups": [],
        "lock": [],
        "forbid": [],
        "budget": None,
        "greenfield": False,
    },
}


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Return ``base`` with ``override`` merged in, recursively for nested mappings."""
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


@dataclass
class Region:
    """The raw §3 files of one region, as plain Python containers."""

    districts: list[str]
    names: dict[str, list[str]]  # district id -> its name and local name
    border: dict[str, bool]
    area: dict[str, float]
    activity: dict[tuple[str, str], float]  # (sector, district) -> value
    exports: dict[tuple[str, str], float]  # (sector, district) -> share
    roads: list[tuple[str, str, float, str]]  # (a, b, minutes, kind)
    crossing_districts: set[str]
    clusters: dict[str, dict[str, Any]]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _truthy(text: str) -> bool:
    return text.strip().lower() in {"true", "1", "yes"}


def read_region(region_dir: Path) -> Region:
    """Read the §3 files of ``region_dir`` (no validation beyond what parsing needs)."""
    district_rows = _rows(region_dir / "districts.csv")
    districts = [row["id"] for row in district_rows]
    names = {row["id"]: [row["name"], row.get("name_local") or ""] for row in district_rows}
    border = {row["id"]: _truthy(row["border"]) for row in district_rows}
    area = {row["id"]: float(row.get("area_km2") or "nan") for row in district_rows}
    activity: dict[tuple[str, str], float] = {}
    for row in _rows(region_dir / "activity.csv"):
        key = (row["sector"], row["district"])
        activity[key] = activity.get(key, 0.0) + float(row["value"])
    exports: dict[tuple[str, str], float] = {}
    exports_path = region_dir / "exports.csv"
    if exports_path.exists():
        for row in _rows(exports_path):
            key = (row["sector"], row["district"])
            exports[key] = exports.get(key, 0.0) + float(row["share"])
    roads = [
        (row["a"], row["b"], float(row["minutes"]), row["kind"].strip())
        for row in _rows(region_dir / "roads.csv")
    ]
    crossings_path = region_dir / "crossings.csv"
    crossing_districts = (
        {row["district"] for row in _rows(crossings_path)} if crossings_path.exists() else set()
    )
    with (region_dir / "clusters.yaml").open(encoding="utf-8") as handle:
        clusters = yaml.safe_load(handle) or {}
    return Region(
        districts, names, border, area, activity, exports, roads, crossing_districts, clusters
    )


def travel_times(
    districts: list[str], roads: Iterable[tuple[str, str, float, str]]
) -> dict[tuple[str, str], float]:
    """All-pairs shortest road minutes (Floyd-Warshall on the undirected graph)."""
    t = {(i, j): (0.0 if i == j else INF) for i in districts for j in districts}
    for a, b, minutes, _kind in roads:
        if a != b and minutes < t[a, b]:
            t[a, b] = t[b, a] = minutes
    for m in districts:
        for i in districts:
            for j in districts:
                if t[i, m] + t[m, j] < t[i, j]:
                    t[i, j] = t[i, m] + t[m, j]
    return t


def location_quotients(region: Region) -> dict[tuple[str, str], float]:
    """LQ[s,i] = (v[s,i]/V[i]) / (V[s]/V); 0 where V[i] = 0 or V[s] = 0."""
    v_district: dict[str, float] = {}
    v_sector: dict[str, float] = {}
    for (s, i), value in region.activity.items():
        v_district[i] = v_district.get(i, 0.0) + value
        v_sector[s] = v_sector.get(s, 0.0) + value
    total = sum(v_district.values())
    lq: dict[tuple[str, str], float] = {}
    for (s, i), value in region.activity.items():
        if v_district[i] > 0 and v_sector[s] > 0:
            lq[s, i] = (value / v_district[i]) / (v_sector[s] / total)
        else:
            lq[s, i] = 0.0
    return lq


def quantile(values: list[float], q: float) -> float:
    """The q-quantile with linear interpolation between order statistics (numpy's default)."""
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def sector_scores(region: Region, ind: dict[str, Any]) -> dict[tuple[str, str], float]:
    """score[s,i] in [0,1] of the scenario's fit method, for every sector and district."""
    sectors = sorted({s for s, _i in region.activity})
    value = {(s, i): region.activity.get((s, i), 0.0) for s in sectors for i in region.districts}
    v_sector = {s: sum(value[s, i] for i in region.districts) for s in sectors}
    v_district = {i: sum(value[s, i] for s in sectors) for i in region.districts}
    lq = location_quotients(region)
    cap = float(ind["lq_cap"])
    method = ind["fit"]
    scores: dict[tuple[str, str], float] = {}
    if method == "stars":
        size = {k: (v / v_sector[k[0]] if v_sector[k[0]] > 0 else 0.0) for k, v in value.items()}
        focus = {
            k: (v / v_district[k[1]] if v_district[k[1]] > 0 else 0.0) for k, v in value.items()
        }
        positive = [k for k, v in value.items() if v > 0]
        focus_cut = quantile([focus[k] for k in positive], 0.9) if positive else 0.0
        for s in sectors:
            size_cut = quantile([size[s, i] for i in region.districts], 0.9)
            for i in region.districts:
                if value[s, i] <= 0:
                    scores[s, i] = 0.0
                    continue
                stars = (size[s, i] >= size_cut) + (lq[s, i] >= 2.0) + (focus[s, i] >= focus_cut)
                scores[s, i] = stars / 3
        return scores
    for s in sectors:
        for i in region.districts:
            capped = min(lq.get((s, i), 0.0), cap) / cap
            if method == "critical_mass":
                if ind["critical_mass_kind"] == "share":
                    size_of = value[s, i] / v_sector[s] if v_sector[s] > 0 else 0.0
                else:
                    size_of = value[s, i]
                capped *= min(1.0, size_of / float(ind["critical_mass"]))
            scores[s, i] = capped
    return scores


def min_time_to(
    districts: list[str], t: dict[tuple[str, str], float], targets: set[str]
) -> dict[str, float]:
    """For each district, the least travel time to any district in ``targets`` (inf if none)."""
    return {i: min((t[i, j] for j in targets), default=INF) for i in districts}


def _lookup(known: dict[str, list[str]], value: str, what: str) -> str:
    """The id that ``value`` names: the id itself, or an id or name in any letter case."""
    if value in known:
        return value
    hits = {
        ident
        for ident, names in known.items()
        for text in (ident, *names)
        if text and text.casefold() == value.casefold()
    }
    if len(hits) != 1:
        raise ValueError(f"{what} {value!r} names {len(hits)} entries")
    return hits.pop()


def resolve_references(region: Region, rules: dict[str, Any]) -> dict[str, Any]:
    """The rules with every district and type reference replaced by its id."""
    districts = region.names
    types = {k: [str(spec.get("name") or "")] for k, spec in region.clusters.items()}

    def d(value: str) -> str:
        return _lookup(districts, value, "district")

    def k(value: str) -> str:
        return _lookup(types, value, "cluster type")

    out = copy.deepcopy(rules)
    if out["clusters"] is not None:
        out["clusters"] = [k(v) for v in out["clusters"]]
    out["sites"] = {(key if key == "default" else k(key)): v for key, v in out["sites"].items()}
    for group in out["groups"]:
        group["districts"] = [d(v) for v in group["districts"]]
        if group.get("types") is not None:
            group["types"] = [k(v) for v in group["types"]]
    for lock in out["lock"]:
        lock["cluster"] = k(lock["cluster"])
        if lock.get("districts") is not None:
            lock["districts"] = [d(v) for v in lock["districts"]]
        else:
            lock["district"] = d(lock["district"])
    for ban in out["forbid"]:
        if ban.get("cluster") is not None:
            ban["cluster"] = k(ban["cluster"])
        ban["district"] = d(ban["district"])
    if out["budget"] is not None:
        costs = out["budget"].get("costs") or {}
        out["budget"]["costs"] = {d(key): v for key, v in costs.items()}
    return out


@dataclass
class Instance:
    """Indicators and rules of one scenario on one region, ready to enumerate."""

    districts: list[str]
    types: list[str]
    border: dict[str, bool]
    t: dict[tuple[str, str], float]
    link: dict[tuple[str, str], float]
    fit: dict[tuple[str, str], float]
    exp: dict[tuple[str, str], float]
    coop: dict[tuple[str, str], float]  # unordered pairs stored once, k < k' by type order
    allowed: set[tuple[str, str]]
    weights: dict[str, float]
    rules: dict[str, Any]
    member_max: float
    site_bounds: dict[str, tuple[int, int]]


def build_instance(region_dir: Path, scenario: dict[str, Any]) -> Instance:
    """Compute §4 indicators and the allowed core sites for ``scenario`` on the region."""
    region = read_region(region_dir)
    sc = merge(DEFAULTS, {k: v for k, v in scenario.items() if k in DEFAULTS})
    weights = {k: float(v) for k, v in sc["weights"].items()}
    ind = sc["indicators"]
    rules = resolve_references(region, sc["rules"])
    cap = float(ind["lq_cap"])
    tau = float(ind["link_tau"])
    t_link = float(ind["link_max_minutes"])
    districts = region.districts

    chosen = rules["clusters"]
    types = list(region.clusters) if chosen is None else [k for k in region.clusters if k in chosen]
    if chosen is not None and set(chosen) - set(region.clusters):
        raise ValueError(f"unknown cluster types {set(chosen) - set(region.clusters)}")

    del cap  # used through sector_scores
    score = sector_scores(region, ind)
    fit: dict[tuple[str, str], float] = {}
    exp: dict[tuple[str, str], float] = {}
    own: dict[tuple[str, str], float] = {}
    for k in types:
        sectors = {s: float(w) for s, w in region.clusters[k]["sectors"].items()}
        for i in districts:
            fit[k, i] = sum(w * score.get((s, i), 0.0) for s, w in sectors.items())
            exp[k, i] = sum(w * region.exports.get((s, i), 0.0) for s, w in sectors.items())
            own[k, i] = sum(region.activity.get((s, i), 0.0) for s, w in sectors.items() if w > 0)

    t = travel_times(districts, region.roads)
    # the time between two cores in one district: 0, or the mean distance to the centre of a
    # disc of the district's area, (2/3)·sqrt(A/π), at the intra-district detour and speed
    within = {i: 0.0 for i in districts}
    if ind["intra_district"] == "disc":
        for i in districts:
            radius = math.sqrt(region.area[i] / math.pi)
            km = 2.0 / 3.0 * radius * float(ind["intra_detour"])
            within[i] = km / float(ind["intra_speed_kmh"]) * 60.0
    link = {}
    for i in districts:
        for j in districts:
            minutes = within[i] if i == j else t[i, j]
            link[i, j] = math.exp(-minutes / tau) if minutes <= t_link else 0.0
    if ind["intra_district"] == "none":
        for i in districts:
            link[i, i] = 1.0

    coop: dict[tuple[str, str], float] = {}
    for a, b in itertools.combinations(types, 2):
        stated_ab = (region.clusters[a].get("cooperation") or {}).get(b, 0.0)
        stated_ba = (region.clusters[b].get("cooperation") or {}).get(a, 0.0)
        value = max(float(stated_ab), float(stated_ba))
        if value > 0:
            coop[a, b] = value

    tb = min_time_to(districts, t, region.crossing_districts)
    federal_ends = {e for a, b, _m, kind in region.roads if kind == "federal" for e in (a, b)}
    tc = min_time_to(districts, t, federal_ends)
    # a ban without a cluster (or with cluster null) closes the district to every type
    forbidden = {
        (f["cluster"], f["district"]) if f.get("cluster") is not None else (None, f["district"])
        for f in rules["forbid"]
    }
    border_rule = rules["border"]
    corridor_rule = rules["corridor"]
    allowed: set[tuple[str, str]] = set()
    for k in types:
        spec = region.clusters[k]
        for i in districts:
            if (k, i) in forbidden or (None, i) in forbidden:
                continue
            if not rules["greenfield"] and not own[k, i] > 0:
                continue
            if (
                spec.get("cross_border", False)
                and border_rule.get("enforce", True)
                and tb[i] > float(border_rule["max_minutes"])
            ):
                continue
            if (
                spec.get("needs_corridor", False)
                and corridor_rule.get("enforce", True)
                and tc[i] > float(corridor_rule["max_minutes"])
            ):
                continue
            allowed.add((k, i))

    sites = rules["sites"]
    site_bounds: dict[str, tuple[int, int]] = {}
    for k in types:
        spec = merge(sites["default"], sites.get(k) or {})
        site_bounds[k] = (int(spec["min"]), int(spec["max"]))

    return Instance(
        districts=districts,
        types=types,
        border=region.border,
        t=t,
        link=link,
        fit=fit,
        exp=exp,
        coop=coop,
        allowed=allowed,
        weights=weights,
        rules=rules,
        member_max=float(ind["member_max_minutes"]),
        site_bounds=site_bounds,
    )


def best_member_value(inst: Instance, k: str, cores: tuple[str, ...]) -> float:
    """Best w_member·Σ fit[k,j]·link[i,j] over all member assignments of type k given its cores."""
    max_members = int(inst.rules["max_members"])
    others = [j for j in inst.districts if j not in cores]
    options: list[list[str | None]] = [
        [None, *(i for i in cores if inst.t[i, j] <= inst.member_max)] for j in others
    ]
    best = 0.0
    for choice in itertools.product(*options):
        counts = {i: 0 for i in cores}
        value = 0.0
        for j, i in zip(others, choice, strict=True):
            if i is not None:
                counts[i] += 1
                value += inst.weights["member"] * inst.fit[k, j] * inst.link[i, j]
        if all(c <= max_members for c in counts.values()):
            best = max(best, value)
    return best


def _core_sets(inst: Instance, k: str, locked: list[set[str]]) -> Iterator[tuple[str, ...]]:
    """Core sets of type k that meet its site bounds and hold a core in each of its locks'
    district sets (a lock on one district is a set of one)."""
    lo, hi = inst.site_bounds[k]
    candidates = [i for i in inst.districts if (k, i) in inst.allowed]
    for size in range(max(lo, 0), min(hi, len(candidates)) + 1):
        for cores in itertools.combinations(candidates, size):
            if all(places & set(cores) for places in locked):
                yield cores


def _meets_policy(inst: Instance, cores: list[tuple[str, str]]) -> bool:
    """Capacity, border count, groups and budget for one full core set."""
    rules = inst.rules
    per_district: dict[str, int] = {}
    for _k, i in cores:
        per_district[i] = per_district.get(i, 0) + 1
    if any(n > int(rules["max_clusters_per_district"]) for n in per_district.values()):
        return False
    if sum(1 for _k, i in cores if inst.border.get(i, False)) < int(rules["min_border_sites"]):
        return False
    for group in rules["groups"]:
        members = set(group["districts"])
        kinds = group.get("types")  # None: cores of every type count
        count = sum(1 for k, i in cores if i in members and (kinds is None or k in kinds))
        if group.get("max_sites") is not None and count > int(group["max_sites"]):
            return False
        if count < int(group.get("min_sites") or 0):
            return False
    budget = rules["budget"]
    if budget is not None:
        costs = budget.get("costs") or {}
        default_cost = float(budget.get("default_cost", 1.0))
        spent = sum(float(costs.get(i, default_cost)) for _k, i in cores)
        if spent > float(budget["limit"]):
            return False
    return True


def scored_core_sets(
    region_dir: Path, scenario: dict[str, Any]
) -> list[tuple[frozenset[tuple[str, str]], float]]:
    """Every full core set that meets the rules, with the best objective it allows.

    Members and cooperating pairs are chosen at their best for each core set, so a set's
    value is the best objective of any solution with exactly these cores. Empty when the
    scenario is infeasible.
    """
    inst = build_instance(Path(region_dir), scenario)
    w = inst.weights
    locks: dict[str, list[set[str]]] = {k: [] for k in inst.types}
    for lock in inst.rules["lock"]:
        k = lock["cluster"]
        places = lock.get("districts")
        places = set(places) if places is not None else {lock["district"]}
        if k not in locks or not places <= set(inst.districts):
            raise ValueError(f"lock names an unknown cluster or district: {lock}")
        locks[k].append(places)  # no allowed district in the set: no core set meets it

    # Per type: every admissible core set with its own fit/export/member value.
    options: list[list[tuple[tuple[str, ...], float]]] = []
    for k in inst.types:
        scored = []
        for cores in _core_sets(inst, k, locks[k]):
            own = sum(w["fit"] * inst.fit[k, i] + w["export"] * inst.exp[k, i] for i in cores)
            own += best_member_value(inst, k, cores)
            scored.append((cores, own))
        if not scored:
            return []
        options.append(scored)

    found: list[tuple[frozenset[tuple[str, str]], float]] = []
    for combo in itertools.product(*options):
        cores = [(k, i) for k, (sites, _v) in zip(inst.types, combo, strict=True) for i in sites]
        if not _meets_policy(inst, cores):
            continue
        value = sum(v for _sites, v in combo)
        by_type = dict(zip(inst.types, (sites for sites, _v in combo), strict=True))
        for (a, b), intensity in inst.coop.items():
            # z[a,i,b,j] is free between 0 and both cores, so each pair adds only if positive.
            value += sum(
                max(0.0, w["coop"] * intensity * inst.link[i, j])
                for i in by_type[a]
                for j in by_type[b]
            )
        found.append((frozenset(cores), value))
    return found


def solve_by_enumeration(region_dir: Path, scenario: dict[str, Any]) -> tuple[str, float | None]:
    """Return ("optimal", best objective) or ("infeasible", None) by exhaustive enumeration."""
    found = scored_core_sets(region_dir, scenario)
    if not found:
        return "infeasible", None
    return "optimal", max(value for _cores, value in found)
