"""Region loader (model/region.py): every bad-data case of docs/model.md §3, and what it accepts.

Each error test corrupts one file of a small valid region and checks that the InputError names
the file, the line (CSV) or key (YAML), and the field that is wrong.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from model.errors import InputError
from model.region import DATA_DIR, Region, load_region

# A valid region of three districts: alpha (border, with a crossing), beta, gamma.
# Line numbers used below count the header as line 1.
VALID_FILES: dict[str, str] = {
    "districts.csv": (
        "id,name,name_local,lat,lon,population,area_km2,border\n"
        "alpha,Alpha,Альфа,54.8,32.0,1000,100.5,true\n"  # line 2
        "beta,Beta,Бета,55.0,33.0,2000,200,false\n"  # line 3
        "gamma,Gamma,Гамма,55.2,34.0,3000,300,false\n"  # line 4
    ),
    "activity.csv": (
        "district,sector,value\n"
        "alpha,wood,10\n"  # line 2
        "alpha,food,5\n"  # line 3
        "beta,food,20\n"  # line 4
        "gamma,metal,7\n"  # line 5
    ),
    "exports.csv": (
        "district,sector,share\n"
        "alpha,wood,0.5\n"  # line 2
        "beta,food,0.25\n"  # line 3
    ),
    "roads.csv": (
        "a,b,minutes,kind\n"
        "alpha,beta,30,regional\n"  # line 2
        "beta,gamma,45,federal\n"  # line 3
    ),
    "crossings.csv": (
        "id,name,district,mode\nalpha_road,Alpha road,alpha,road\n"  # line 2
    ),
    "clusters.yaml": (
        "wood:\n"  # line 1
        "  name: Wood\n"  # line 2
        "  sectors: {wood: 0.75, food: 0.25}\n"  # line 3
        "  cross_border: true\n"  # line 4
        "  needs_corridor: false\n"  # line 5
        "  cooperation: {food: 0.5}\n"  # line 6
        "food:\n"  # line 7
        "  name: Food\n"  # line 8
        "  sectors: {food: 1.0}\n"  # line 9
        "  cross_border: false\n"  # line 10
        "  needs_corridor: true\n"  # line 11
        "  cooperation: {wood: 0.5}\n"  # line 12
    ),
}

REQUIRED = ["districts.csv", "activity.csv", "roads.csv", "clusters.yaml"]
CSV_FILES = ["districts.csv", "activity.csv", "exports.csv", "roads.csv", "crossings.csv"]


# ---------------------------------------------------------------------------------------------
# helpers


@pytest.fixture
def region(tmp_path: Path) -> Path:
    """A small valid region folder (3 districts, 2 cluster types) in tmp_path."""
    folder = tmp_path / "tiny"
    folder.mkdir()
    for name, text in VALID_FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def write(folder: Path, name: str, text: str) -> None:
    """Replace one file of the region with the given text (UTF-8)."""
    (folder / name).write_text(text, encoding="utf-8")


def corrupt(folder: Path, name: str, old: str, new: str) -> None:
    """Replace the one occurrence of ``old`` in a region file by ``new``."""
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur exactly once in {name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def load_error(folder: Path) -> str:
    """Load the region, expecting an InputError; return its one-line message."""
    with pytest.raises(InputError) as info:
        load_region(folder)
    assert info.value.exit_code == 2
    return str(info.value)


def assert_names(message: str, *fragments: str) -> None:
    """Every fragment (file, line or key, field, value) occurs in the message."""
    missing = [f for f in fragments if f not in message]
    assert not missing, f"{missing} not in {message!r}"


# ---------------------------------------------------------------------------------------------
# the fixture itself is valid


def test_valid_fixture_loads_with_its_values(region: Path) -> None:
    """The unmodified fixture loads: 3 districts, 4 activity rows, 2 roads, 2 types."""
    loaded = load_region(region)
    assert isinstance(loaded, Region)
    assert loaded.district_ids == ["alpha", "beta", "gamma"]
    assert loaded.districts.loc["alpha", "border"]
    assert not loaded.districts.loc["beta", "border"]
    assert loaded.districts.loc["alpha", "name_local"] == "Альфа"
    assert len(loaded.activity) == 4
    assert loaded.activity["value"].sum() == 10 + 5 + 20 + 7
    assert len(loaded.exports) == 2
    assert sorted(loaded.roads["kind"]) == ["federal", "regional"]
    assert loaded.crossings["district"].tolist() == ["alpha"]
    assert set(loaded.clusters) == {"wood", "food"}
    wood = loaded.clusters["wood"]
    assert wood.sectors == {"wood": 0.75, "food": 0.25}
    assert wood.cross_border is True
    assert wood.needs_corridor is False
    assert wood.cooperation == {"food": 0.5}
    assert loaded.clusters["food"].needs_corridor is True


# ---------------------------------------------------------------------------------------------
# unknown district ids


@pytest.mark.parametrize(
    ("name", "old", "new", "where", "column"),
    [
        ("activity.csv", "gamma,metal,7", "omega,metal,7", "line 5", "column district"),
        ("exports.csv", "beta,food,0.25", "omega,food,0.25", "line 3", "column district"),
        ("roads.csv", "alpha,beta,30", "omega,beta,30", "line 2", "column a"),
        ("roads.csv", "beta,gamma,45", "beta,omega,45", "line 3", "column b"),
        ("crossings.csv", "Alpha road,alpha,", "Alpha road,omega,", "line 2", "column district"),
    ],
)
def test_unknown_district_id_names_file_line_and_column(
    region: Path, name: str, old: str, new: str, where: str, column: str
) -> None:
    """A reference to a district not in districts.csv is refused."""
    corrupt(region, name, old, new)
    assert_names(load_error(region), name, where, column, "unknown district", "'omega'")


# ---------------------------------------------------------------------------------------------
# bad numbers


def test_negative_activity_value_names_file_line_and_column(region: Path) -> None:
    """value must be ≥ 0."""
    corrupt(region, "activity.csv", "alpha,food,5", "alpha,food,-5")
    assert_names(load_error(region), "activity.csv", "line 3", "column value", "-5")


@pytest.mark.parametrize("bad", ["nan", "NaN", "inf", "-inf", "Infinity", "five", "1.2.3", ""])
def test_non_finite_or_non_numeric_activity_value_is_refused(region: Path, bad: str) -> None:
    """NaN, ±inf, text and an empty cell are not numbers."""
    corrupt(region, "activity.csv", "alpha,food,5", f"alpha,food,{bad}")
    message = load_error(region)
    assert_names(message, "activity.csv", "line 3", "column value", "number")
    assert repr(bad) in message


@pytest.mark.parametrize(
    ("name", "old", "new", "where", "column"),
    [
        ("exports.csv", "beta,food,0.25", "beta,food,nan", "line 3", "column share"),
        ("roads.csv", "beta,gamma,45", "beta,gamma,inf", "line 3", "column minutes"),
        ("districts.csv", "55.0,33.0,2000", "55.0,east,2000", "line 3", "column lon"),
        ("districts.csv", "55.2,34.0,3000", "55.2,34.0,many", "line 4", "column population"),
    ],
)
def test_bad_number_in_other_files_names_file_line_and_column(
    region: Path, name: str, old: str, new: str, where: str, column: str
) -> None:
    """The finite-number check applies to every numeric column."""
    corrupt(region, name, old, new)
    assert_names(load_error(region), name, where, column)


def test_negative_population_is_refused(region: Path) -> None:
    """population is a count, so ≥ 0."""
    corrupt(region, "districts.csv", "55.0,33.0,2000", "55.0,33.0,-2000")
    assert_names(load_error(region), "districts.csv", "line 3", "column population")


def test_export_share_above_one_names_file_line_and_column(region: Path) -> None:
    """A share is a fraction of output: at most 1."""
    corrupt(region, "exports.csv", "beta,food,0.25", "beta,food,1.25")
    assert_names(load_error(region), "exports.csv", "line 3", "column share", "1.25")


def test_negative_export_share_is_refused(region: Path) -> None:
    """A share is at least 0."""
    corrupt(region, "exports.csv", "alpha,wood,0.5", "alpha,wood,-0.5")
    assert_names(load_error(region), "exports.csv", "line 2", "column share")


@pytest.mark.parametrize(
    ("column", "old", "new"),
    [
        ("lat", "54.8,32.0", "94.8,32.0"),
        ("lat", "54.8,32.0", "-90.5,32.0"),
        ("lon", "54.8,32.0", "54.8,181"),
    ],
)
def test_coordinate_out_of_range_names_file_line_and_column(
    region: Path, column: str, old: str, new: str
) -> None:
    """lat in [-90, 90], lon in [-180, 180]."""
    corrupt(region, "districts.csv", old, new)
    assert_names(load_error(region), "districts.csv", "line 2", f"column {column}")


def test_all_zero_activity_is_refused_naming_the_value_column(region: Path) -> None:
    """At least one activity value must be positive."""
    write(
        region,
        "activity.csv",
        "district,sector,value\nalpha,wood,0\nbeta,food,0.0\ngamma,metal,0\n",
    )
    assert_names(load_error(region), "activity.csv", "column value", "positive")


def test_activity_with_only_a_header_is_refused(region: Path) -> None:
    """No rows means no positive value."""
    write(region, "activity.csv", "district,sector,value\n")
    assert_names(load_error(region), "activity.csv", "value", "positive")


# ---------------------------------------------------------------------------------------------
# roads


def test_road_minutes_zero_names_file_line_and_column(region: Path) -> None:
    """minutes must be > 0."""
    corrupt(region, "roads.csv", "alpha,beta,30,", "alpha,beta,0,")
    assert_names(load_error(region), "roads.csv", "line 2", "column minutes", "> 0")


def test_negative_road_minutes_is_refused(region: Path) -> None:
    """Negative minutes are refused like 0."""
    corrupt(region, "roads.csv", "beta,gamma,45,", "beta,gamma,-45,")
    assert_names(load_error(region), "roads.csv", "line 3", "column minutes")


def test_road_to_itself_names_file_line_and_district(region: Path) -> None:
    """A link from a district to itself is refused."""
    corrupt(region, "roads.csv", "alpha,beta,30", "beta,beta,30")
    assert_names(load_error(region), "roads.csv", "line 2", "'beta'", "itself")


@pytest.mark.parametrize("kind", ["motorway", "Federal", ""])
def test_unknown_road_kind_names_file_line_and_column(region: Path, kind: str) -> None:
    """kind must be federal, regional or local."""
    corrupt(region, "roads.csv", "30,regional", f"30,{kind}")
    assert_names(load_error(region), "roads.csv", "line 2", "column kind")


def test_disconnected_road_graph_names_a_district_of_the_cut_off_part(region: Path) -> None:
    """Without the beta–gamma link, gamma is cut off; the message names it."""
    corrupt(region, "roads.csv", "beta,gamma,45,federal\n", "")
    assert_names(load_error(region), "roads.csv", "not connected", "gamma")


def test_disconnected_road_graph_names_the_smaller_part(region: Path) -> None:
    """alpha–beta and gamma–delta–epsilon: the message names the smaller part (alpha, beta)."""
    districts = VALID_FILES["districts.csv"] + (
        "delta,Delta,,55.3,34.1,10,1,false\nepsilon,Epsilon,,55.4,34.2,10,1,false\n"
    )
    write(region, "districts.csv", districts)
    write(
        region,
        "roads.csv",
        "a,b,minutes,kind\nalpha,beta,30,local\ngamma,delta,20,local\ndelta,epsilon,20,local\n",
    )
    message = load_error(region)
    assert_names(message, "roads.csv", "not connected", "alpha", "beta")
    assert "epsilon" not in message


def test_roads_with_only_a_header_are_refused_as_disconnected(region: Path) -> None:
    """Three districts and no road cannot be connected."""
    write(region, "roads.csv", "a,b,minutes,kind\n")
    assert_names(load_error(region), "roads.csv", "not connected")


# ---------------------------------------------------------------------------------------------
# duplicates


def test_duplicate_district_id_names_file_line_column_and_first_line(region: Path) -> None:
    """A second beta on line 5 is refused, pointing back at line 3."""
    write(
        region,
        "districts.csv",
        VALID_FILES["districts.csv"] + "beta,Beta again,,55.0,33.0,1,1,false\n",
    )
    assert_names(
        load_error(region), "districts.csv", "line 5", "column id", "'beta'", "first on line 3"
    )


def test_duplicate_crossing_id_names_file_line_column_and_first_line(region: Path) -> None:
    """Crossing ids are unique too."""
    write(
        region,
        "crossings.csv",
        VALID_FILES["crossings.csv"] + "alpha_road,Other road,beta,rail\n",
    )
    assert_names(
        load_error(region),
        "crossings.csv",
        "line 3",
        "column id",
        "'alpha_road'",
        "first on line 2",
    )


@pytest.mark.parametrize(
    ("name", "row", "pair"),
    [
        ("activity.csv", "alpha,wood,3\n", "alpha/wood"),
        ("exports.csv", "alpha,wood,0.1\n", "alpha/wood"),
    ],
)
def test_duplicate_district_sector_row_names_file_line_and_columns(
    region: Path, name: str, row: str, pair: str
) -> None:
    """One row per (district, sector): the repeat on the last line is refused."""
    text = VALID_FILES[name] + row
    write(region, name, text)
    last_line = len(text.splitlines())
    assert_names(
        load_error(region), name, f"line {last_line}", "district/sector", pair, "first on line 2"
    )


def test_line_numbers_count_blank_lines(region: Path) -> None:
    """A blank line before the bad row does not shift the reported (physical) line."""
    write(region, "activity.csv", "district,sector,value\nalpha,wood,10\n\nbeta,food,-1\n")
    assert_names(load_error(region), "activity.csv", "line 4", "column value")


# ---------------------------------------------------------------------------------------------
# structure: columns, files, encoding


@pytest.mark.parametrize(
    ("name", "old", "new", "column"),
    [
        ("districts.csv", "id,name,name_local,lat", "id,name,name_local,latitude", "lat"),
        ("districts.csv", "population,area_km2,border", "population,area_km2,frontier", "border"),
        ("activity.csv", "district,sector,value", "district,sector,amount", "value"),
        ("exports.csv", "district,sector,share", "district,branch,share", "sector"),
        ("roads.csv", "a,b,minutes,kind", "a,b,minutes,type", "kind"),
        ("crossings.csv", "id,name,district,mode", "id,name,district,transport", "mode"),
    ],
)
def test_missing_column_names_file_header_and_column(
    region: Path, name: str, old: str, new: str, column: str
) -> None:
    """A required column absent from the header is named."""
    corrupt(region, name, old, new)
    assert_names(load_error(region), name, "header", "missing column", column)


@pytest.mark.parametrize("name", REQUIRED)
def test_missing_required_file_is_named(region: Path, name: str) -> None:
    """Each of the four required files must exist."""
    (region / name).unlink()
    message = load_error(region)
    assert_names(message, str(region), name, "missing")


def test_missing_region_folder_is_refused(tmp_path: Path) -> None:
    """A path that does not exist is named."""
    message = load_error(tmp_path / "nowhere")
    assert_names(message, "nowhere", "not found")


@pytest.mark.parametrize("name", CSV_FILES)
def test_empty_csv_file_names_the_file_and_the_expected_header(region: Path, name: str) -> None:
    """A zero-byte CSV file is refused, naming the columns it should have."""
    write(region, name, "")
    assert_names(load_error(region), name, "empty", "header")


def test_districts_with_only_a_header_are_refused(region: Path) -> None:
    """A region needs at least one district."""
    write(region, "districts.csv", "id,name,name_local,lat,lon,population,area_km2,border\n")
    assert_names(load_error(region), "districts.csv", "no districts")


@pytest.mark.parametrize("text", ["", "\n", "# only a comment\n"])
def test_empty_clusters_yaml_is_refused(region: Path, text: str) -> None:
    """An empty catalogue file is refused, naming the file and its top level."""
    write(region, "clusters.yaml", text)
    assert_names(load_error(region), "clusters.yaml", "top level", "mapping")


def test_clusters_yaml_with_an_empty_mapping_is_refused(region: Path) -> None:
    """`{}` holds no cluster types."""
    write(region, "clusters.yaml", "{}\n")
    assert_names(load_error(region), "clusters.yaml", "no cluster types")


@pytest.mark.parametrize("name", [*CSV_FILES, "clusters.yaml"])
def test_file_that_is_not_utf8_is_refused(region: Path, name: str) -> None:
    """Latin-1 bytes (ö = 0xF6) appended to a file are not UTF-8; the byte offset is named."""
    path = region / name
    good = path.read_bytes()
    path.write_bytes(good + "# Göteborg\n".encode("latin-1"))
    offset = len(good) + len("# G")
    assert_names(load_error(region), name, "UTF-8", f"byte {offset}")


def test_csv_row_with_too_many_fields_names_file_and_line(region: Path) -> None:
    """A row with an extra comma does not line up with the header."""
    corrupt(region, "activity.csv", "alpha,food,5", "alpha,food,5,0")
    assert_names(load_error(region), "activity.csv", "line 3", "4 fields")


@pytest.mark.parametrize("flag", ["maybe", "2", "", "ja"])
def test_bad_border_flag_names_file_line_and_column(region: Path, flag: str) -> None:
    """border must be a boolean word."""
    corrupt(region, "districts.csv", "100.5,true", f"100.5,{flag}")
    assert_names(load_error(region), "districts.csv", "line 2", "column border")


@pytest.mark.parametrize("bad_id", ["al pha", "Альфа", "-alpha"])
def test_district_id_with_bad_characters_is_refused(region: Path, bad_id: str) -> None:
    """District ids are slugs (letters, digits, _ - .)."""
    corrupt(region, "districts.csv", "alpha,Alpha,", f"{bad_id},Alpha,")
    assert_names(load_error(region), "districts.csv", "line 2", "column id")


def test_empty_district_name_is_refused(region: Path) -> None:
    """name is required."""
    corrupt(region, "districts.csv", "beta,Beta,", "beta,,")
    assert_names(load_error(region), "districts.csv", "line 3", "column name", "empty")


# ---------------------------------------------------------------------------------------------
# clusters.yaml


def test_weights_not_summing_to_one_name_file_and_key(region: Path) -> None:
    """food's weights sum to 0.9."""
    corrupt(region, "clusters.yaml", "{food: 1.0}", "{food: 0.9}")
    assert_names(load_error(region), "clusters.yaml", "food.sectors", "sum to 1", "0.9")


