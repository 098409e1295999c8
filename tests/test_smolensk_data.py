"""Tests for the embedded Smolensk region data (data/smolensk/).

(a) the committed estimates equal a fresh run of derive_estimates.derive(raw/);
(b) the committed built files equal a fresh run of build_region.build(raw/);
(c) hand-checkable invariants, including travel times recomputed by hand, the provenance
    (basis, year, note) of every activity and export row, and the sourced corrections.
No network; the scripts are loaded by path because data/ is not a package.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import math
from pathlib import Path
from types import ModuleType

import networkx as nx
import pandas as pd
import pytest
import yaml

DATA = Path(__file__).resolve().parents[1] / "data" / "smolensk"
RAW = DATA / "raw"


def _load(name: str) -> ModuleType:
    """Import data/smolensk/<name>.py by file path."""
    spec = importlib.util.spec_from_file_location(f"smolensk_{name}", DATA / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_region = _load("build_region")
derive_estimates = _load("derive_estimates")

# SHA-256 of the source files as copied from the research material (see SOURCES.md), plus the
# project's own sourced corrections file (raw/corrections.csv), which is added, never edited in
# place without updating this hash.
RAW_SHA256 = {
    "corrections.csv": "fac86b7edc6bcc41edb0ebc724fc1f68157887d6f590c87e25ab140f64e2d105",
    "RESEARCH.md": "abd131263377876bae13f74876c12d8561610b833831a00647a3fd6ef52198d0",
    "SOURCE_README.md": "233a81fa855483867c787020e86d784493f9d7bd7f083e3dc0d8af2d9f824a07",
    "STATISTICS_SEARCH.md": "e05a9b55084387d7ecc8a8495f1efb5acb7c72f4e82b1f01a3108a4cb26cfc90",
    "adjacency.csv": "c82dcd993123056e9893bf8c6ac8d8749df8bf671038a1265fc7f5a5ca147a3e",
    "border_crossings.csv": "afca07c8a60d368e5602e961049730e002912d9b0f439068b124d697ef7fd60f",
    "districts.csv": "363439c492ed5ec7b16234050fdc23fd8a743a8bcb2e0a77fc5710ba5d5411bb",
    "enterprise_figures.csv": "265712d54f781fbcf64be0b25894861a0ccf6de64e147b1d79b78b5519fd31cb",
    "enterprises.csv": "38b8a7a12dcadee32c25fb32631e9a6f344d01fc79f8f62b242cab9923cc9ab7",
    "external_borders.csv": "4b76b7cf6fc31dec9a3d12d9041ff85b2c817e663294a87fa950f3dad5d75e4a",
    "region_stats.md": "087cfba680e2eeb850da6a19cd638a4241fa407e303b6aa0339a6c7870e908f3",
    "geo/PROVENANCE.md": "3d969de61ca372f5cbd3d16d7dc8683529c86cc51d400a9e4da6f5e21a66a65a",
    "geo/adjacency.csv": "21079b90d14ae26a15262193987ec9cba470550a87824b0153bac68f1dc74041",
    "geo/smolensk_belarus_border.geojson": (
        "197fd7917fcb428b314ed9094320f2c2e142552dd9106fda0eccbe1bf6bd5617"
    ),
    "geo/smolensk_districts.geojson": (
        "bdb1d4595058ec6e6f6d3a0235571259d028233a70539b9bfcb60ca3346e6e79"
    ),
}


@pytest.fixture(scope="module")
def districts() -> pd.DataFrame:
    """The committed districts.csv."""
    return pd.read_csv(DATA / "districts.csv")


@pytest.fixture(scope="module")
def roads() -> pd.DataFrame:
    """The committed roads.csv."""
    return pd.read_csv(DATA / "roads.csv")


@pytest.fixture(scope="module")
def activity() -> pd.DataFrame:
    """The committed activity.csv."""
    return pd.read_csv(DATA / "activity.csv")


@pytest.fixture(scope="module")
def clusters() -> dict:
    """The committed clusters.yaml."""
    return yaml.safe_load((DATA / "clusters.yaml").read_text(encoding="utf-8"))


# --- (a) and (b): reproducibility ---------------------------------------------------------


def test_raw_sources_unmodified() -> None:
    """The copied sources are byte-identical to the research material."""
    for rel, digest in RAW_SHA256.items():
        assert hashlib.sha256((RAW / rel).read_bytes()).hexdigest() == digest, rel


def test_derive_reproduces_committed_estimates() -> None:
    """activity.csv and exports.csv are exactly what derive(raw/) produces."""
    activity, exports = derive_estimates.derive(RAW)
    committed_activity = (DATA / "activity.csv").read_text(encoding="utf-8")
    committed_exports = (DATA / "exports.csv").read_text(encoding="utf-8")
    assert derive_estimates.render_activity(activity) == committed_activity
    assert derive_estimates.render_exports(exports) == committed_exports


def test_build_reproduces_committed_files() -> None:
    """districts, roads, crossings and the GeoJSON files are what build(raw/) produces."""
    built = build_region.build(RAW)
    for name in (
        "districts.csv",
        "roads.csv",
        "crossings.csv",
        "boundaries.geojson",
        "border_line.geojson",
    ):
        assert built[name] == (DATA / name).read_text(encoding="utf-8"), name


# --- (c) invariants ----------------------------------------------------------------------


def test_districts(districts: pd.DataFrame) -> None:
    """27 unique ids with the documented columns; seven border units, as the source lists."""
    assert list(districts.columns) == [
        "id",
        "name",
        "name_local",
        "lat",
        "lon",
        "population",
        "population_year",
        "area_km2",
        "border",
    ]
    assert len(districts) == 27 and districts.id.is_unique
    assert (districts.population > 0).all() and (districts.area_km2 > 0).all()
    assert not districts.duplicated(["lat", "lon"]).any()
    assert set(districts.loc[districts.border, "id"]) == {
        "velizhsky",
        "rudnyansky",
        "krasninsky",
        "monastyrshchinsky",
        "khislavichsky",
        "shumyachsky",
        "yershichsky",
    }


def test_roads(districts: pd.DataFrame, roads: pd.DataFrame) -> None:
    """57 neighbour pairs plus 8 city radial links, known ends, valid kinds, finite positive
    minutes, connected graph."""
    ids = set(districts.id)
    assert list(roads.columns) == ["a", "b", "minutes", "kind"]
    pairs = {frozenset(p) for p in zip(roads.a, roads.b, strict=True)}
    assert len(roads) == 65 and len(pairs) == 65
    assert set(roads.a) | set(roads.b) <= ids
    assert (roads.a != roads.b).all()
    assert roads.minutes.map(math.isfinite).all() and (roads.minutes > 0).all()
    assert set(roads.kind) <= {"federal", "regional", "local"}
    graph = nx.Graph(list(zip(roads.a, roads.b, strict=True)))
    assert set(graph.nodes) == ids and nx.is_connected(graph)
    sourced = pd.read_csv(RAW / "adjacency.csv")
    neighbours = {frozenset(p) for p in zip(sourced.id_a, sourced.id_b, strict=True)}
    city = {
        frozenset(("smolensk", unit))
        for unit in (
            "yartsevsky",
            "kardymovsky",
            "krasninsky",
            "rudnyansky",
            "pochinkovsky",
            "monastyrshchinsky",
            "demidovsky",
            "dukhovshchinsky",
        )
    }
    assert pairs == neighbours | city and not neighbours & city
    kinds = roads.kind.value_counts().to_dict()
    assert kinds == {"federal": 17, "regional": 13, "local": 35}


def test_federal_regional_and_local_minutes_by_hand(roads: pd.DataFrame) -> None:
    """Recompute three links from their coordinates: haversine x 1.3 / speed x 60."""

    def haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
        r = 6371.0
        p1, p2 = math.radians(lat1), math.radians(lat2)
        dp, dl = math.radians(lat2 - lat1), math.radians(lon2 - lon1)
        a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
        return 2 * r * math.asin(math.sqrt(a))

    minutes = {
        frozenset((a, b)): m for a, b, m in zip(roads.a, roads.b, roads.minutes, strict=True)
    }
    # Safonovo (55.1000, 33.2500) - Yartsevo (55.0667, 32.6833), both on M1: federal, 85 km/h.
    # 0.5667 deg of longitude at ~55.08 N is ~36.06 km, 0.0333 deg of latitude ~3.70 km,
    # so ~36.25 km; x 1.3 = ~47.1 km; / 85 km/h x 60 = ~33.3 min.
    km = haversine(55.1000, 33.2500, 55.0667, 32.6833)
    assert km == pytest.approx(36.25, abs=0.05)
    expected = km * 1.3 / 85.0 * 60.0
    assert minutes[frozenset(("safonovsky", "yartsevsky"))] == round(expected, 1) == 33.3
    # Demidov (55.2700, 31.5200) - Velizh (55.6000, 31.2000): regional road R133
    # Olsha-Velizh-Usvyaty-Nevel, 55 km/h. 0.33 deg of latitude ~36.7 km, 0.32 deg of
    # longitude at ~55.4 N ~20.2 km: ~41.9 km; x 1.3 = ~54.5 km; / 55 km/h x 60 = ~59.4 min
    # (81.7 min before, when the link was timed as local at 40 km/h).
    km = haversine(55.2700, 31.5200, 55.6000, 31.2000)
    expected = km * 1.3 / 55.0 * 60.0
    assert minutes[frozenset(("demidovsky", "velizhsky"))] == round(expected, 1) == 59.4
    # Glinka (54.6419, 32.8742) - Yelnya (54.5667, 33.1667): no sourced road, local, 40 km/h.
    # 0.0752 deg of latitude ~8.36 km, 0.2925 deg of longitude at ~54.6 N ~18.85 km: ~20.6 km;
    # x 1.3 = ~26.8 km; / 40 km/h x 60 = ~40.2 min.
    km = haversine(54.6419, 32.8742, 54.5667, 33.1667)
    assert km == pytest.approx(20.6, abs=0.1)
    expected = km * 1.3 / 40.0 * 60.0
    assert minutes[frozenset(("glinkovsky", "yelninsky"))] == round(expected, 1) == 40.2


PROVENANCE_COLUMNS = ["basis", "year", "note"]


def test_activity_and_exports(districts: pd.DataFrame, activity: pd.DataFrame) -> None:
    """Long format over known ids, one row per (district, sector, basis); positive finite
    values; shares in 0..1 and adding up to at most 1 per pair."""
    ids = set(districts.id)
    assert list(activity.columns) == ["district", "sector", "value", *PROVENANCE_COLUMNS]
    assert set(activity.district) == ids
    assert set(activity.sector) <= set(derive_estimates.SECTORS)
    assert activity.value.map(math.isfinite).all() and (activity.value > 0).all()
    assert not activity.duplicated(["district", "sector", "basis"]).any()
    exports = pd.read_csv(DATA / "exports.csv")
    assert list(exports.columns) == ["district", "sector", "share", *PROVENANCE_COLUMNS]
    assert set(exports.district) <= ids and set(exports.sector) <= set(derive_estimates.SECTORS)
    assert exports.share.between(0, 1).all()
    assert not exports.duplicated(["district", "sector", "basis"]).any()
    assert (exports.groupby(["district", "sector"]).share.sum() <= 1).all()


@pytest.mark.parametrize("name", ["activity.csv", "exports.csv"])
def test_every_row_has_a_known_basis_a_year_and_a_note(name: str) -> None:
    """Every row names one of the model's bases (never `unstated`), a plausible year and a
    note; the loader accepts the file with these columns."""
    from model.basis import BASES, UNSTATED

    frame = pd.read_csv(DATA / name, dtype={"year": "Int64"})
    assert len(frame) > 0
    assert set(frame.basis) <= set(BASES) - {UNSTATED}
    # a year on every row, except the few undated sources, which say so in their note
    undated = frame.year.isna()
    assert frame.note[undated].str.contains("undated source").all()
    assert undated.sum() <= 10, "undated rows: find their sources' dates"
    assert frame.year[~undated].between(2000, 2026).all()
    assert frame.note.notna().all() and (frame.note.str.len().between(1, 500)).all()


def test_loader_reads_the_region() -> None:
    """model.region.load_region accepts the committed files; the basis column is kept."""
    from model.region import load_region

    region = load_region(DATA)
    assert len(region.districts) == 27
    assert (region.activity.basis != "unstated").all()
    assert (region.exports.basis != "unstated").all()
    # The loader's per-pair totals equal the file's rows added up.
    raw = pd.read_csv(DATA / "activity.csv")
    assert region.activity.value.sum() == pytest.approx(raw.value.sum())


def test_components_by_hand(activity: pd.DataFrame) -> None:
    """A few rows recomputed by hand from the sources."""

    def row(district: str, sector: str, basis: str) -> pd.Series:
        hit = activity[
            (activity.district == district)
            & (activity.sector == sector)
            & (activity.basis == basis)
        ]
        assert len(hit) == 1, (district, sector, basis)
        return hit.iloc[0]

    # Pochinok sewing factory (Technoavia): about 600 staff in June 2021 (raw/corrections.csv),
    # replacing the 50-person light half of the unnamed textile-and-food group.
    light = row("pochinkovsky", "light", "stated")
    assert light.value == 600.0 and light.year == 2021 and "sewing" in light.note
    assert not (
        (activity.district == "pochinkovsky")
        & (activity.sector == "light")
        & (activity.basis == "group_default")
    ).any()
    assert row("pochinkovsky", "food", "group_default").value == 50.0
    # Figures from 2007-08 carry their year: Kristall 3,000 (2007), LPZ default (2008).
    kristall = row("smolensk", "other", "stated")
    assert kristall.value == 3000.0 and kristall.year == 2007
    assert row("yartsevsky", "metallurgy", "size_class_default").year == 2008
    # Igorevsky DOK: 200 is the planned hiring at the 2021 restart, a proxy; Polimer's 310 are
    # new jobs (2024), a proxy too, not a stated total.
    dok = row("kholm_zhirkovsky", "wood", "proxy")
    assert dok.value == 200.0 and dok.year == 2021
    polimer = row("desnogorsk", "plastics", "proxy")
    assert polimer.value == 310.0 and polimer.year == 2024 and "new jobs" in polimer.note
    # Rural baseline: 1% (food) and 0.5% (wood) of the population, year of the population.
    kholm = row("kholm_zhirkovsky", "food", "population_baseline")
    assert kholm.value == 96.4 and kholm.year == 2016
    assert row("kholm_zhirkovsky", "wood", "population_baseline").value == 48.2
    # The urban okrugs have no population baseline (SOURCES.md says why).
    urban = activity[activity.district.isin(["smolensk", "desnogorsk"])]
    assert "population_baseline" not in set(urban.basis)
    # Peat (Shumyachi) is `other`, not building materials: one third of the group each.
    assert row("shumyachsky", "other", "group_default").value == 33.3
    assert row("shumyachsky", "building_materials", "group_default").value == 33.3
    # The Rudnya milk-canning plant stays excluded (status not established; SOURCES.md).
    rudnya = activity[activity.district == "rudnyansky"]
    assert set(rudnya.basis) == {"population_baseline"}


def test_population_sum_in_sources_md(districts: pd.DataFrame) -> None:
    """The population sum and the year mix stated in SOURCES.md match districts.csv."""
    text = (DATA / "SOURCES.md").read_text(encoding="utf-8")
    total = int(districts.population.sum())
    assert total == 918_610
    assert f"sum to {total:,}" in text
    years = districts.population_year.value_counts().to_dict()
    assert years == {2021: 25, 2018: 1, 2016: 1}
    for forbidden in ("DESIGN.md", "../shared"):
        assert forbidden not in text
        for script in ("build_region.py", "derive_estimates.py", "clusters.yaml"):
            assert forbidden not in (DATA / script).read_text(encoding="utf-8"), script


def test_corrected_coordinates(districts: pd.DataFrame) -> None:
    """Tyomkino 55°04'39"N 35°00'43"E and Novodugino 55°37'45"N 34°17'45"E, in decimal."""
    pts = districts.set_index("id")
    assert (pts.loc["tyomkinsky", "lat"], pts.loc["tyomkinsky", "lon"]) == (55.0775, 35.0119)
    assert pts.loc["tyomkinsky", "lat"] == round(55 + 4 / 60 + 39 / 3600, 4)
    assert pts.loc["tyomkinsky", "lon"] == round(35 + 0 / 60 + 43 / 3600, 4)
    assert pts.loc["novoduginsky", "lat"] == round(55 + 37 / 60 + 45 / 3600, 4) == 55.6292
    assert pts.loc["novoduginsky", "lon"] == round(34 + 17 / 60 + 45 / 3600, 4) == 34.2958


