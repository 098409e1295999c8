"""Build the non-estimate Smolensk region files from the unmodified sources in ``raw/``.

Writes ``districts.csv``, ``roads.csv``, ``crossings.csv``, ``boundaries.geojson`` and
``border_line.geojson`` next to this script (format: docs/model.md). Everything is read from
``raw/`` so that a clean clone of the repository can rebuild and test the files; the output
is deterministic (fixed row order, fixed float formatting). SOURCES.md documents every choice.

Run: ``python data/smolensk/build_region.py``
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import networkx as nx
import pandas as pd
from shapely.geometry import LineString, Point, Polygon, shape

HERE = Path(__file__).resolve().parent
RAW_DIR = HERE / "raw"

# --- travel-time parameters (sources in SOURCES.md, "Roads") -------------------------------
# Mean Earth radius (IUGG mean radius R1 = 6371.0088 km, rounded to 6371 km).
EARTH_RADIUS_KM = 6371.0
# Road distance / great-circle distance. Wang, Bette, Schreckenberg & Guhr (2024), npj
# Complexity 1:22 (arXiv:2406.06490): "we typically have to drive 1.3 +/- 0.1 times longer
# than the crow flies" (motorway networks of several countries); Mennicken, Lemoy & Caruso
# (2024), Environment and Planning B, doi:10.1177/23998083231168870: mean radial detour 1.343
# in 300 European cities; Ballou, Rahardja & Sakai (2002), Transp. Res. A 36(9):843-848.
DETOUR_FACTOR = 1.3
# Average speed by road kind, km/h: OSRM default car profile (profiles/car.lua, Project-OSRM/
# osrm-backend) speeds for the OSM classes trunk (85), secondary (55) and tertiary (40). The
# mapping federal->trunk, regional->secondary, local->tertiary is an ASSUMPTION. All three are
# below the Russian rural limit for cars, 90 km/h (traffic rules, PDD RF 10.3).
SPEED_KMH: dict[str, float] = {"federal": 85.0, "regional": 55.0, "local": 40.0}

# --- road kinds (rule in SOURCES.md, "Road kind rule") --------------------------------------
# Federal routes each unit lies on, transcribed from the sourced `highways` column of
# raw/districts.csv (checked against that text by `_check_route_codes`). "ex-A141" / "ex-A101"
# are former numbers of R120 / A130. Roads that only lead towards a federal route
# (Dorogobuzhsky "25 km from the Moscow-Minsk highway", Yelninsky "branch of A130",
# Kholm-Zhirkovsky "M1-Khmelita-...") do not count as federal (the last one is a regional
# link to Vyazemsky, see REGIONAL_LINKS).
FEDERAL_ROUTES_SOURCED: dict[str, tuple[str, ...]] = {
    "vyazemsky": ("M1", "R132"),
    "krasninsky": ("M1",),
    "pochinkovsky": ("R120",),
    "roslavlsky": ("A130", "R120"),
    "rudnyansky": ("R120",),
    "safonovsky": ("M1",),
    "smolensky": ("M1", "R120"),
    "sychyovsky": ("R132",),
    "shumyachsky": ("A130",),
    "yartsevsky": ("M1",),
    "smolensk": ("M1", "R120"),
    "desnogorsk": ("A130",),
}
# Entries of the `highways_unsourced` column that the source states as fact ("general
# knowledge"); used and flagged as unsourced. Ugransky's R132 is stated as "likely ... not
# verified" by the source and is NOT used.
FEDERAL_ROUTES_UNSOURCED: dict[str, tuple[str, ...]] = {
    "gagarinsky": ("M1",),
    "kardymovsky": ("M1",),
}
# Neighbour pairs joined by a regional road named in the sourced `highways` text of one or both
# units (the quoted road name is the evidence). Pairs that also share a federal route are
# federal.
REGIONAL_LINKS: dict[tuple[str, str], str] = {
    ("dorogobuzhsky", "safonovsky"): "Roslavl-Yelnya-Dorogobuzh-Safonovo",
    ("dorogobuzhsky", "yelninsky"): "Roslavl-Yelnya-Dorogobuzh-Safonovo",
    ("roslavlsky", "yelninsky"): "Roslavl-Yelnya-Dorogobuzh-Safonovo",
    ("pochinkovsky", "yelninsky"): "Spas-Demensk-Yelnya-Pochinok; Pochinok-Yelnya",
    ("monastyrshchinsky", "smolensky"): "Smolensk-Rusilovo-Upokoy-Monastyrshchina",
    ("novoduginsky", "vyazemsky"): "Smolensk-Dorogobuzh-Vyazma-Zubtsov",
    # Inference: Khislavichsky's road starts on R120, and Pochinkovsky is the only R120 unit
    # that borders Khislavichsky; Pochinkovsky's row names a road "towards Mstsislaw (BY)".
    ("khislavichsky", "pochinkovsky"): "(Bryansk-Smolensk-BY border)-Khislavichi-BY border",
    # Regional roads named in stored public pages (not in raw/districts.csv); source per pair in
    # ROAD_SOURCES. R133 "Olsha-Velizh-Usvyaty-Nevel" (velizhsky's sourced `highways`: "R133
    # Smolensk-Nevel (regional)") runs through Demidovsky okrug (repairs "on the Olsha-Velizh-
    # Usvyaty-Nevel road in Demidovsky district"); the Demidov-Rudnya road "joins two district
    # centres, Demidov and Rudnya" (Smolenskavtodor).
    ("demidovsky", "velizhsky"): "R133 Olsha-Velizh-Usvyaty-Nevel",
    ("demidovsky", "rudnyansky"): "Demidov-Rudnya",
    # Kholm-Zhirkovsky's sourced `highways` names the regional road "M1-Khmelita-Kholm-
    # Zhirkovsky-Yakovlevo"; Khmelita lies in Vyazemsky okrug, 33 km NW of Vyazma "on the road
    # Vyazma - Kholm-Zhirkovsky" (source in ROAD_SOURCES), so the road joins the two units.
    ("kholm_zhirkovsky", "vyazemsky"): "Vyazma-Khmelita-Kholm-Zhirkovsky",
}
# Direct links from Smolensk city to units its radial roads reach. The city is an enclave in
# Smolensky okrug, whose point is the okrug's polygon centroid ~15 km WNW of the city; without
# these links every trip out of the city passed that centroid (city -> Kardymovsky 50 min for
# 27 km of straight line). Each link follows a named road from the city to the unit's centre;
# the pair need not share a polygon edge. Kind by the same rule as the neighbour links (shared
# federal route -> federal; named regional road -> regional). Road name per link:
CITY = "smolensk"
CITY_LINKS: dict[str, str] = {
    "yartsevsky": "M1 east (sourced M1 for both units)",
    "kardymovsky": "M1 east (kardymovsky M1 is the unsourced 'general knowledge' entry)",
    "krasninsky": "M1 west; regional road Smolensk-Krasny (krasninsky `highways`)",
    "rudnyansky": "R120 (ex-A141) towards Vitebsk (sourced R120 for both units)",
    "pochinkovsky": "R120 (ex-A141) towards Bryansk/Roslavl (sourced R120 for both units)",
    "monastyrshchinsky": "Smolensk-Rusilovo-Upokoy-Monastyrshchina (monastyrshchinsky `highways`)",
    "demidovsky": "R133 Olsha-Velizh-Usvyaty-Nevel, which starts at Olsha on the city's edge",
    "dukhovshchinsky": "M1 to Vityazi, then Vityazi-Dukhovshchina-Bely-Nelidovo (R136)",
}
# Regional roads of the city links (pairs with no shared federal route).
CITY_REGIONAL: dict[str, str] = {
    "monastyrshchinsky": "Smolensk-Rusilovo-Upokoy-Monastyrshchina",
    "demidovsky": "R133 Olsha-Velizh-Usvyaty-Nevel",
    "dukhovshchinsky": "Vityazi-Dukhovshchina-Bely-Nelidovo",
}
# Sources of the road facts not in raw/districts.csv (also listed in SOURCES.md, "Roads").
ROAD_SOURCES: dict[str, str] = {
    "R133 Olsha-Velizh-Usvyaty-Nevel": (
        "https://dorinfo.ru/star_detail.php?ELEMENT_ID=84108 ; "
        "https://smolensk-i.ru/auto/v-smolenskoj-oblasti-otremontiruyut-dorogi-v-demidovskom-i-"
        "rudnyanskom-rajonah_424671"
    ),
    "Demidov-Rudnya": (
        "https://dorinfo.ru/star_detail.php?ELEMENT_ID=84108 ; "
        "https://smolensk-i.ru/auto/smolenskavtodor-raskryl-podrobnosti-obnovleniya-dorog-v-"
        "rudnyanskom-rajone_581977"
    ),
    "Vyazma-Khmelita-Kholm-Zhirkovsky": (
        "https://tochka-na-karte.ru/Goroda-i-Gosudarstva/15375-Hmelita.html"
    ),
    "Vityazi-Dukhovshchina-Bely-Nelidovo": (
        "http://vvestnik.ru/tag/doroga-vityazi-duxovshhina-belyj-nelidovo ; "
        "https://xn--b1aeclack5b4j.su/wiki/%D0%9D%D0%BE%D0%B2%D0%B0%D1%8F_%D0%97%D0%B5%D0%BC%D0%BB"
        "%D1%8F_(%D0%A1%D0%BC%D0%BE%D0%BB%D0%B5%D0%BD%D1%81%D0%BA%D0%B0%D1%8F_%D0%BE%D0%B1%D0%BB%D0"
        "%B0%D1%81%D1%82%D1%8C) (R136 Smolensk-Nelidovo near Dukhovshchina)"
    ),
}

# --- geometry ----------------------------------------------------------------------------
# A unit borders Belarus if its polygon lies within this distance (degrees) of the border
# line. raw/geo/PROVENANCE.md: the line was cut with a 0.012 deg (~1 km) buffer and stops
# ~1 km short of each tripoint, so the same tolerance is used here.
BORDER_TOLERANCE_DEG = 0.012
# Smolensky okrug is administered from Smolensk city, outside the okrug; the source gives it the
# city's coordinates. Its point here is the centroid of its polygon (inside the polygon, not in
# the city hole), rounded to COORD_DECIMALS.
POLYGON_CENTROID_UNITS = ("smolensky",)
COORD_DECIMALS = 4
ODBL_ATTRIBUTION = (
    "© OpenStreetMap contributors, ODbL 1.0 (https://www.openstreetmap.org/copyright); "
    "via github.com/timurkanaz/Russia_geojson_OSM commit "
    "5af46d6dab9a502713611846892e4185f157dab7, simplified (see raw/geo/PROVENANCE.md)"
)

# --- crossings ---------------------------------------------------------------------------
# Slug id per source row name, and the district for rows the source leaves unassigned or
# "probable" (reasons in SOURCES.md, "Border crossings").
# Keys are the source names with en dashes written as "-" (see `_ascii`).
CROSSING_IDS: dict[str, str] = {
    "Krasnaya Gorka": "krasnaya_gorka",
    "Krasnoye (rail)": "krasnoye_rail",
    "Smolensk-Osinovka (Orsha) rail": "smolensk_osinovka_rail",
    "Smolensk-Zaolsha (Vitebsk) rail": "smolensk_zaolsha_rail",
    "Sery Kamen": "sery_kamen",
    "Velizh-Senkovo": "velizh_senkovo",
    "Rudnya / R120 toward Vitebsk": "rudnya_r120",
    "Khislavichi road": "khislavichi_road",
}
CROSSING_DISTRICT_DECISIONS: dict[str, str] = {
    "Krasnaya Gorka": "krasninsky",
    "Krasnoye (rail)": "krasninsky",
    "Smolensk-Osinovka (Orsha) rail": "krasninsky",
}


def _ascii(name: str) -> str:
    """Source name with en dashes replaced by hyphens, as used for the keys above."""
    return name.replace("\u2013", "-")


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two (lat, lon) points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def road_minutes(km: float, kind: str) -> float:
    """Travel minutes for a great-circle distance: km x detour factor / speed of the road kind."""
    return km * DETOUR_FACTOR / SPEED_KMH[kind] * 60.0


def geo_id(name_en: str) -> str:
    """Map a GeoJSON ``name_en`` ("Kholm-Zhirkovsky District") to a district slug."""
    base = name_en.replace(" District", "").replace(" (urban okrug)", "")
    return base.lower().replace("-", "_")


def load_polygons(raw_dir: Path) -> dict[str, Polygon]:
    """District polygons keyed by slug id."""
    fc = json.loads((raw_dir / "geo" / "smolensk_districts.geojson").read_text(encoding="utf-8"))
    return {geo_id(f["properties"]["name_en"]): shape(f["geometry"]) for f in fc["features"]}


def load_border_line(raw_dir: Path) -> LineString:
    """The Russia-Belarus border line along the oblast."""
    path = raw_dir / "geo" / "smolensk_belarus_border.geojson"
    fc = json.loads(path.read_text(encoding="utf-8"))
    return shape(fc["features"][0]["geometry"])


def _truthy(value: object) -> bool:
    """Parse the source's true/false cells."""
    return str(value).strip().lower() == "true"


