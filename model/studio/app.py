"""The studio's Dash app: layout and callbacks; the state lives in the session, not here.

Two callbacks do the work. ``act`` takes every planner action (a site choice, a setting, the
YAML editor, undo, open, compare, export), applies it to the session named by the page's
session id, and bumps a revision counter; ``show`` redraws everything from the session when
the revision, the selected district or the selected type changes. A third callback turns a
click on the map into the selected district (and type, for a click on a core).

Every asset is served by this server (``serve_locally``); nothing is fetched from elsewhere.
"""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path
from typing import Any

import dash
from dash import ALL, Dash, Input, Output, State, ctx, dcc, html
from dash.exceptions import PreventUpdate
from flask import Response, abort

from model.errors import ClusterSiteError, InputError
from model.saved import check_saved_folder
from model.studio import state as edits
from model.studio.controls import Control, scalar_controls, value_at
from model.studio.sessions import Session, Sessions, new_session_id
from model.studio.views import (
    SiteMarks,
    compare_rows,
    district_name,
    map_figure,
    runner_up_text,
    siting_rows,
    sitings_of,
    term_rows,
    why_here,
    why_not_there,
)

FILES_ROUTE = "/studio-files/"
SERVED_SUFFIXES = {".html", ".png", ".md", ".yaml", ".csv", ".json", ".geojson", ".qml"}
HISTORY_SHOWN = 12
SITE_ACTIONS = ("lock", "set", "ban", "clear")
# no plotly logo or cloud links: nothing on the page points away from this machine
GRAPH_CONFIG: Any = {
    "displaylogo": False, "scrollZoom": True, "showLink": False, "showSendToCloud": False,
    "showEditInChartStudio": False,
}
# what a redraw sets; an action's own answer sets them too (one round trip per change)
VIEW_OUTPUTS = (
    ("map", "figure"),
    ("scenario-name", "children"),
    ("message", "children"),
    ("diagnosis", "children"),
    ("terms", "children"),
    ("sitings", "children"),
    ("site-panel", "children"),
    ("why-here", "children"),
    ("runner-up", "children"),
    ("why-not", "children"),
    ("history", "children"),
    ("yaml", "value"),
    ("comparison", "children"),
    ("district-pick", "options"),
    ("cluster-pick", "options"),
    ("settings", "children"),
)


def _trigger_id(prop_id: str) -> Any:
    """The component id of a ``ctx.triggered`` entry (a dict for pattern-matching ids)."""
    ident = prop_id.rsplit(".", 1)[0]
    return json.loads(ident) if ident.startswith("{") else ident


def opened_chain(target: Path, opened: edits.ScenarioState) -> list[Path]:
    """The files an opened scenario was read from (its extends chain), resolved."""
    if target.is_dir():
        return [target.resolve()]
    from model.scenario import load_scenario

    return [Path(p).resolve() for p in load_scenario(target).chain]


def _table(rows: list[list[str]], header: list[str] | None = None, table_id: str = "") -> Any:
    head = [html.Thead(html.Tr([html.Th(h) for h in header]))] if header else []
    body = html.Tbody([html.Tr([html.Td(cell) for cell in row]) for row in rows])
    return html.Table([*head, body], id=table_id or None, className="grid")


def _control(control: Control, value: Any) -> Any:
    """One setting's widget, holding the scenario's value."""
    label = html.Label(control.key, title=control.description, className="key")
    if control.kind == "flag":
        widget: Any = dcc.Checklist(
            id={"flag": control.key}, options=[{"label": "", "value": "on"}],
            value=["on"] if value else [], inline=True,
        )
    elif control.kind == "choice":
        widget = dcc.RadioItems(
            id={"choice": control.key}, options=list(control.choices), value=value, inline=True
        )
    elif control.kind == "number":
        widget = dcc.Input(id={"num": control.key}, type="number", debounce=True, value=value)
    else:
        widget = dcc.Input(id={"txt": control.key}, type="text", debounce=True, value=value)
    return html.Div([label, widget], className="control")


