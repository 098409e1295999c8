"""The scenario studio without a browser: re-solves, edits, undo, paths, sessions, export.

The persistent re-solve layer is checked against brute-force enumeration on random tiny
instances and against fresh pipeline solves on the Smolensk baseline, one session carrying
every change (so a wrong left-over fix, bound or row would show). The browser test is
tests/test_studio_browser.py.
"""

from __future__ import annotations

import copy
import json
import os
import random
import socket
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from model.errors import InputError
from model.pipeline import solve, solve_scenario_file
from model.region import load_region
from model.scenario import load_scenario, scenario_from_dict
from model.studio import state as edits
from model.studio.resolve import PersistentSession, capped
from model.studio.roots import Roots
from model.studio.sessions import Session, Sessions, new_session_id
from model.studio.state import ScenarioState, open_run_folder, open_scenario_file
from tests.reference.bruteforce import solve_by_enumeration
from tests.reference.tiny import write_random_instance

REPO = Path(__file__).resolve().parent.parent
BASELINE = REPO / "scenarios" / "baseline.yaml"


@pytest.fixture(scope="module")
def region() -> Any:
    return load_region(REPO / "data" / "smolensk")


def baseline_state() -> ScenarioState:
    return open_scenario_file(BASELINE)


def new_session(root: Path) -> Session:
    return Session(baseline_state(), Roots.of([root]), PersistentSession())


def cores(result: Any) -> set[tuple[str, str]]:
    return set(result.core_set())


# -- the re-solve layer --------------------------------------------------------------------
def _variants(rng: random.Random, scenario: dict[str, Any]) -> list[dict[str, Any]]:
    """The scenario, then weights, locks and bans changed in turn (and back)."""
    out = [copy.deepcopy(scenario)]
    weights = {t: round(rng.uniform(0.0, 2.0), 2) for t in ("fit", "export", "member", "coop")}
    changed = copy.deepcopy(scenario)
    changed["weights"] = weights
    out.append(changed)
    no_bans = copy.deepcopy(changed)
    no_bans["rules"]["forbid"] = []
    out.append(no_bans)
    no_locks = copy.deepcopy(no_bans)
    no_locks["rules"]["lock"] = []
    out.append(no_locks)
    out.append(copy.deepcopy(scenario))
    return out


@pytest.mark.parametrize("seed", range(12))
def test_one_session_matches_enumeration_across_changes(seed: int, tmp_path: Path) -> None:
    rng = random.Random(1000 + seed)
    scenario = {"name": f"tiny_{seed}", **write_random_instance(rng, tmp_path)}
    session = PersistentSession()
    region = load_region(Path(scenario["region"]))
    for variant in _variants(rng, scenario):
        expected_status, expected = solve_by_enumeration(Path(variant["region"]), variant)
        result = session.solve(scenario_from_dict(copy.deepcopy(variant), tmp_path), region)
        assert result.status == expected_status, variant
        if expected_status == "optimal":
            assert result.objective == pytest.approx(expected, abs=1e-6)


def test_baseline_changes_match_fresh_solves(region: Any) -> None:
    session = PersistentSession()
    changes = [
        [],
        ["weights.coop=2"],
        ["weights.coop=2", "rules.forbid=[{district: smolensk}]"],
        ["rules.lock=[{cluster: wood, districts: [vyazemsky, sychyovsky, novoduginsky]}]",
         "rules.forbid=[{district: smolensk}]", "weights.fit=0.5"],
        ["rules.forbid=[{cluster: machinery, district: smolensk}]"],
        [],
    ]
    for overrides in changes:
        mine = session.solve(load_scenario(BASELINE, overrides), region)
        fresh = solve(load_scenario(BASELINE, overrides), region)
        assert mine.status == fresh.status == "optimal"
        assert mine.objective == pytest.approx(fresh.objective, abs=1e-9)
        assert cores(mine) == cores(fresh)
    assert session.rebuilds == 1  # weights, locks and bans never rebuilt the model