def _check_route_codes(src: pd.DataFrame) -> None:
    """Fail if a transcribed route code is absent from the text it was transcribed from."""
    for table, column in (
        (FEDERAL_ROUTES_SOURCED, "highways"),
        (FEDERAL_ROUTES_UNSOURCED, "highways_unsourced"),
    ):
        for unit, codes in table.items():
            text = str(src.loc[unit, column])
            for code in codes:
                if not re.search(rf"(?<!ex-){code}\b", text):
                    raise ValueError(f"districts.csv {unit}.{column}: route {code} not found")


def border_flags(raw_dir: Path) -> pd.DataFrame:
    """Per unit: sourced Belarus-border flag, polygon-derived flag, distance to the line (deg)."""
    polys, line = load_polygons(raw_dir), load_border_line(raw_dir)
    src = pd.read_csv(raw_dir / "districts.csv").set_index("id")
    rows = []
    for unit in src.index:
        dist = polys[unit].distance(line)
        rows.append(
            {
                "id": unit,
                "sourced": _truthy(src.loc[unit, "borders_belarus"]),
                "geometric": dist <= BORDER_TOLERANCE_DEG,
                "distance_deg": dist,
            }
        )
    return pd.DataFrame(rows).set_index("id")


def corrected_points(raw_dir: Path) -> dict[str, tuple[float, float]]:
    """Admin-centre points from raw/corrections.csv (sourced; they replace unsourced points)."""
    corr = pd.read_csv(raw_dir / "corrections.csv", dtype=str)
    coords = corr[corr.kind == "coordinate"]
    points: dict[str, tuple[float, float]] = {}
    for unit, g in coords.groupby("district"):
        values = dict(zip(g["item"], g["value"].astype(float), strict=True))
        points[str(unit)] = (values["lat"], values["lon"])
    return points


