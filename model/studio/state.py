"""A studio session's scenario: plain scenario data, its undo history, its last good siting.

The studio has no format of its own: its state *is* a scenario, held as the resolved data that
``summary.json`` keeps (every key filled in, ``extends`` folded in) and validated by the same
schema as every scenario file (:func:`model.scenario.validate_scenario`, then the names checked
against the region). Every edit below is a pure function from scenario data to new scenario
data; :class:`ScenarioState` keeps the data only when it validates, so a refused edit changes
nothing. Export writes the data back as scenario YAML.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from model.errors import InputError
from model.region import is_shipped, resolve_region_path
from model.scenario import (
    LoadedScenario,
    _apply_override,
    load_scenario,
    parse_override,
    validate_scenario,
)
from model.tables import parse_yaml

MAX_HISTORY = 200
MAX_YAML_CHARS = 256 * 1024
EDITOR_FILE = "<studio editor>"

Data = dict[str, Any]


# -- edits: scenario data in, new scenario data out -----------------------------------------
def _rules(data: Data) -> dict[str, Any]:
    return data.setdefault("rules", {})


def _lock_places(entry: dict[str, Any]) -> list[str]:
    if entry.get("districts"):
        return list(entry["districts"])
    return [entry["district"]] if entry.get("district") else []


def clear_site(data: Data, cluster: str | None, district: str) -> Data:
    """No lock and no ban of ``cluster`` (None: the every-type ban) in ``district``."""
    out = copy.deepcopy(data)
    rules = _rules(out)
    rules["forbid"] = [
        p for p in rules.get("forbid", [])
        if not (p.get("district") == district and p.get("cluster") == cluster)
    ]
    locks = []
    for entry in rules.get("lock", []):
        if cluster is not None and entry.get("cluster") == cluster:
            places = [d for d in _lock_places(entry) if d != district]
            if not places:
                continue
            if len(places) != len(_lock_places(entry)):
                entry = _lock_entry(cluster, places, as_set=bool(entry.get("districts")))
        locks.append(entry)
    rules["lock"] = locks
    return out


def _lock_entry(cluster: str, places: list[str], as_set: bool) -> dict[str, Any]:
    if as_set:
        return {"cluster": cluster, "district": None, "districts": places}
    return {"cluster": cluster, "district": places[0], "districts": None}


def lock_site(data: Data, cluster: str, district: str) -> Data:
    """A core of ``cluster`` must sit in ``district`` (its ban there lifted)."""
    out = clear_site(data, cluster, district)
    _rules(out)["lock"].append(_lock_entry(cluster, [district], as_set=False))
    return out


def add_to_lock_set(data: Data, cluster: str, district: str) -> Data:
    """``district`` joins the type's lock set: a core in one of the set's districts."""
    out = clear_site(data, cluster, district)
    locks = _rules(out)["lock"]
    for index, entry in enumerate(locks):
        if entry.get("cluster") == cluster and entry.get("districts"):
            locks[index] = _lock_entry(cluster, [*entry["districts"], district], as_set=True)
            return out
    locks.append(_lock_entry(cluster, [district], as_set=True))
    return out


def ban_site(data: Data, cluster: str | None, district: str) -> Data:
    """No core of ``cluster`` (None: of any type) in ``district``."""
    out = clear_site(data, cluster, district)
    _rules(out)["forbid"].append({"cluster": cluster, "district": district})
    return out


def toggle_group(data: Data, group: str, district: str) -> Data:
    """``district`` joins the named group, or leaves it (a group left empty is dropped)."""
    out = copy.deepcopy(data)
    groups = _rules(out).setdefault("groups", [])
    for index, entry in enumerate(groups):
        if entry.get("name") == group:
            members = list(entry.get("districts", []))
            members = [d for d in members if d != district] if district in members else [
                *members, district
            ]
            if members:
                groups[index] = {**entry, "districts": members}
            else:
                del groups[index]
            return out
    groups.append({"name": group, "districts": [district], "max_sites": None, "min_sites": 0,
                   "types": None})
    return out


def set_key(data: Data, text: str) -> Data:
    """``KEY=VALUE`` applied as ``--set`` applies it on the command line."""
    out = copy.deepcopy(data)
    parts, value = parse_override(text)
    _apply_override(out, parts, value, text)
    return out


def from_yaml(text: str) -> Data:
    """Scenario data typed into the raw editor (read with the loader's YAML limits)."""
    if len(text) > MAX_YAML_CHARS:
        raise InputError(EDITOR_FILE, None, f"more than {MAX_YAML_CHARS} characters")
    try:
        data = parse_yaml(text)
    except yaml.YAMLError as err:
        raise InputError(EDITOR_FILE, None, f"not YAML: {str(err).splitlines()[0]}") from err
    if not isinstance(data, dict):
        raise InputError(EDITOR_FILE, None, "expected a mapping of scenario keys")
    if data.get("extends") is not None:
        raise InputError(
            EDITOR_FILE, "extends", "the editor holds a whole scenario; open the file instead"
        )
    return {str(k): v for k, v in data.items()}


def to_yaml(data: Data) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


# -- the state ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Entry:
    label: str
    data: Data


@dataclass
class ScenarioState:
    """The scenario a session shows, with where it came from and its undo history."""

    data: Data
    base_dir: Path  # relative region paths resolve here
    source: str  # the file or run folder it was opened from, for error messages
    history: list[Entry] = field(default_factory=list)

    def loaded(self, data: Data | None = None) -> LoadedScenario:
        """Validate (the schema of every scenario file) and wrap ``data`` (default: ours)."""
        data = self.data if data is None else data
        scenario = validate_scenario(copy.deepcopy(data), self.source)
        return LoadedScenario(scenario, self.base_dir / Path(self.source).name, [], [])

    def region_path(self, data: Data | None = None) -> Path:
        return resolve_region_path(str((data or self.data).get("region", "")), self.base_dir)

    def commit(self, label: str, data: Data) -> bool:
        """Keep ``data`` (already validated) as the new state; False when nothing changed."""
        if data == self.data:
            return False
        self.history.append(Entry(label, self.data))
        del self.history[:-MAX_HISTORY]
        self.data = data
        return True

    def undo(self) -> str | None:
        """Back to the state before the last edit; its label, or None with nothing to undo."""
        if not self.history:
            return None
        entry = self.history.pop()
        self.data = entry.data
        return entry.label

    def export_data(self, folder: Path) -> Data:
        """The data as a scenario file in ``folder`` must hold it (region path still right)."""
        out = copy.deepcopy(self.data)
        region = str(out.get("region", ""))
        if not is_shipped(region):
            out["region"] = str(self.region_path())
        out["extends"] = None
        return out


def open_scenario_file(path: Path) -> ScenarioState:
    """A scenario file (extends chain and all) read by the CLI's loader."""
    loaded = load_scenario(path)
    data = loaded.resolved()
    region = str(data.get("region", ""))
    if not is_shipped(region):
        data["region"] = str(loaded.region_path())
    data["extends"] = None
    return ScenarioState(data, path.parent, str(path))


def open_run_folder(folder: Path) -> ScenarioState:
    """The scenario a saved run was solved with (summary.json checked like ``rerun``'s)."""
    from model.rerun import read_saved_run, saved_scenario

    saved = read_saved_run(folder)
    loaded = saved_scenario(saved)
    data = loaded.resolved()
    return ScenarioState(data, folder, str(folder / "summary.json"))
