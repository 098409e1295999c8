"""Build a region folder (docs/model.md §3) from a boundary file and a statistics table.

``run.py region init`` reads district polygons (GeoPackage, Shapefile, GeoJSON: anything
pyogrio reads), an activity table by district and NACE Rev. 2 / OKVED2 code, and optional
population, border crossings, a state border and travel times, and writes a folder that
:func:`model.region.load_region` accepts. ``run.py region check`` summarises any region folder;
``run.py region example`` writes the fictional inputs of the worked example (docs/region.md).

Modules, in the order data flows: :mod:`.geo` (the optional geometry libraries),
:mod:`.boundaries` and :mod:`.inputs` (the validation boundary for every input file),
:mod:`.sectors` (code → sector mapping), :mod:`.geometry` (points, areas, adjacency, border
flags), :mod:`.travel` (travel times and road links), :mod:`.build` (the steps, in order),
:mod:`.writer` (the files, SOURCES.md and VALIDATION.md), :mod:`.check` (the summary),
:mod:`.example` (Exampleshire).
"""
