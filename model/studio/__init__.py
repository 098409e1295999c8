"""The scenario studio (``run.py studio``): a local web app that is a view of one scenario.

Modules, in the direction data flows:

* ``roots``: the folders the studio may read and write, and the path checks at that boundary;
* ``state``: a session's scenario (plain data validated by the scenario loader), its undo
  history and the last feasible siting;
* ``resolve``: the re-solve layer, one persistent HiGHS model per session;
* ``sessions``: the per-session state, keyed by a random session id;
* ``views``: figures and tables made from a result (no Dash state);
* ``app``: the Dash layout and callbacks; ``server``: starting it.

Dash (and plotly) are the optional extra ``studio``; nothing here is imported by the other
commands.
"""