def build_districts(raw_dir: Path) -> pd.DataFrame:
    """districts.csv: names, admin-centre point, population, area and polygon border flag."""
    src = pd.read_csv(raw_dir / "districts.csv")
    polys = load_polygons(raw_dir)
    flags = border_flags(raw_dir)
    fixed = corrected_points(raw_dir)
    rows = []
    for r in src.itertuples(index=False):
        if r.id in POLYGON_CENTROID_UNITS:
            c = polys[r.id].centroid
            lat, lon = round(c.y, COORD_DECIMALS), round(c.x, COORD_DECIMALS)
        elif pd.notna(r.lat):
            lat, lon = float(r.lat), float(r.lon)
        else:
            lat, lon = float(r.lat_unsourced), float(r.lon_unsourced)
        if r.id in fixed:
            lat, lon = fixed[r.id]
        if not polys[r.id].contains(Point(lon, lat)):
            raise ValueError(f"districts.csv {r.id}: point ({lat}, {lon}) outside its polygon")
        rows.append(
            {
                "id": r.id,
                "name": r.name_en,
                "name_local": r.name_ru,
                "lat": lat,
                "lon": lon,
                "population": int(r.population),
                "population_year": int(r.population_year),
                "area_km2": float(r.area_km2),
                "border": bool(flags.loc[r.id, "geometric"]),
            }
        )
    return pd.DataFrame(rows)


