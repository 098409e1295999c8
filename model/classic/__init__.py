"""Classic location models on the region data and the solver layer.

One module per model (``pmedian``, ``pcenter``, ``pdispersion``, ``mclp``, ``lscp``, ``uflp``,
``cpmedian``), each with its formulation in its docstring, ``build(data, params)`` and
``evaluate(data, params, solution)``; ``base.LocationData`` holds the distances (from a region
folder, an OR-Library file or a matrix); ``solve.solve_classic`` runs any of them on any solver
and checks the answer against the data::

    from model.classic import LocationData, Params, solve_classic
    data = LocationData.from_region("data/smolensk")
    result = solve_classic("pmedian", data, Params(p=6))
    result.status, result.objective, result.open_sites
"""

from model.classic.base import LocationData, Params, Solution
from model.classic.solve import MODELS, ClassicResult, solve_classic

__all__ = ["MODELS", "ClassicResult", "LocationData", "Params", "Solution", "solve_classic"]
