"""Subcommands of ``run.py``: one module each, with ``register(subparsers)``.

A command module adds its parser and sets ``handler`` (a function of the parsed arguments
returning the exit status). Heavy imports belong inside the handler, so that ``--help`` and
unrelated commands stay fast.
"""

COMMAND_MODULES = (
    "model.commands.run",
    "model.commands.classic",
    "model.commands.bench",
    "model.commands.show",
    "model.commands.scenario_docs",
    "model.commands.compare",
    "model.commands.sweep",
    "model.commands.alternatives",
    "model.commands.robustness",
    "model.commands.sensitivity",
    "model.commands.map",
    "model.commands.indicators",
    "model.commands.rerun",
    "model.commands.solvers",
    "model.commands.export",
    "model.commands.generate",
    "model.commands.districts",
    "model.commands.types",
    "model.commands.front",
    "model.commands.studio",
)