def test_weights_summing_above_one_name_file_and_key(region: Path) -> None:
    """wood's weights sum to 0.75 + 0.5 = 1.25."""
    corrupt(region, "clusters.yaml", "food: 0.25}", "food: 0.5}")
    assert_names(load_error(region), "clusters.yaml", "wood.sectors", "1.25")


@pytest.mark.parametrize("weight", ["-0.25", "1.5", "'0.25'", ".nan", "true"])
def test_bad_sector_weight_names_file_and_key(region: Path, weight: str) -> None:
    """A weight is a number in [0, 1]."""
    corrupt(region, "clusters.yaml", "food: 0.25}", f"food: {weight}}}")
    assert_names(load_error(region), "clusters.yaml", "wood.sectors.food", "number")


def test_missing_sectors_names_file_and_key(region: Path) -> None:
    """sectors is required."""
    corrupt(region, "clusters.yaml", "  sectors: {food: 1.0}\n", "")
    assert_names(load_error(region), "clusters.yaml", "food.sectors", "missing")


def test_cooperation_with_an_unknown_type_names_file_and_key(region: Path) -> None:
    """wood cooperates with 'fish', which the catalogue does not hold."""
    corrupt(region, "clusters.yaml", "cooperation: {food: 0.5}", "cooperation: {fish: 0.5}")
    assert_names(
        load_error(region), "clusters.yaml", "wood.cooperation.fish", "unknown cluster type"
    )