def adjacency_pairs(raw_dir: Path) -> list[tuple[str, str]]:
    """The sourced neighbour pairs, checked to equal the pairs computed from the polygons."""
    src = pd.read_csv(raw_dir / "adjacency.csv")
    sourced = {tuple(sorted((a, b))) for a, b in zip(src.id_a, src.id_b, strict=True)}
    geo = pd.read_csv(raw_dir / "geo" / "adjacency.csv")
    computed = {
        tuple(sorted((geo_id(a), geo_id(b))))
        for a, b in zip(geo.name_en_a, geo.name_en_b, strict=True)
    }
    if sourced != computed:
        raise ValueError(f"adjacency.csv differs from geo/adjacency.csv: {sourced ^ computed}")
    return sorted(sourced)


def road_kind(a: str, b: str) -> str:
    """federal if both units lie on one federal route, regional if a named regional road joins
    them, local otherwise."""
    routes = {**FEDERAL_ROUTES_SOURCED}
    for unit, codes in FEDERAL_ROUTES_UNSOURCED.items():
        routes[unit] = routes.get(unit, ()) + codes
    if set(routes.get(a, ())) & set(routes.get(b, ())):
        return "federal"
    if tuple(sorted((a, b))) in REGIONAL_LINKS:
        return "regional"
    other = b if a == CITY else a if b == CITY else None
    if other in CITY_REGIONAL:
        return "regional"
    return "local"


