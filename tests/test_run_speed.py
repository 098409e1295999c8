"""The baseline run's speed-ups keep its outputs (issue: the baseline in two seconds).

Timing itself is measured by ``make bench-startup`` (bench/startup.py), not here.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from model.report import gis

pyogrio = pytest.importorskip("pyogrio")


def _layer() -> gis.Layer:
    return gis.Layer(
        "cores", "Point", ["district"], [str], [(30.0, 54.0), (31.5, 55.25)], [["a"], ["b"]]
    )


@pytest.mark.parametrize("before", [None, "NORMAL"])
def test_gpkg_is_written_unsynced_and_the_gdal_option_restored(
    tmp_path: Path, before: str | None
) -> None:
    pyogrio.set_gdal_config_options({gis.SQLITE_SYNC_OPTION: before})
    try:
        gis.write_gpkg([_layer()], tmp_path / "x.gpkg", qml="<qgis/>")
        assert pyogrio.get_gdal_config_option(gis.SQLITE_SYNC_OPTION) == before
    finally:
        pyogrio.set_gdal_config_options({gis.SQLITE_SYNC_OPTION: None})
    with sqlite3.connect(tmp_path / "x.gpkg") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = db.execute("SELECT district FROM cores ORDER BY fid").fetchall()
        styles = db.execute("SELECT f_table_name, styleQML FROM layer_styles").fetchall()
    assert rows == [("a",), ("b",)]
    assert styles == [("cores", "<qgis/>")]