def test_cooperation_intensity_above_one_names_file_and_key(region: Path) -> None:
    """Intensity is in 0..1."""
    corrupt(region, "clusters.yaml", "cooperation: {wood: 0.5}", "cooperation: {wood: 2}")
    assert_names(load_error(region), "clusters.yaml", "food.cooperation.wood")


def test_unknown_key_in_a_cluster_names_file_and_key(region: Path) -> None:
    """A misspelt key (colour) is refused rather than ignored."""
    corrupt(region, "clusters.yaml", "  name: Wood\n", "  name: Wood\n  colour: red\n")
    assert_names(load_error(region), "clusters.yaml", "wood.colour", "unknown key")


def test_misspelt_flag_in_a_cluster_is_an_unknown_key(region: Path) -> None:
    """cross_boarder is not cross_border."""
    corrupt(region, "clusters.yaml", "  cross_border: false\n", "  cross_boarder: false\n")
    assert_names(load_error(region), "clusters.yaml", "food.cross_boarder", "unknown key")


@pytest.mark.parametrize("flag", ["'yes'", "1", "maybe"])
def test_non_boolean_cluster_flag_names_file_and_key(region: Path, flag: str) -> None:
    """cross_border must be a YAML boolean."""
    corrupt(region, "clusters.yaml", "  cross_border: true\n", f"  cross_border: {flag}\n")
    assert_names(load_error(region), "clusters.yaml", "wood.cross_border", "true or false")


