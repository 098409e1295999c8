"""What the studio shows, made from a run result: the map figure and plain tables.

No Dash here: functions take a :class:`~model.pipeline.RunResult` (and the scenario's rules)
and return a plotly figure or rows of text, so that tests can check them without a browser.
The map is drawn on plain longitude/latitude axes (no map tiles or geographic base layers,
which plotly would fetch from the internet), with the district outlines of the region's
``boundaries.geojson`` when it has one, and a clickable point per district.

Explanations reuse the report's code (:mod:`model.report.explain`) for one sited cluster:
its terms, partners, sectors, the rules that shape it, and the runner-up, whose re-solve runs
on the session's persistent model.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from model.pipeline import RunResult
from model.region import Region
from model.report.explain import (
    RunnerUp,
    _leading_sectors,
    _partners,
    _type_sectors,
    _Values,
    binding_rules,
    runner_up,
)
from model.report.geo import load_shapes
from model.report.values import cluster_values
from model.scenario import Rules
from model.studio.resolve import SessionSiteResolver, SessionSolver

TERMS = ("fit", "export", "member", "coop")
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#ff7f0e",
           "#17becf", "#bcbd22", "#7f7f7f")
MEMBER_FILL = "rgba(120,160,220,0.25)"
CORE_FILL = "rgba(250,200,90,0.45)"
EMPTY_FILL = "rgba(240,240,240,0.6)"


def type_colours(types: Sequence[str]) -> dict[str, str]:
    return {k: PALETTE[n % len(PALETTE)] for n, k in enumerate(types)}


def district_name(region: Region, district: str) -> str:
    return str(region.districts["name"].get(district, district))


@dataclass(frozen=True)
class SiteMarks:
    """Locks and bans of the scenario, per district: what the map marks."""

    locked: dict[str, list[str]]  # district -> types locked there (alone or in a set)
    banned: dict[str, list[str]]  # district -> types banned there ("all" for every type)

    @classmethod
    def of(cls, rules: Rules) -> SiteMarks:
        locked: dict[str, list[str]] = {}
        banned: dict[str, list[str]] = {}
        for lock in rules.lock:
            for district in lock.places:
                locked.setdefault(district, []).append(lock.cluster)
        for pick in rules.forbid:
            banned.setdefault(pick.district, []).append(pick.cluster or "all")
        return cls(locked, banned)


MAX_RING_POINTS = 80  # outline points kept per ring: the map stays light to redraw


@dataclass(frozen=True)
class Outlines:
    """District outlines, thinned once per region: district -> (longitudes, latitudes),
    rings separated by None (plotly's gap)."""

    rings: dict[str, tuple[list[float | None], list[float | None]]]

    @classmethod
    def of(cls, region: Region) -> Outlines:
        shapes = load_shapes(region.path, set(region.districts.index))
        rings: dict[str, tuple[list[float | None], list[float | None]]] = {}
        for district, polygons in shapes.polygons.items():
            xs: list[float | None] = []
            ys: list[float | None] = []
            for polygon in polygons:
                ring = polygon[0]
                step = max(1, math.ceil(len(ring) / MAX_RING_POINTS))
                kept = [*ring[::step], ring[-1]]
                xs += [*(round(float(p[0]), 4) for p in kept), None]
                ys += [*(round(float(p[1]), 4) for p in kept), None]
            rings[district] = (xs, ys)
        return cls(rings)


def _scatter(**props: Any) -> dict[str, Any]:
    return {"type": "scatter", **props}


def map_figure(
    result: RunResult | None,
    region: Region,
    rules: Rules,
    selected: str | None,
    outlines: Outlines | None = None,
    stale: bool = False,
) -> dict[str, Any]:
    """The region with cores (stars), members (tinted), links, locks (squares) and bans (x),
    as a plotly figure in plain data (what Dash sends; no validation pass on every redraw).

    ``stale``: the result is the last feasible one, not the current scenario's (which has no
    siting); the title says so.
    """
    districts = region.districts
    sitings = result.sitings() if result is not None and result.has_solution else []
    types = list(region.clusters)
    colours = type_colours(types)
    roles: dict[str, str] = {}
    for siting in sitings:
        roles[siting.core] = "core"
        for member in siting.members:
            roles.setdefault(member, "member")
    traces: list[dict[str, Any]] = []
    outlines = outlines or Outlines.of(region)
    for role, fill in (("", EMPTY_FILL), ("member", MEMBER_FILL), ("core", CORE_FILL)):
        xs: list[float | None] = []
        ys: list[float | None] = []
        for district, (ring_x, ring_y) in outlines.rings.items():
            if roles.get(district, "") == role:
                xs += ring_x
                ys += ring_y
        if xs:
            traces.append(_scatter(
                x=xs, y=ys, mode="lines", fill="toself", fillcolor=fill,
                line={"color": "#888", "width": 0.8}, hoverinfo="skip", showlegend=False,
                name=f"districts {role or 'other'}",
            ))
    lon = {d: float(v) for d, v in districts["lon"].items()}
    lat = {d: float(v) for d, v in districts["lat"].items()}
    for siting in sitings:
        link_x: list[float | None] = []
        link_y: list[float | None] = []
        for member in siting.members:
            link_x += [lon[siting.core], lon[member], None]
            link_y += [lat[siting.core], lat[member], None]
        if link_x:
            traces.append(_scatter(
                x=link_x, y=link_y, mode="lines", hoverinfo="skip", showlegend=False,
                line={"color": colours[siting.cluster_type], "width": 2},
                name=f"links {siting.cluster_type}",
            ))
    marks = SiteMarks.of(rules)
    hover = []
    for district in districts.index:
        lines = [f"<b>{district_name(region, district)}</b>"]
        lines += [f"core: {s.cluster_type}" for s in sitings if s.core == district]
        lines += [f"member of {s.cluster_type}" for s in sitings if district in s.members]
        lines += [f"locked: {k}" for k in marks.locked.get(district, [])]
        lines += [f"banned: {k}" for k in marks.banned.get(district, [])]
        hover.append("<br>".join(lines))
    ids = [str(d) for d in districts.index]
    traces.append(_scatter(
        x=[lon[d] for d in ids], y=[lat[d] for d in ids], mode="markers+text",
        text=[district_name(region, d) for d in ids], textposition="bottom center",
        textfont={"size": 9, "color": "#444"},
        marker={"size": 13, "color": ["#333" if d == selected else "#fff" for d in ids],
                "line": {"color": "#333", "width": 1}},
        customdata=ids, hovertext=hover, hoverinfo="text", name="districts", showlegend=False,
    ))
    # locks and bans under the cores, so that a click on a core selects its type
    for kind, symbol, colour in (("locked", "square-open", "#000"), ("banned", "x", "#c00")):
        where = marks.locked if kind == "locked" else marks.banned
        if where:
            traces.append(_scatter(
                x=[lon[d] for d in where], y=[lat[d] for d in where], mode="markers",
                marker={"symbol": symbol, "size": 26 if kind == "locked" else 16,
                        "color": colour, "line": {"width": 2, "color": colour}},
                customdata=list(where), name=kind, hoverinfo="name",
            ))
    for k in types:
        cores = [s.core for s in sitings if s.cluster_type == k]
        if cores:
            traces.append(_scatter(
                x=[lon[c] for c in cores], y=[lat[c] for c in cores], mode="markers",
                marker={"symbol": "star", "size": 22, "color": colours[k],
                        "line": {"color": "#000", "width": 1}},
                customdata=[f"{c}|{k}" for c in cores], name=k, hoverinfo="name",
            ))
    mid_lat = sum(lat.values()) / len(lat) if lat else 0.0
    title = "last feasible siting (the current settings have none)" if stale else ""
    layout = {
        "title": {"text": title, "font": {"color": "#c00"}},
        "margin": {"l": 10, "r": 10, "t": 30 if stale else 10, "b": 10}, "height": 560,
        "plot_bgcolor": "#fff", "clickmode": "event", "dragmode": "pan", "uirevision": "map",
        "legend": {"orientation": "h", "y": -0.02},
        "xaxis": {"visible": False},
        "yaxis": {"visible": False, "scaleanchor": "x",
                  "scaleratio": 1 / max(math.cos(math.radians(mid_lat)), 0.1)},
    }
    return {"data": traces, "layout": layout}


def siting_rows(result: RunResult | None) -> list[list[str]]:
    """Type, core, members, contribution: one row per sited cluster (none without a siting)."""
    if result is None or not result.has_solution:
        return []
    region = result.region
    return [
        [
            s.cluster_type,
            district_name(region, s.core),
            ", ".join(district_name(region, m) for m in s.members) or "—",
            f"{s.contribution:.3f}",
        ]
        for s in result.sitings()
    ]


def term_rows(result: RunResult | None) -> list[list[str]]:
    """The objective and its four weighted terms (empty without a siting)."""
    if result is None or not result.has_solution or result.objective is None:
        return []
    rows = [[name, f"{result.terms.get(name, 0.0):.4f}"] for name in TERMS]
    return [*rows, ["objective", f"{result.objective:.4f}"], ["status", result.status]]


@dataclass(frozen=True)
class WhyHere:
    cluster_type: str
    core: str
    lines: list[str]
    runner: RunnerUp


def why_here(result: RunResult, cluster_type: str, session: SessionSolver) -> WhyHere | None:
    """The report's explanation of the type's (first) core, with its runner-up."""
    sitings = [s for s in result.sitings() if s.cluster_type == cluster_type]
    if not sitings:
        return None
    siting = sitings[0]
    cores = [(s.cluster_type, s.core) for s in result.sitings()]
    values = _Values(result)
    site = (siting.cluster_type, siting.core)
    region = result.region
    # the report's one number per cluster (its half of each cooperation pair), so that the
    # studio and the report show the same terms
    terms = next(v.terms for v in cluster_values(result) if (v.cluster_type, v.core) == site)
    lines = ["terms: " + ", ".join(f"{t} {terms[t]:.3f}" for t in TERMS)]
    lines += [
        f"sector {sector}: weight {weight:g} in the type, LQ {lq:.2f} here"
        for sector, weight, lq in _type_sectors(result, values, *site)
    ]
    leading = _leading_sectors(values, siting.core)
    if leading:
        lines.append("leading sectors here: " + ", ".join(f"{s} (LQ {v:.2f})" for s, v in leading))
    lines += [
        f"cooperates with {p.cluster_type} in {district_name(region, p.core)} ({p.value:.3f})"
        for p in _partners(result, values, site, cores)
    ]
    lines += binding_rules(result, values, site, len(siting.members), cores)
    runner = runner_up(result, *site, SessionSiteResolver(result, session))
    return WhyHere(cluster_type, siting.core, lines, runner)


def runner_up_text(result: RunResult, why: WhyHere) -> str:
    runner = why.runner
    region = result.region
    if not runner.districts and runner.objective is None:
        return f"runner-up: {runner.status} — {runner.note}"
    where = ", ".join(district_name(region, d) for d in runner.districts) or "not sited"
    text = f"runner-up without {district_name(region, why.core)}: {where}"
    if runner.given_up is not None:
        text += f", objective {runner.objective:.4f} (gives up {runner.given_up:.4f})"
    moved = [
        f"{k} {', '.join(old)} → {', '.join(new) or 'none'}" for k, old, new in runner.moved
    ]
    if moved:
        text += "; also moves " + "; ".join(moved)
    return text + (f" ({runner.note})" if runner.note else "")


def why_not_there(
    result: RunResult, cluster_type: str, district: str, session: SessionSolver
) -> list[str]:
    """Why the type's core is not in ``district``: the rule that excludes it, or what the
    best siting with a core there costs (a re-solve with that core locked)."""
    region = result.region
    name = district_name(region, district)
    cores = [s.core for s in result.sitings() if s.cluster_type == cluster_type]
    if district in cores:
        return [f"{cluster_type} has its core in {name}"]
    reason = result.instance.excluded.get((cluster_type, district))
    if reason is not None:
        return [f"{cluster_type} cannot sit in {name}: {reason}"]
    values = _Values(result)
    lines = [f"fit + export score in {name}: {values.own_score(cluster_type, district):.3f}"]
    lines += [
        f"fit + export score in the core {district_name(region, c)}: "
        f"{values.own_score(cluster_type, c):.3f}"
        for c in cores
    ]
    forced = session.forced(result, cluster_type, district)
    if not forced.has_solution or forced.objective is None or result.objective is None:
        lines.append(
            f"no siting has a {cluster_type} core in {name} under these rules: "
            + ("; ".join(forced.diagnosis) or forced.status)
        )
        return lines
    lines.append(
        f"with a {cluster_type} core locked in {name} the best objective is "
        f"{forced.objective:.4f}, {result.objective - forced.objective:.4f} less than now"
    )
    return lines


def compare_rows(
    result: RunResult | None, other: dict[str, Any], label: str
) -> list[list[str]]:
    """Side by side: core and members per type here and in ``other`` (saved-run sitings:
    cluster_type, core, members), ``*`` marking a moved core; then objective and terms."""
    here = result.sitings() if result is not None and result.has_solution else []
    mine: dict[str, list[str]] = {}
    for s in here:
        mine.setdefault(s.cluster_type, []).append(
            s.core + (f" ({', '.join(s.members)})" if s.members else "")
        )
    theirs: dict[str, list[str]] = {}
    for s in other.get("sitings", []):
        theirs.setdefault(str(s["cluster_type"]), []).append(
            str(s["core"]) + (f" ({', '.join(map(str, s['members']))})" if s["members"] else "")
        )
    rows = [["", "this scenario", label]]
    for k in dict.fromkeys([*mine, *theirs]):
        a, b = mine.get(k, []), theirs.get(k, [])
        cores_a = sorted(x.split(" (")[0] for x in a)
        cores_b = sorted(x.split(" (")[0] for x in b)
        mark = " *" if cores_a != cores_b else ""
        rows.append([k + mark, "; ".join(a) or "—", "; ".join(b) or "—"])
    objective = result.objective if result is not None else None
    rows.append([
        "objective",
        f"{objective:.4f}" if objective is not None else "—",
        f"{other['objective']:.4f}" if other.get("objective") is not None else "—",
    ])
    for term in TERMS:
        mine_t = result.terms.get(term) if result is not None else None
        theirs_t = other.get("terms", {}).get(term)
        rows.append([
            term,
            f"{mine_t:.4f}" if mine_t is not None else "—",
            f"{theirs_t:.4f}" if theirs_t is not None else "—",
        ])
    return rows


def sitings_of(result: RunResult) -> dict[str, Any]:
    """A result in the shape of a saved run's summary (for :func:`compare_rows`)."""
    return {
        "objective": result.objective,
        "terms": dict(result.terms),
        "sitings": [
            {"cluster_type": s.cluster_type, "core": s.core, "members": list(s.members)}
            for s in (result.sitings() if result.has_solution else [])
        ],
    }