def render(
    session: Session, controls: list[Control], district: Any, cluster: Any
) -> tuple[Any, ...]:
    """Every output of the redraw callback, from the session (the caller holds its lock)."""
    data = session.state.data
    loaded = session.state.loaded()
    rules = loaded.scenario.rules
    result, feasible = session.result, session.feasible
    shown = result if result is not None and result.has_solution else feasible
    stale = shown is not None and shown is not result
    region = session.region()
    if district not in region.districts.index:
        district = None
    drawn = map_figure(shown, region, rules, district, session.outlines(), stale=stale)
    # an unchanged map is not sent again: the browser keeps the one it drew
    fingerprint = json.dumps(drawn, sort_keys=True)
    figure: Any = drawn if fingerprint != session.map_shown else dash.no_update
    session.map_shown = fingerprint
    diagnosis: Any = ""
    if result is not None and not result.has_solution:
        diagnosis = html.Div([
            html.B(f"No siting satisfies these settings ({result.status}):"),
            html.Ul([html.Li(line) for line in result.diagnosis]),
            html.Span("The map shows the last feasible siting." if feasible else ""),
        ], id="infeasible")
    live = result if result is not None and result.has_solution else None
    types = list(live.instance.types) if live else list(region.clusters)
    if cluster not in types:
        cluster = None
    why: Any = "Select a cluster type (or click its core) to see why it sits where it does."
    runner: Any = ""
    if live is not None and cluster is not None:
        explained = why_here(live, cluster, session.solver)
        if explained is None:
            why = f"{cluster} is not sited."
        else:
            why = html.Div([
                html.B(f"{cluster} in {district_name(region, explained.core)}"),
                html.Ul([html.Li(line) for line in explained.lines], id="why-here-list"),
            ])
            runner = runner_up_text(live, explained)
    why_not: Any = "Select a type and then another district."
    if live is not None and cluster is not None and district is not None:
        why_not = html.Ul(
            [html.Li(line) for line in why_not_there(live, cluster, district, session.solver)]
        )
    panel = site_panel(region, rules, district, types)
    history = [html.Li(entry.label) for entry in session.state.history[-HISTORY_SHOWN:]]
    label, other = session.comparison or ("", {})
    comparison = (
        _table(compare_rows(shown, other, label), table_id="comparison-table")
        if other else ""
    )
    districts = [
        {"label": district_name(region, d), "value": d} for d in region.districts.index
    ]
    # the settings are drawn again only when a value changed or a typed value was refused
    # (to show the kept one): rebuilding 30 widgets on every click costs the browser time
    values = tuple(json.dumps(value_at(data, c.key)) for c in controls)
    settings: Any = dash.no_update
    if values != session.controls_shown or session.message.startswith("refused"):
        settings = [_control(c, value_at(data, c.key)) for c in controls]
    session.controls_shown = values
    return (
        figure,
        f"scenario {data.get('name')}",
        session.message,
        diagnosis,
        _table(term_rows(live), ["term", "value"], "terms-table"),
        _table(siting_rows(live), ["type", "core", "members", "contribution"],
               "sitings-table"),
        panel,
        why,
        runner,
        why_not,
        history,
        edits.to_yaml(data),
        comparison,
        districts,
        [{"label": k, "value": k} for k in types],
        settings,
    )