def test_yaml_syntax_error_names_the_position(region: Path) -> None:
    """'name: Wood: Paper' puts a second ':' at line 2, column 13 ('  name: Wood' is 12 chars)."""
    corrupt(region, "clusters.yaml", "  name: Wood\n", "  name: Wood: Paper\n")
    assert_names(
        load_error(region), "clusters.yaml", f"line 2, column {len('  name: Wood') + 1}", "YAML"
    )


def test_yaml_tab_indentation_names_the_position(region: Path) -> None:
    """A tab at the start of line 8 cannot start a YAML token."""
    corrupt(region, "clusters.yaml", "  name: Food\n", "\tname: Food\n")
    assert_names(load_error(region), "clusters.yaml", "line 8, column 1", "YAML")


def test_duplicate_yaml_key_names_the_key_and_its_line(region: Path) -> None:
    """A second 'name' under wood (line 3) is refused instead of silently overriding."""
    corrupt(region, "clusters.yaml", "  name: Wood\n", "  name: Wood\n  name: Timber\n")
    assert_names(load_error(region), "clusters.yaml", "line 3", "duplicate key 'name'")


def test_duplicate_cluster_type_names_the_type(region: Path) -> None:
    """Two top-level 'food' entries are a duplicate key at line 13."""
    write(region, "clusters.yaml", VALID_FILES["clusters.yaml"] + "food:\n  sectors: {food: 1}\n")
    assert_names(load_error(region), "clusters.yaml", "line 13", "duplicate key 'food'")


