"""Start the studio: check the starting scenario, build the app, serve it on one address.

The server is werkzeug's threaded WSGI server (what Dash runs on), bound to 127.0.0.1 unless
told otherwise. Each request runs in its own thread; a browser that goes away mid-solve only
loses its answer (the solve finishes, the session keeps its result).
"""

from __future__ import annotations

import threading
from pathlib import Path

from dash import Dash
from werkzeug.serving import BaseWSGIServer, make_server

from model.errors import InputError
from model.scenario import check_against_region
from model.studio.app import build_app
from model.studio.resolve import DEFAULT_TIME_CAP_S
from model.studio.roots import Roots
from model.studio.sessions import Sessions
from model.studio.state import ScenarioState, open_run_folder, open_scenario_file

DEFAULT_SCENARIO: dict[str, object] = {"name": "studio"}


def starting_state(scenario: Path | None) -> ScenarioState:
    """The scenario every new session starts from: a file, a run folder, or the defaults."""
    if scenario is None:
        return ScenarioState(dict(DEFAULT_SCENARIO), Path.cwd(), "<studio defaults>")
    if scenario.is_dir():
        return open_run_folder(scenario)
    return open_scenario_file(scenario)


def make_studio(
    scenario: Path | None, roots: Roots, time_cap_s: float = DEFAULT_TIME_CAP_S
) -> tuple[Dash, Sessions]:
    """The app and its sessions; the starting scenario is checked here, before serving."""
    first = starting_state(scenario)
    loaded = first.loaded()
    region_path = first.region_path()
    if not roots.region_allowed(region_path):
        raise InputError(first.source, "region", f"{region_path} is outside the --root folders")
    from model.region import load_region

    check_against_region(loaded, load_region(region_path))
    data = first.data

    def initial() -> ScenarioState:
        return ScenarioState(
            __import__("copy").deepcopy(data), first.base_dir, first.source
        )

    sessions = Sessions(roots, initial, time_cap_s)
    return build_app(sessions), sessions


def start(app: Dash, host: str, port: int) -> tuple[BaseWSGIServer, threading.Thread]:
    """Serve in a background thread (tests, bench); ``server.server_port`` is the port."""
    server = make_server(host, port, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True, name="studio")
    thread.start()
    return server, thread