def site_panel(region: Any, rules: Any, district: str | None, types: list[str]) -> Any:
    if district is None:
        return "Click a district on the map to lock, ban or group cluster types there."
    marks = SiteMarks.of(rules)
    locked, banned = marks.locked.get(district, []), marks.banned.get(district, [])
    rows = []
    for k in [*types, "*"]:
        state = (
            "banned" if k in banned or (k == "*" and "all" in banned)
            else "locked" if k in locked else "free"
        )
        buttons = [
            html.Button(action, id={"site": action, "k": k}, className=f"site-{action}")
            for action in SITE_ACTIONS
            if k != "*" or action in ("ban", "clear")
        ]
        rows.append(html.Tr([
            html.Td(k if k != "*" else "every type"), html.Td(state), html.Td(buttons)
        ]))
    groups = [
        html.Button(
            f"{'leave' if district in g.districts else 'join'} {g.name}",
            id={"group": g.name},
        )
        for g in rules.groups
    ]
    groups.append(html.Button("new group with this district", id={"group": "group-" +
                              str(len(rules.groups) + 1)}))
    return html.Div([
        html.H3(f"{district_name(region, district)}"),
        html.Table(rows, id="site-table", className="grid"),
        html.Div(["groups: ", *groups]),
    ])



def build_app(sessions: Sessions) -> Dash:
    """The Dash app over ``sessions`` (each page load gets a new session id)."""
    app = Dash(
        __name__,
        serve_locally=True,
        title="clustersite studio",
        update_title="",
        assets_folder=str(Path(__file__).parent / "assets"),
    )
    controls = scalar_controls()
    roots = sessions.roots

    def listing() -> list[dict[str, str]]:
        scenarios, runs = roots.listing()
        return [
            *({"label": f"scenario {roots.relative(p)}", "value": roots.relative(p)}
              for p in scenarios),
            *({"label": f"run {roots.relative(p)}", "value": roots.relative(p)} for p in runs),
        ]

    def layout() -> Any:
        return html.Div([
            dcc.Store(id="sid", data=new_session_id()),
            dcc.Store(id="rev", data=0),  # the first drawing's trigger
            dcc.Store(id="district"),
            dcc.Store(id="cluster"),
            html.Div([
                html.H1("clustersite studio"),
                html.Span(id="scenario-name", className="name"),
                html.Button("Undo", id="undo"),
                html.Button("Export scenario and run", id="export"),
                html.Span(id="export-link"),
            ], className="top"),
            html.Div(id="message", className="message"),
            html.Div(id="diagnosis", className="diagnosis"),
            html.Div([
                html.Div([
                    dcc.Graph(id="map", config=GRAPH_CONFIG),
                    html.Div([
                        html.Label("district"),
                        dcc.Dropdown(id="district-pick", clearable=True, style={"width": "18em"}),
                    ], className="control"),
                    html.Div(id="site-panel", className="panel"),
                ], className="left"),
                html.Div([
                    html.H3("Objective"),
                    html.Div(id="terms"),
                    html.H3("Sitings"),
                    html.Div(id="sitings"),
                    html.H3("Why here"),
                    html.Div([
                        html.Label("cluster type"),
                        dcc.Dropdown(id="cluster-pick", clearable=True, style={"width": "14em"}),
                    ], className="control"),
                    html.Div(id="why-here"),
                    html.Div(id="runner-up"),
                    html.H3("Why not there"),
                    html.Div(id="why-not"),
                    html.H3("History"),
                    html.Ol(id="history"),
                ], className="right"),
            ], className="main"),
            html.Details([
                html.Summary("Settings (every scalar key of the scenario)"),
                html.Div(id="settings", className="controls"),
            ], open=True),
            html.Details([
                html.Summary("Scenario YAML (every key)"),
                dcc.Textarea(id="yaml", style={"width": "100%", "height": "22em"}),
                html.Button("Apply YAML", id="apply-yaml"),
            ]),
            html.Details([
                html.Summary("Open and compare"),
                dcc.Dropdown(id="open-path", options=listing(), style={"width": "40em"}),
                html.Button("Open", id="open"),
                html.Button("Compare side by side", id="compare"),
                html.Div(id="comparison"),
            ], open=True),
        ])

    app.layout = layout

    def session_of(sid: Any) -> Session:
        try:
            return sessions.get(sid)
        except InputError:
            raise PreventUpdate from None

    # -- actions ---------------------------------------------------------------------------
    @app.callback(
        Output("export-link", "children"),
        *(Output(ident, prop, allow_duplicate=True) for ident, prop in VIEW_OUTPUTS),
        Input({"site": ALL, "k": ALL}, "n_clicks"),
        Input({"group": ALL}, "n_clicks"),
        Input({"num": ALL}, "value"),
        Input({"flag": ALL}, "value"),
        Input({"choice": ALL}, "value"),
        Input({"txt": ALL}, "value"),
        Input("apply-yaml", "n_clicks"),
        Input("undo", "n_clicks"),
        Input("open", "n_clicks"),
        Input("compare", "n_clicks"),
        Input("export", "n_clicks"),
        State("sid", "data"),
        State("district", "data"),
        State("cluster", "data"),
        State("yaml", "value"),
        State("open-path", "value"),
        prevent_initial_call=True,
    )
    def act(*args: Any) -> tuple[Any, ...]:
        sid, district, cluster_shown = args[11], args[12], args[13]
        yaml_text, path = args[14], args[15]
        # new buttons arrive with n_clicks None: the click is the one with a count
        fired = [t for t in ctx.triggered if t.get("value") not in (None, 0, [])]
        trigger = _trigger_id(fired[0]["prop_id"]) if fired else ctx.triggered_id
        session = session_of(sid)
        link: Any = dash.no_update
        if isinstance(trigger, dict) and "site" in trigger:
            if not fired or not district:
                raise PreventUpdate
            action, k = trigger["site"], trigger["k"]
            cluster = None if k == "*" else k
            name = f"{k if cluster else 'every type'} in {district}"
            if action == "lock" and cluster:
                session.edit(f"lock {name}", lambda d: edits.lock_site(d, cluster, district))
            elif action == "set" and cluster:
                session.edit(
                    f"add {district} to the {k} lock set",
                    lambda d: edits.add_to_lock_set(d, cluster, district),
                )
            elif action == "ban":
                session.edit(f"ban {name}", lambda d: edits.ban_site(d, cluster, district))
            else:
                session.edit(f"clear {name}", lambda d: edits.clear_site(d, cluster, district))
        elif isinstance(trigger, dict) and "group" in trigger:
            if not fired or not district:
                raise PreventUpdate
            group = trigger["group"]
            session.edit(
                f"toggle {district} in group {group}",
                lambda d: edits.toggle_group(d, group, district),
            )
        elif isinstance(trigger, dict):
            kind = next(iter(trigger))
            key = trigger[kind]
            value = next(
                (t["value"] for t in ctx.triggered if _trigger_id(t["prop_id"]) == trigger), None
            )
            if kind == "flag":
                value = "on" in (value or [])
            current = value_at(session.state.data, key)
            if value == current or (kind == "num" and value is None and current is None):
                raise PreventUpdate
            text = f"{key}={json.dumps(value)}"
            session.edit(f"set {text}", lambda d: edits.set_key(d, text))
        elif trigger == "apply-yaml":
            try:
                data = edits.from_yaml(yaml_text or "")
            except ClusterSiteError as err:
                session.message = f"refused: {err}"
            else:
                session.edit("apply the YAML editor", lambda _: data)
        elif trigger == "undo":
            session.undo()
        elif trigger == "open":
            _open(session, path)
        elif trigger == "compare":
            _compare(session, path)
        elif trigger == "export":
            link = _export(session)
        else:
            raise PreventUpdate
        with session.lock:
            return (link, *render(session, controls, district, cluster_shown))

    def _open(session: Session, path: str | None) -> None:
        try:
            target = roots.checked(path or "", "open")
            opened = (
                edits.open_run_folder(target) if target.is_dir()
                else edits.open_scenario_file(target)
            )
            outside = [p for p in opened_chain(target, opened) if not roots.holds(p)]
            if outside:
                raise InputError(path, "open", f"extends {outside[0]}, outside the roots")
        except ClusterSiteError as err:
            session.message = f"refused: {err}"
            return
        session.replace(opened, f"open {roots.relative(target)}")

    def _compare(session: Session, path: str | None) -> None:
        try:
            target = roots.checked(path or "", "compare")
            if target.is_dir():
                _, summary, _ = check_saved_folder(target)
                other = {k: summary.get(k) for k in ("objective", "terms", "sitings")}
            else:
                opened = edits.open_scenario_file(target)
                from model.studio.resolve import PersistentSession

                solver = PersistentSession(sessions.time_cap_s)
                result = solver.solve(opened.loaded(), session.region(opened.data))
                other = sitings_of(result)
        except ClusterSiteError as err:
            session.message = f"refused: {err}"
            return
        session.comparison = (roots.relative(target), other)
        session.message = f"compared with {roots.relative(target)}"

    def _export(session: Session) -> Any:
        from model.studio.export import export_run

        try:
            folder = export_run(session, roots)
        except ClusterSiteError as err:
            session.message = f"refused: {err}"
            return ""
        rel = roots.relative(folder)
        session.message = f"exported {rel}/scenario.yaml"
        return html.Span([
            html.A("scenario.yaml", href=f"{FILES_ROUTE}{rel}/scenario.yaml", id="export-yaml"),
            " · ",
            html.A("open the report", href=f"{FILES_ROUTE}{rel}/report.html", id="report-link",
                   target="_blank"),
        ])

    # -- selection ---------------------------------------------------------------------------
    @app.callback(
        Output("district", "data"),
        Output("cluster", "data", allow_duplicate=True),
        Input("map", "clickData"),
        Input("district-pick", "value"),
        State("district", "data"),
        State("cluster", "data"),
        State("sid", "data"),
        prevent_initial_call=True,
    )
    def select(click: Any, picked: Any, current: Any, cluster: Any, sid: Any) -> tuple[Any, Any]:
        if ctx.triggered_id == "district-pick":
            if picked == current:  # the redraw echoing the selection back
                raise PreventUpdate
            return picked, dash.no_update
        points = (click or {}).get("points") or []
        if not points or not isinstance(points[0].get("customdata"), str):
            raise PreventUpdate
        district, _, kind = points[0]["customdata"].partition("|")
        if not kind:  # a click on a core's district selects its type (the next one, if two)
            result = session_of(sid).feasible
            here = [k for k, d in sorted(result.core_set()) if d == district] if result else []
            if here:
                after = here.index(cluster) + 1 if cluster in here and current == district else 0
                kind = here[after % len(here)]
        return district, (kind or dash.no_update)

    @app.callback(
        Output("cluster", "data"),
        Input("cluster-pick", "value"),
        State("cluster", "data"),
        prevent_initial_call=True,
    )
    def pick_cluster(value: Any, current: Any) -> Any:
        if value == current:
            raise PreventUpdate
        return value

    # -- drawing ---------------------------------------------------------------------------
    @app.callback(
        *(Output(ident, prop) for ident, prop in VIEW_OUTPUTS),
        Input("rev", "data"),
        Input("district", "data"),
        Input("cluster", "data"),
        State("sid", "data"),
    )
    def show(rev: Any, district: Any, cluster: Any, sid: Any) -> tuple[Any, ...]:
        session = session_of(sid)
        session.ensure_solved()
        with session.lock:
            return render(session, controls, district, cluster)

    @app.server.route(f"{FILES_ROUTE}<path:rel>")
    def files(rel: str) -> Response:
        try:
            target = roots.checked(rel, "file")
        except InputError:
            abort(404)
        run_folder = target.parent
        if (
            not target.is_file()
            or target.suffix not in SERVED_SUFFIXES
            or not (run_folder / "summary.json").is_file()
        ):
            abort(404)
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        return Response(target.read_bytes(), mimetype=kind)

    return app