def test_duplicate_sector_in_weights_is_refused(region: Path) -> None:
    """{food: 0.5, food: 0.5} is a duplicate key, not a weight of 1."""
    corrupt(region, "clusters.yaml", "{food: 1.0}", "{food: 0.5, food: 0.5}")
    assert_names(load_error(region), "clusters.yaml", "line 9", "duplicate key 'food'")


def test_cluster_that_is_not_a_mapping_names_the_type(region: Path) -> None:
    """food: [a, b] is not a cluster description."""
    write(region, "clusters.yaml", VALID_FILES["clusters.yaml"].split("food:\n")[0] + "x: [1]\n")
    assert_names(load_error(region), "clusters.yaml", "x", "mapping")


# ---------------------------------------------------------------------------------------------
# accepted inputs


def test_utf8_byte_order_mark_is_accepted(region: Path) -> None:
    """Every file may start with a BOM (as Excel writes it); the first column keeps its name."""
    for name in VALID_FILES:
        path = region / name
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    loaded = load_region(region)
    assert loaded.district_ids == ["alpha", "beta", "gamma"]
    assert set(loaded.clusters) == {"wood", "food"}
    assert loaded.crossings["id"].tolist() == ["alpha_road"]


def test_windows_line_endings_are_accepted(region: Path) -> None:
    r"""CRLF line endings load the same values (no '\r' left in the last column)."""
    for name in VALID_FILES:
        path = region / name
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    loaded = load_region(region)
    assert loaded.districts["border"].tolist() == [True, False, False]
    assert sorted(loaded.roads["kind"]) == ["federal", "regional"]
    assert loaded.crossings["mode"].tolist() == ["road"]
    assert loaded.clusters["wood"].sectors == {"wood": 0.75, "food": 0.25}


