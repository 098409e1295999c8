"""Build a region folder (docs/model.md §3) from a boundary file and a statistics table.

``run.py region init`` reads district polygons (GeoPackage, Shapefile, GeoJSON: anything
pyogrio reads), an activity table by district and NACE Rev. 2 / OKVED2 code, and optional
population, border crossings, a state border and travel times, and writes a folder that
:func:`model.region.load_region` accepts. ``run.py region check`` summarises any region folder.

Modules, in the order data flows: :mod:`.geo` (optional geometry libraries), :mod:`.inputs`
(the validation boundary for every input file), :mod:`.geometry` (points, areas, adjacency,
border flags), :mod:`.travel` (travel times and road links), :mod:`.sectors` (code → sector
mapping), :mod:`.writer` (the folder and its SOURCES.md), :mod:`.check` (the summary).
"""
