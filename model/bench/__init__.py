"""Solver benchmark harness: instance families, a Dask-parallel grid of runs, a report.

- ``instances``: ``generated:N`` graded families of scenario files over generated regions, or
  any scenario files / folders / globs;
- ``runner``: every (instance, solver, seed) run on Dask (a local cluster by default), each
  solution checked against the instance independently of the solver;
- ``report``: solved counts, shifted geometric means, Dolan–Moré performance profiles;
- ``mps``: the instances as an MPS collection with a metadata table, MIPLIB-style.

``python run.py bench --help`` shows the command line.
"""