def test_windows_line_endings_keep_line_numbers(region: Path) -> None:
    """A CRLF file still reports the right line of a bad value."""
    text = VALID_FILES["activity.csv"].replace("alpha,food,5", "alpha,food,-5")
    (region / "activity.csv").write_bytes(text.replace("\n", "\r\n").encode())
    assert_names(load_error(region), "activity.csv", "line 3", "column value")


def test_extra_unknown_columns_are_accepted(region: Path) -> None:
    """Columns the loader does not know (notes, years) are ignored."""
    corrupt(region, "districts.csv", "area_km2,border\n", "area_km2,border,note\n")
    for line in ("100.5,true\n", "200,false\n", "300,false\n"):
        corrupt(region, "districts.csv", line, line.rstrip("\n") + ",some note\n")
    write(region, "activity.csv", "year,district,sector,value\n2021,alpha,wood,10\n")
    write(
        region,
        "roads.csv",
        "a,b,minutes,kind,surface\n" + "alpha,beta,30,local,asphalt\n"
        "beta,gamma,45,federal,asphalt\n",
    )
    loaded = load_region(region)
    assert loaded.district_ids == ["alpha", "beta", "gamma"]
    assert loaded.activity["value"].tolist() == [10.0]
    assert len(loaded.roads) == 2