def build_roads(raw_dir: Path, districts: pd.DataFrame) -> pd.DataFrame:
    """roads.csv: one link per neighbour pair plus the city's radial links, between the
    admin-centre points."""
    _check_route_codes(pd.read_csv(raw_dir / "districts.csv").set_index("id"))
    pts = districts.set_index("id")[["lat", "lon"]]
    pairs = adjacency_pairs(raw_dir)
    unknown = set(REGIONAL_LINKS) - set(pairs)
    if unknown:
        raise ValueError(f"REGIONAL_LINKS names non-neighbours: {sorted(unknown)}")
    city_pairs = [tuple(sorted((CITY, unit))) for unit in CITY_LINKS]
    if set(city_pairs) & set(pairs):
        raise ValueError("CITY_LINKS repeats a neighbour pair")
    rows = []
    for a, b in sorted(pairs + city_pairs):
        (lat_a, lon_a), (lat_b, lon_b) = pts.loc[a], pts.loc[b]
        km = haversine_km(lat_a, lon_a, lat_b, lon_b)
        kind = road_kind(a, b)
        rows.append({"a": a, "b": b, "minutes": round(road_minutes(km, kind), 1), "kind": kind})
    roads = pd.DataFrame(rows)
    graph = nx.Graph(list(zip(roads.a, roads.b, strict=True)))
    if set(graph.nodes) != set(districts.id) or not nx.is_connected(graph):
        raise ValueError("roads.csv: the road graph is not connected over all districts")
    return roads


def build_crossings(raw_dir: Path, districts: pd.DataFrame) -> pd.DataFrame:
    """crossings.csv: source crossings with a slug id and a district (decided where missing)."""
    src = pd.read_csv(raw_dir / "border_crossings.csv")
    border_units = set(districts.loc[districts.border, "id"])
    rows = []
    for r in src.itertuples(index=False):
        key = _ascii(r.name)
        district = CROSSING_DISTRICT_DECISIONS.get(key, r.district_id)
        if district not in border_units:
            raise ValueError(f"border_crossings.csv {r.name}: {district!r} is not a border unit")
        rows.append({"id": CROSSING_IDS[key], "name": r.name, "district": district, "mode": r.mode})
    return pd.DataFrame(rows).sort_values("id").reset_index(drop=True)


def build_boundaries(raw_dir: Path, districts: pd.DataFrame) -> str:
    """boundaries.geojson text: the source polygons with an ``id`` property, districts order."""
    path = raw_dir / "geo" / "smolensk_districts.geojson"
    fc = json.loads(path.read_text(encoding="utf-8"))
    by_id = {geo_id(f["properties"]["name_en"]): f for f in fc["features"]}
    features = []
    for unit in districts.id:
        f = by_id[unit]
        props = {
            "id": unit,
            "name": f["properties"]["name"],
            "name_en": f["properties"]["name_en"],
            "kind": f["properties"]["kind"],
        }
        features.append({"type": "Feature", "properties": props, "geometry": f["geometry"]})
    out = {
        "type": "FeatureCollection",
        "name": "smolensk_districts",
        "attribution": ODBL_ATTRIBUTION,
        "features": features,
    }
    return json.dumps(out, ensure_ascii=False, separators=(",", ":")) + "\n"


def render_csv(df: pd.DataFrame) -> str:
    """CSV text with lower-case booleans, ``\\n`` line ends and no index."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == bool:
            out[col] = out[col].map({True: "true", False: "false"})
    return out.to_csv(index=False, lineterminator="\n")


def build(raw_dir: Path = RAW_DIR) -> dict[str, str]:
    """All built files as {file name: text}."""
    districts = build_districts(raw_dir)
    dfmt = districts.copy()
    dfmt["lat"] = dfmt["lat"].map(lambda v: f"{v:.{COORD_DECIMALS}f}")
    dfmt["lon"] = dfmt["lon"].map(lambda v: f"{v:.{COORD_DECIMALS}f}")
    dfmt["area_km2"] = dfmt["area_km2"].map(lambda v: f"{v:.2f}")
    roads = build_roads(raw_dir, districts)
    roads["minutes"] = roads["minutes"].map(lambda v: f"{v:.1f}")
    line = (raw_dir / "geo" / "smolensk_belarus_border.geojson").read_text(encoding="utf-8")
    return {
        "districts.csv": render_csv(dfmt),
        "roads.csv": render_csv(roads),
        "crossings.csv": render_csv(build_crossings(raw_dir, districts)),
        "boundaries.geojson": build_boundaries(raw_dir, districts),
        "border_line.geojson": line,
    }


def main() -> None:
    """Write the built files next to this script and report border-flag disagreements."""
    for name, text in build(RAW_DIR).items():
        (HERE / name).write_text(text, encoding="utf-8")
    flags = border_flags(RAW_DIR)
    diff = flags[flags.sourced != flags.geometric]
    print("border flag disagreements (sourced vs polygons):", list(diff.index) or "none")


if __name__ == "__main__":
    main()