def test_clusters(clusters: dict, activity: pd.DataFrame) -> None:
    """Weights sum to 1, every sector has activity, flags are booleans, cooperation is valid."""
    present = set(activity.loc[activity.value > 0, "sector"])
    assert set(clusters) == {
        "plastics",
        "metallurgy",
        "machinery",
        "building_materials",
        "wood",
        "food",
        "chemicals",
        "light_industry",
    }
    for key, spec in clusters.items():
        assert set(spec) == {"name", "sectors", "cross_border", "needs_corridor", "cooperation"}
        assert sum(spec["sectors"].values()) == 1.0, key
        assert all(w > 0 for w in spec["sectors"].values()), key
        assert set(spec["sectors"]) <= present, key
        assert isinstance(spec["cross_border"], bool) and isinstance(spec["needs_corridor"], bool)
        for other, intensity in spec["cooperation"].items():
            assert other in clusters and other != key, (key, other)
            # The file's own three-level scale (0.8 chain / 0.5 main link / 0.3 secondary).
            assert intensity in (0.3, 0.5, 0.8), (key, other, intensity)
            assert clusters[other]["cooperation"].get(key) == intensity, (key, other)


def test_crossings_and_boundaries(districts: pd.DataFrame) -> None:
    """Crossings sit in border districts; every boundary feature id is a district."""
    crossings = pd.read_csv(DATA / "crossings.csv")
    assert list(crossings.columns) == ["id", "name", "district", "mode"]
    assert crossings.id.is_unique and set(crossings["mode"]) <= {"road", "rail"}
    assert set(crossings.district) <= set(districts.loc[districts.border, "id"])
    fc = json.loads((DATA / "boundaries.geojson").read_text(encoding="utf-8"))
    feature_ids = [f["properties"]["id"] for f in fc["features"]]
    assert len(feature_ids) == 27 and set(feature_ids) == set(districts.id)