def test_missing_optional_files_are_accepted(region: Path) -> None:
    """Without exports.csv and crossings.csv the tables are empty, with their columns."""
    (region / "exports.csv").unlink()
    (region / "crossings.csv").unlink()
    loaded = load_region(region)
    assert loaded.exports.empty
    assert list(loaded.exports.columns) == ["district", "sector", "share", "basis", "year", "note"]
    assert loaded.crossings.empty
    assert list(loaded.crossings.columns) == ["id", "name", "district", "mode"]


def test_exports_and_crossings_with_only_a_header_are_accepted(region: Path) -> None:
    """A header-only optional file means no rows."""
    write(region, "exports.csv", "district,sector,share\n")
    write(region, "crossings.csv", "id,name,district,mode\n")
    loaded = load_region(region)
    assert loaded.exports.empty
    assert loaded.crossings.empty
    assert list(loaded.crossings.columns) == ["id", "name", "district", "mode"]


def test_cluster_sector_absent_from_activity_is_accepted(region: Path) -> None:
    """A catalogue sector nobody produces yet (textiles) is allowed; its LQ will be 0."""
    corrupt(region, "clusters.yaml", "{food: 1.0}", "{food: 0.5, textiles: 0.5}")
    loaded = load_region(region)
    assert loaded.clusters["food"].sectors == {"food": 0.5, "textiles": 0.5}
    assert "textiles" not in set(loaded.activity["sector"])


def test_parallel_road_links_are_accepted(region: Path) -> None:
    """Two links between alpha and beta (either direction) are both kept."""
    write(region, "roads.csv", VALID_FILES["roads.csv"] + "beta,alpha,20,local\n")
    loaded = load_region(region)
    assert len(loaded.roads) == 3
    assert sorted(loaded.roads["minutes"]) == [20.0, 30.0, 45.0]


@pytest.mark.parametrize(
    ("flag", "expected"),
    [
        ("1", True),
        ("0", False),
        ("yes", True),
        ("no", False),
        ("TRUE", True),
        ("False", False),
    ],
)
def test_border_flag_words_are_accepted(region: Path, flag: str, expected: bool) -> None:
    """border may be written true/false, 1/0 or yes/no, in any case."""
    corrupt(region, "districts.csv", "100.5,true", f"100.5,{flag}")
    assert bool(load_region(region).districts.loc["alpha", "border"]) is expected


def test_catalogue_nested_under_a_clusters_key_is_accepted(region: Path) -> None:
    """`clusters:` wrapping the whole catalogue gives the same types."""
    nested = "clusters:\n" + "".join(
        f"  {line}\n" for line in VALID_FILES["clusters.yaml"].splitlines()
    )
    write(region, "clusters.yaml", nested)
    loaded = load_region(region)
    assert set(loaded.clusters) == {"wood", "food"}
    assert loaded.clusters["wood"].sectors == {"wood": 0.75, "food": 0.25}


def test_optional_population_and_area_may_be_blank(region: Path) -> None:
    """Blank population / area are NaN, not an error."""
    corrupt(region, "districts.csv", "55.0,33.0,2000,200,", "55.0,33.0,,,")
    loaded = load_region(region)
    assert math.isnan(loaded.districts.loc["beta", "population"])
    assert math.isnan(loaded.districts.loc["beta", "area_km2"])


def test_weights_summing_to_one_within_rounding_are_accepted(region: Path) -> None:
    """0.1 + 0.2 + 0.7 is 1.0000000000000002 in floating point, and is accepted."""
    corrupt(region, "clusters.yaml", "{food: 1.0}", "{food: 0.1, wood: 0.2, metal: 0.7}")
    assert load_region(region).clusters["food"].sectors["metal"] == 0.7


def test_file_hashes_cover_the_files_present(region: Path) -> None:
    """Provenance: a SHA-256 per data file that exists."""
    (region / "crossings.csv").unlink()
    hashes = load_region(region).file_hashes
    assert set(hashes) == set(VALID_FILES) - {"crossings.csv"}
    assert all(len(h) == 64 for h in hashes.values())


# ---------------------------------------------------------------------------------------------
# the shipped region


def test_shipped_smolensk_region_loads() -> None:
    """data/smolensk: 27 districts, 8 cluster types, a connected road graph."""
    smolensk = load_region(DATA_DIR / "smolensk")
    assert len(smolensk.districts) == 27
    assert len(smolensk.clusters) == 8
    assert smolensk.districts["border"].any()
    assert not smolensk.crossings.empty