def test_a_structural_change_rebuilds_once(region: Any) -> None:
    session = PersistentSession()
    session.solve(load_scenario(BASELINE), region)
    again = session.solve(load_scenario(BASELINE, ["rules.max_members=1"]), region)
    session.solve(load_scenario(BASELINE, ["rules.max_members=1", "weights.coop=3"]), region)
    assert session.rebuilds == 2
    fresh = solve(load_scenario(BASELINE, ["rules.max_members=1"]), region)
    assert again.objective == pytest.approx(fresh.objective, abs=1e-9)


def test_infeasible_change_gets_the_pipelines_diagnosis(region: Any) -> None:
    session = PersistentSession()
    lock = "rules.lock=[{cluster: wood, district: smolensk}, {cluster: food, district: smolensk}," \
        " {cluster: plastics, district: smolensk}]"
    result = session.solve(load_scenario(BASELINE, [lock]), region)
    assert result.status == "infeasible"
    assert not result.has_solution
    assert result.diagnosis and any("lock" in line for line in result.diagnosis)
    back = session.solve(load_scenario(BASELINE), region)
    assert back.objective == pytest.approx(solve(load_scenario(BASELINE), region).objective)


def test_every_solve_is_capped(region: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[float | None] = []
    from solvers.highs import PersistentHighs

    original = PersistentHighs.resolve

    def spy(self: PersistentHighs, options: Any = None) -> Any:
        seen.append(options.time_limit)
        return original(self, options)

    monkeypatch.setattr(PersistentHighs, "resolve", spy)
    session = PersistentSession(time_cap_s=0.75)
    session.solve(load_scenario(BASELINE), region)  # scenario says 60 s
    session.solve(load_scenario(BASELINE, ["solver.time_limit=0.25"]), region)
    session.solve(load_scenario(BASELINE, ["solver.time_limit=null"]), region)
    assert seen == [0.75, 0.25, 0.75]
    assert capped(load_scenario(BASELINE), 2.0).scenario.solver.time_limit == 2.0
    shorter = load_scenario(BASELINE, ["solver.time_limit=1"])
    assert capped(shorter, 2.0).scenario.solver.time_limit == 1


# -- edits, validation, undo -------------------------------------------------------------
def test_edits_are_scenario_data_that_validate() -> None:
    data = baseline_state().data
    data = edits.add_to_lock_set(data, "wood", "vyazemsky")
    data = edits.add_to_lock_set(data, "wood", "sychyovsky")
    data = edits.ban_site(data, None, "smolensk")
    data = edits.lock_site(data, "food", "safonovsky")
    data = edits.toggle_group(data, "north", "velizhsky")
    rules = ScenarioState(data, REPO, "x.yaml").loaded().scenario.rules
    assert [(lock.cluster, lock.places) for lock in rules.lock] == [
        ("wood", ("vyazemsky", "sychyovsky")), ("food", ("safonovsky",))
    ]
    assert [(p.cluster, p.district) for p in rules.forbid] == [(None, "smolensk")]
    assert [(g.name, g.districts) for g in rules.groups] == [("north", ["velizhsky"])]
    # banning a locked site lifts the lock; clearing the last district drops the set
    data = edits.ban_site(data, "food", "safonovsky")
    data = edits.clear_site(data, "wood", "vyazemsky")
    data = edits.clear_site(data, "wood", "sychyovsky")
    data = edits.toggle_group(data, "north", "velizhsky")
    rules = ScenarioState(data, REPO, "x.yaml").loaded().scenario.rules
    assert rules.lock == []
    assert {(p.cluster, p.district) for p in rules.forbid} == {
        (None, "smolensk"), ("food", "safonovsky")
    }
    assert rules.groups == []


def test_refused_edits_change_nothing(tmp_path: Path) -> None:
    session = new_session(tmp_path)
    session.ensure_solved()
    before, result = copy.deepcopy(session.state.data), session.result
    assert not session.edit("bad weight", lambda d: edits.set_key(d, "weights.fit=-1"))
    assert session.message.startswith("refused: ") and "weights.fit" in session.message
    assert not session.edit("bad key", lambda d: edits.set_key(d, "weights.fitt=1"))
    assert not session.edit("bad name", lambda d: edits.lock_site(d, "wood", "atlantis"))
    assert "atlantis" in session.message
    assert session.state.data == before and session.result is result
    assert session.state.history == []


def test_yaml_editor_goes_through_the_loaders_limits() -> None:
    with pytest.raises(InputError, match="extends"):
        edits.from_yaml("name: a\nextends: other.yaml\n")
    with pytest.raises(InputError, match="mapping"):
        edits.from_yaml("- a\n- b\n")
    with pytest.raises(InputError):
        edits.from_yaml("a: " + "[" * 200 + "]" * 200)
    with pytest.raises(InputError, match="characters"):
        edits.from_yaml("name: a\n" + "#" * (edits.MAX_YAML_CHARS + 1))
    text = edits.to_yaml(baseline_state().data)
    assert edits.from_yaml(text) == baseline_state().data


def test_undo_restores_the_scenario_and_its_siting(tmp_path: Path, region: Any) -> None:
    session = new_session(tmp_path)
    session.ensure_solved()
    first = session.result
    assert first is not None
    assert session.edit("ban", lambda d: edits.ban_site(d, None, "smolensk"))
    assert session.edit("coop", lambda d: edits.set_key(d, "weights.coop=3"))
    assert not session.edit("same", lambda d: edits.set_key(d, "weights.coop=3"))
    assert [e.label for e in session.state.history] == ["ban", "coop"]
    assert session.undo() and session.undo()
    assert not session.undo()
    assert session.state.data == baseline_state().data
    assert session.result is not None
    assert session.result.objective == pytest.approx(first.objective)
    assert cores(session.result) == cores(first)


def test_infeasible_edit_keeps_the_last_feasible_siting(tmp_path: Path) -> None:
    session = new_session(tmp_path)
    session.ensure_solved()
    good = session.result
    assert session.edit("cap 0", lambda d: edits.set_key(d, "rules.max_clusters_per_district=0"))
    assert session.result is not None and session.result.status == "infeasible"
    assert session.result.diagnosis
    assert session.feasible is good


# -- paths ---------------------------------------------------------------------------------
def test_roots_refuse_paths_that_leave_them(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "scen").mkdir(parents=True)
    inside = root / "scen" / "a.yaml"
    inside.write_text("name: a\n")
    outside = tmp_path / "secret.yaml"
    outside.write_text("name: secret\n")
    (root / "link.yaml").symlink_to(outside)
    (root / "linkdir").symlink_to(tmp_path)
    roots = Roots.of([root])
    assert roots.checked("scen/a.yaml") == inside.resolve()
    assert roots.checked(str(inside)) == inside.resolve()
    for bad, why in [
        ("../secret.yaml", "'..'"),
        ("scen/../../secret.yaml", "'..'"),
        (str(outside), "outside"),
        ("/etc/passwd", "outside"),
        ("link.yaml", "link"),
        ("linkdir/secret.yaml", "link"),
        ("scen/missing.yaml", "not found"),
        ("", "expected a path"),
        ("a/" * 40 + "b", "deep"),
    ]:
        with pytest.raises(InputError, match=why):
            roots.checked(bad)
    scenarios, runs = roots.listing()
    assert scenarios == [inside]  # the link out is not offered
    assert runs == []


def test_a_region_outside_the_roots_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    session = new_session(root)
    other = tmp_path / "elsewhere"
    other.mkdir()
    assert not session.edit("region", lambda d: {**d, "region": str(other)})
    assert "outside the studio's folders" in session.message
    assert session.edit("shipped region stays readable", lambda d: edits.set_key(
        d, "weights.coop=2"))


# -- sessions --------------------------------------------------------------------------------
def test_sessions_are_isolated(tmp_path: Path) -> None:
    sessions = Sessions(Roots.of([tmp_path]), baseline_state)
    a, b = new_session_id(), new_session_id()
    first, second = sessions.get(a), sessions.get(b)
    assert first is not second and first.solver is not second.solver
    assert first.state.data is not second.state.data
    first.edit("ban", lambda d: edits.ban_site(d, None, "smolensk"))
    second.ensure_solved()
    assert second.state.data == baseline_state().data
    assert first.result is not None and second.result is not None
    assert ("machinery", "smolensk") in cores(second.result)
    assert all(d != "smolensk" for _, d in cores(first.result))
    assert sessions.get(a) is first
    for bad in ("", "../x", "A" * 32, "0" * 31, None, 5):
        with pytest.raises(InputError):
            sessions.get(bad)  # type: ignore[arg-type]


def test_sessions_are_capped_least_recent_first(tmp_path: Path) -> None:
    from model.studio import sessions as module

    sessions = Sessions(Roots.of([tmp_path]), baseline_state)
    ids = [new_session_id() for _ in range(module.MAX_SESSIONS + 2)]
    for sid in ids:
        sessions.get(sid)
    assert len(sessions) == module.MAX_SESSIONS


# -- export and opening --------------------------------------------------------------------
def test_exported_scenario_reproduces_the_siting_with_run(tmp_path: Path) -> None:
    from model.cli import main
    from model.studio.export import export_run

    session = new_session(tmp_path)
    session.edit("wood NE", lambda d: edits.add_to_lock_set(d, "wood", "sychyovsky"))
    session.edit("wood NE", lambda d: edits.add_to_lock_set(d, "wood", "novoduginsky"))
    session.edit("no city", lambda d: edits.ban_site(d, None, "smolensk"))
    session.edit("coop", lambda d: edits.set_key(d, "weights.coop=1.5"))
    studio_result = session.result
    assert studio_result is not None and studio_result.status == "optimal"
    folder = export_run(session, Roots.of([tmp_path]))
    again = export_run(session, Roots.of([tmp_path]))
    assert folder != again and folder.parent == again.parent == tmp_path / "runs"
    exported = folder / "scenario.yaml"
    assert (folder / "summary.json").is_file() and (folder / "report.html").is_file()
    out = tmp_path / "cli-run"
    assert main(["run", str(exported), "--out", str(out), "--quiet"]) == 0
    reread = solve_scenario_file(exported)
    assert cores(reread) == cores(studio_result)
    assert reread.objective == pytest.approx(studio_result.objective, abs=1e-9)
    assignments = (out / "assignments.csv").read_text().splitlines()
    assert len(assignments) == 1 + len(studio_result.assignments)
    # opening the exported file or the run folder restores the same scenario
    assert open_scenario_file(exported).loaded().resolved() == studio_result.loaded.resolved()
    assert open_run_folder(folder).data["rules"] == studio_result.loaded.resolved()["rules"]


def test_export_never_writes_into_an_existing_folder(tmp_path: Path) -> None:
    from model.studio.export import export_run

    runs = tmp_path / "runs"
    runs.mkdir()
    keep = runs / "mine.txt"
    keep.write_text("planner's file")
    session = new_session(tmp_path)
    session.ensure_solved()
    folder = export_run(session, Roots.of([tmp_path]))
    assert folder.name.startswith("studio-baseline-")
    assert sorted(p.name for p in runs.iterdir()) == sorted(["mine.txt", folder.name])
    assert keep.read_text() == "planner's file"


# -- views -----------------------------------------------------------------------------------
def test_views_handle_nothing_sited_and_objective_zero(tmp_path: Path, region: Any) -> None:
    pytest.importorskip("plotly", reason="the studio extra (dev installs it)")
    from model.studio.views import map_figure, siting_rows, term_rows

    loaded = load_scenario(BASELINE)
    figure = map_figure(None, region, loaded.scenario.rules, None)
    assert figure["data"] and siting_rows(None) == [] and term_rows(None) == []
    zero = PersistentSession().solve(
        load_scenario(BASELINE, ["weights.fit=0", "weights.export=0", "weights.member=0",
                                 "weights.coop=0"]), region
    )
    assert zero.objective == 0
    assert ["objective", "0.0000"] in term_rows(zero)
    none_sited = PersistentSession().solve(
        load_scenario(BASELINE, ["rules.sites={default: {min: 0, max: 0}}"]), region
    )
    assert none_sited.status == "optimal" and siting_rows(none_sited) == []
    drawn = map_figure(none_sited, region, loaded.scenario.rules, "smolensk")
    names = [t["name"] for t in drawn["data"]]
    assert "districts" in names and not set(names) & set(region.clusters)


def test_why_here_and_why_not_there(region: Any) -> None:
    pytest.importorskip("plotly", reason="the studio extra (dev installs it)")
    from model.studio.views import runner_up_text, why_here, why_not_there

    session = PersistentSession()
    result = session.solve(load_scenario(BASELINE), region)
    explained = why_here(result, "wood", session)
    assert explained is not None and explained.core == "gagarinsky"
    forbid = "rules.forbid=[{cluster: wood, district: gagarinsky}]"
    fresh = solve(load_scenario(BASELINE, [forbid]), region)
    assert explained.runner.objective == pytest.approx(fresh.objective, abs=1e-9)
    new_core = next(d for k, d in fresh.core_set() if k == "wood")
    assert explained.runner.districts == [new_core]
    assert "runner-up without Gagarinsky" in runner_up_text(result, explained)
    lines = why_not_there(result, "wood", "vyazemsky", session)
    forced = solve(load_scenario(BASELINE, ["rules.lock=[{cluster: wood, district: vyazemsky}]"]),
                   region)
    assert f"{result.objective - forced.objective:.4f} less than now" in lines[-1]
    assert session.solve(load_scenario(BASELINE), region).objective == result.objective


# -- the server ------------------------------------------------------------------------------
def _action_request(
    dependencies: list[dict[str, Any]], sid: str, trigger: Any, state: dict[str, Any]
) -> bytes:
    """The request the page sends for one planner action (the action callback's outputs,
    inputs and state as /_dash-dependencies lists them): ``trigger`` is a component id
    whose n_clicks becomes 1, ``state`` the values of the state components."""
    act = next(d for d in dependencies if d["output"].startswith("..export-link.children"))
    outputs = []
    for part in act["output"].strip(".").split("..."):
        ident, prop = part.rsplit(".", 1)
        outputs.append({"id": ident, "property": prop})
    click = {"id": trigger, "property": "n_clicks", "value": 1}
    inputs: list[Any] = []
    for dep in act["inputs"]:
        if dep["id"].startswith("{"):
            pattern = set(json.loads(dep["id"]))
            hit = isinstance(trigger, dict) and set(trigger) == pattern
            inputs.append([click] if hit else [])
        else:
            value = 1 if dep["id"] == trigger else None
            inputs.append({"id": dep["id"], "property": dep["property"], "value": value})
    known = {"sid": sid, **state}
    states = [
        {"id": d["id"], "property": d["property"], "value": known.get(d["id"])}
        for d in act["state"]
    ]
    changed = json.dumps(trigger, separators=(",", ":"), sort_keys=True) if isinstance(
        trigger, dict) else trigger
    return json.dumps({
        "output": act["output"], "outputs": outputs, "inputs": inputs, "state": states,
        "changedPropIds": [f"{changed}.n_clicks"],
    }).encode()


def _ban_request(dependencies: list[dict[str, Any]], sid: str, district: str) -> bytes:
    """The request the page sends when the planner clicks "ban every type" in ``district``."""
    return _action_request(
        dependencies, sid, {"k": "*", "site": "ban"}, {"district": district}
    )


def test_open_and_compare_through_the_app(tmp_path: Path) -> None:
    pytest.importorskip("dash", reason="the studio extra (dev installs it)")
    from model.studio.export import export_run
    from model.studio.server import make_studio

    other = tmp_path / "scenarios" / "coop3.yaml"
    other.parent.mkdir()
    other.write_text(f"name: coop3\nextends: {BASELINE}\nweights: {{coop: 3}}\n")
    inside = tmp_path / "scenarios" / "coop2.yaml"
    inside.write_text(yaml.safe_dump({**baseline_state().data, "name": "coop2",
                                      "weights": {"coop": 2}}))
    app, sessions = make_studio(BASELINE, Roots.of([tmp_path]))
    client = app.server.test_client()
    dependencies = client.get("/_dash-dependencies").get_json()
    sid = new_session_id()

    def act(trigger: str, path: str) -> dict[str, Any]:
        body = _action_request(dependencies, sid, trigger, {"open-path": path})
        answer = client.post("/_dash-update-component", data=body,
                             content_type="application/json")
        assert answer.status_code == 200
        return answer.get_json()["response"]

    # a scenario that extends a file outside the roots is refused; one inside opens
    refused = act("open", "scenarios/coop3.yaml")
    assert "outside the roots" in refused["message"]["children"]
    opened = act("open", "scenarios/coop2.yaml")
    assert opened["message"]["children"] == "open scenarios/coop2.yaml"
    session = sessions.get(sid)
    assert session.state.data["weights"]["coop"] == 2
    assert "name: coop2" in opened["yaml"]["value"]
    # compared with a saved run of the baseline: the moved cores are marked
    base = new_session(tmp_path)
    base.ensure_solved()
    folder = export_run(base, Roots.of([tmp_path]))
    compared = act("compare", str(folder.relative_to(tmp_path)))
    text = json.dumps(compared["comparison"]["children"])
    assert "this scenario" in text and str(folder.relative_to(tmp_path)) in text
    assert session.result is not None and base.result is not None
    moved = {k for k in base.result.instance.types
             if {d for t, d in session.result.core_set() if t == k}
             != {d for t, d in base.result.core_set() if t == k}}
    assert moved and all(f"{k} *" in text for k in moved)
    for bad in ("../etc/passwd", "/etc/passwd"):
        assert act("open", bad)["message"]["children"].startswith("refused: ")


def test_server_survives_a_browser_closing_mid_solve(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("dash", reason="the studio extra (dev installs it)")
    import urllib.request

    from model.studio import sessions as module
    from model.studio.server import make_studio, start

    solving = threading.Event()

    class Slow(PersistentSession):
        def solve(self, loaded: Any, region: Any) -> Any:
            solving.set()
            time.sleep(1.0)
            return super().solve(loaded, region)

    monkeypatch.setattr(module, "PersistentSession", Slow)
    app, sessions = make_studio(BASELINE, Roots.of([tmp_path]))
    server, _ = start(app, "127.0.0.1", 0)
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        with urllib.request.urlopen(f"{base}/_dash-dependencies", timeout=10) as answer:
            dependencies = json.load(answer)
        sid = new_session_id()
        body = _ban_request(dependencies, sid, "smolensk")
        raw = socket.create_connection(("127.0.0.1", server.server_port))
        raw.sendall(
            b"POST /_dash-update-component HTTP/1.1\r\nHost: studio\r\nContent-Type: "
            b"application/json\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n"
            + body
        )
        assert solving.wait(20)
        raw.close()  # the browser goes away while its change is being solved
        session = sessions.get(sid)
        with session.lock:  # the solve finishes and is kept for the session
            assert session.message == "ban every type in smolensk"
        with urllib.request.urlopen(f"{base}/", timeout=10) as page:
            assert page.status == 200
        request = urllib.request.Request(
            f"{base}/_dash-update-component", data=_ban_request(dependencies, sid, "gagarinsky"),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            reply = json.load(answer)
        assert reply["response"]["message"]["children"] == "ban every type in gagarinsky"
        assert [e.label for e in session.state.history] == [
            "ban every type in smolensk", "ban every type in gagarinsky"
        ]
    finally:
        server.shutdown()


def test_files_route_serves_only_run_folders_under_the_roots(tmp_path: Path) -> None:
    pytest.importorskip("dash", reason="the studio extra (dev installs it)")
    from model.studio.export import export_run
    from model.studio.server import make_studio

    (tmp_path / "notes.md").write_text("private")
    app, sessions = make_studio(BASELINE, Roots.of([tmp_path]))
    session = sessions.get(new_session_id())
    session.ensure_solved()
    folder = export_run(session, sessions.roots)
    client = app.server.test_client()
    rel = folder.relative_to(tmp_path)
    assert client.get(f"/studio-files/{rel}/report.html").status_code == 200
    assert b"name: baseline" in client.get(f"/studio-files/{rel}/scenario.yaml").data
    for bad in ("notes.md", "../etc/passwd", f"{rel}/../../notes.md", f"{rel}/missing.html",
                f"{rel}/../../../../../../../../etc/passwd"):
        assert client.get(f"/studio-files/{bad}").status_code == 404, bad
    # a doubled slash does not reach the route; Dash answers with its page, not the file
    answer = client.get("/studio-files//etc/passwd")
    assert b"root:" not in answer.data and b"react-entry-point" in answer.data


def test_command_without_the_extra_names_it(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    import builtins

    from model.cli import main

    real_import = builtins.__import__

    def no_dash(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "dash" or name.startswith("dash."):
            raise ImportError("no dash")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_dash)
    assert main(["studio", str(BASELINE)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "clustersite[studio]" in err[0]


def test_command_refuses_bad_options(tmp_path: Path, capsys: Any) -> None:
    pytest.importorskip("dash", reason="the studio extra (dev installs it)")
    from model.cli import main

    assert main(["studio", "--port", "70000"]) == 2
    assert main(["studio", "--time-cap", "0"]) == 2
    assert main(["studio", "--root", str(tmp_path / "missing")]) == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nweights: {fit: -1}\n")
    assert main(["studio", str(bad), "--root", str(tmp_path)]) == 2
    elsewhere = tmp_path / "region"
    elsewhere.mkdir()
    out_of_roots = tmp_path / "sub"
    out_of_roots.mkdir()
    (tmp_path / "r.yaml").write_text(yaml.safe_dump({"name": "r", "region": str(elsewhere)}))
    assert main(["studio", str(tmp_path / "r.yaml"), "--root", str(out_of_roots)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 5 and all(line.startswith("error: ") for line in lines)
    assert os.path.isdir(tmp_path / "sub") and not (tmp_path / "sub" / "runs").exists()


def test_compare_with_a_saved_run_and_with_another_scenario(tmp_path: Path, region: Any) -> None:
    from model.saved import check_saved_folder
    from model.studio.export import export_run
    from model.studio.views import compare_rows, sitings_of

    session = new_session(tmp_path)
    session.ensure_solved()
    folder = export_run(session, Roots.of([tmp_path]))
    _, summary, _ = check_saved_folder(folder)
    same = compare_rows(session.result, summary, "saved")
    assert same[0] == ["", "this scenario", "saved"]
    assert not any(row[0].endswith("*") for row in same)
    assert all(row[1] == row[2] for row in same[1:])  # cores, members, objective and terms
    other = solve(load_scenario(BASELINE, ["rules.forbid=[{district: smolensk}]"]), region)
    rows = compare_rows(session.result, sitings_of(other), "no city")
    moved = {row[0].removesuffix(" *") for row in rows if row[0].endswith("*")}
    assert session.result is not None
    expected = {
        k for k in region.clusters
        if {d for t, d in session.result.core_set() if t == k}
        != {d for t, d in other.core_set() if t == k}
    }
    assert moved == expected and "machinery" in moved  # machinery sat in the city


def test_opening_a_run_folder_restores_its_scenario_and_undo_comes_back(tmp_path: Path) -> None:
    from model.studio.export import export_run

    session = new_session(tmp_path)
    session.edit("no city", lambda d: edits.ban_site(d, None, "smolensk"))
    saved_cores = cores(session.result)
    folder = export_run(session, Roots.of([tmp_path]))
    fresh = new_session(tmp_path)
    fresh.ensure_solved()
    assert fresh.replace(open_run_folder(folder), "open the run")
    assert fresh.state.data["rules"]["forbid"] == [{"cluster": None, "district": "smolensk"}]
    assert cores(fresh.result) == saved_cores
    assert fresh.undo()
    assert fresh.state.data == baseline_state().data


def test_infeasible_settings_show_the_diagnosis_over_the_last_siting(tmp_path: Path) -> None:
    pytest.importorskip("dash", reason="the studio extra (dev installs it)")
    from model.studio.app import VIEW_OUTPUTS, render
    from model.studio.controls import scalar_controls

    session = new_session(tmp_path)
    session.ensure_solved()
    good = cores(session.result)
    assert session.edit("no room", lambda d: edits.set_key(d, "rules.max_clusters_per_district=0"))
    outputs = dict(zip((i for i, _ in VIEW_OUTPUTS), render(session, scalar_controls(), None, None),
                       strict=True))
    figure = outputs["map"]
    assert "last feasible siting" in figure["layout"]["title"]["text"]
    stars = {(t["customdata"][0].split("|")[0], t["name"]) for t in figure["data"]
             if t["name"] in session.state.data["rules"]["clusters"]}
    assert {(d, k) for k, d in good} == stars
    text = str(outputs["diagnosis"])
    assert "No siting satisfies these settings" in text
    assert session.result is not None
    assert all(line in text for line in session.result.diagnosis)
    assert "max_clusters_per_district" in text
