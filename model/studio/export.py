"""Export a session: a new run folder with the run's files and the scenario as YAML.

The folder is new (``runs/studio-<name>-<stamp>`` under the first root, claimed by
:func:`model.staging.claimed_new`, written all at once by :func:`model.output.write_run`);
nothing existing is ever written into or replaced. ``scenario.yaml`` beside the results is the
studio's state as a scenario file: ``run.py run`` on it solves the same scenario.
"""

from __future__ import annotations

from pathlib import Path

from model.errors import InputError
from model.output import write_run
from model.staging import claimed_new
from model.studio.roots import Roots
from model.studio.sessions import Session
from model.studio.state import to_yaml

SCENARIO_FILE = "scenario.yaml"


def export_run(session: Session, roots: Roots) -> Path:
    """Write the session's current result and scenario into a new run folder; its path."""
    with session.lock:
        result = session.result
        if result is None:
            raise InputError(None, "export", "nothing solved yet")
        name = str(session.state.data.get("name", "studio"))
        with claimed_new(roots.runs_dir, f"studio-{name}") as folder:
            write_run(result, folder)
            text = to_yaml(session.state.export_data(folder))
            with (folder / SCENARIO_FILE).open("x", encoding="utf-8") as handle:
                handle.write(text)
        return folder