# ---------------------------------------------------------------------------------------------
# defects found while writing these tests, fixed in model/ since


def test_numeric_sector_codes_in_clusters_yaml_keep_their_spelling(region: Path) -> None:
    """NACE-style codes 01 and 10.10 in activity.csv must match the same codes in the catalogue.

    Acceptable outcomes: the keys keep their spelling ('01', '10.10'), or the loader refuses
    them naming the key. Silently renaming them to '1' and '10.1' is not.
    """
    write(region, "activity.csv", "district,sector,value\nalpha,01,10\nbeta,10.10,20\n")
    corrupt(region, "clusters.yaml", "{food: 1.0}", "{01: 0.5, 10.10: 0.5}")
    try:
        loaded = load_region(region)
    except InputError as err:
        assert_names(str(err), "clusters.yaml", "food.sectors")
        return
    assert set(loaded.clusters["food"].sectors) == {"01", "10.10"}


def test_file_in_windows_1251_names_the_line_of_the_first_bad_byte(region: Path) -> None:
    """districts.csv saved from a Russian Excel (cp1251): the error names line 2 (Альфа)."""
    (region / "districts.csv").write_bytes(VALID_FILES["districts.csv"].encode("cp1251"))
    assert_names(load_error(region), "districts.csv", "UTF-8", "line 2")


# ---------------------------------------------------------------------------------------------
# basis, year and note of activity and export rows


def test_rows_without_a_basis_column_read_as_unstated(region: Path) -> None:
    loaded = load_region(region)
    assert set(loaded.activity["basis"]) == {"unstated"}
    assert loaded.activity["year"].isna().all()


def test_one_pair_may_hold_one_row_per_basis_and_the_values_add_up(region: Path) -> None:
    """alpha/food: 5 stated + 3 from a population baseline = 8 in the indicators."""
    from model.indicators import activity_matrix

    write(
        region,
        "activity.csv",
        "district,sector,value,basis,year,note\n"
        "alpha,wood,10,stated,2021,sawmill\n"
        "alpha,food,5,stated,2019,\n"
        "alpha,food,3,population_baseline,2021,population x 1%\n"
        "beta,food,20,group_default,,\n"
        "gamma,metal,7,official,2023,\n",
    )
    loaded = load_region(region)
    assert len(loaded.activity) == 5
    assert activity_matrix(loaded.activity, loaded.district_ids).loc["alpha", "food"] == 8.0
    food = loaded.activity[loaded.activity["sector"] == "food"].set_index(["district", "basis"])
    assert food.loc[("alpha", "population_baseline"), "year"] == 2021.0
    assert math.isnan(food.loc[("beta", "group_default"), "year"])


def test_the_same_pair_and_basis_twice_is_refused(region: Path) -> None:
    write(
        region,
        "activity.csv",
        "district,sector,value,basis\nalpha,wood,10,stated\nalpha,wood,2,stated\n",
    )
    assert_names(load_error(region), "activity.csv", "line 3", "alpha/wood", "basis stated")


@pytest.mark.parametrize("name", ["activity.csv", "exports.csv"])
def test_unknown_basis_names_file_line_and_the_known_ones(region: Path, name: str) -> None:
    column = "value" if name == "activity.csv" else "share"
    write(region, name, f"district,sector,{column},basis\nalpha,wood,0.5,guessed\n")
    assert_names(load_error(region), name, "line 2", "column basis", "'guessed'", "stated")


@pytest.mark.parametrize("year", ["20x1", "1850", "2200", "-2020", "2020.5"])
def test_bad_year_names_file_line_and_column(region: Path, year: str) -> None:
    write(region, "activity.csv", f"district,sector,value,year\nalpha,wood,10,{year}\n")
    assert_names(load_error(region), "activity.csv", "line 2", "column year", year)


def test_overlong_note_is_refused(region: Path) -> None:
    write(region, "activity.csv", "district,sector,value,note\nalpha,wood,10," + "x" * 501 + "\n")
    assert_names(load_error(region), "activity.csv", "line 2", "column note")


def test_export_parts_of_one_pair_may_not_add_up_above_one(region: Path) -> None:
    write(
        region,
        "exports.csv",
        "district,sector,share,basis\nalpha,wood,0.75,stated\nalpha,wood,0.5,assumed\n",
    )
    assert_names(load_error(region), "exports.csv", "alpha/wood", "1.25", "above 1")
