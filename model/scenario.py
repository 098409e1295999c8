"""Scenario files (README, "Scenario reference"): a strict schema, ``extends``, ``--set``.

Every key is declared with a default and a one-line description; a misspelt key, a wrong type or
an out-of-range value is an :class:`InputError` naming the file and the dotted key path.
References to districts (id, name or local name) and cluster types (id or name), in any letter
case, are checked against the region and resolved to ids by :func:`check_against_region`.

Composition order: the ``extends`` chain from the root ancestor down to the file itself (each
file's keys override its parent's, mappings merge key by key, lists are replaced whole), then the
command-line overrides in the order given.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import ErrorDetails

from model.errors import InputError
from model.region import ClusterType, Region, is_shipped, resolve_region_path
from model.tables import load_yaml, parse_yaml, shown, yaml_problem

BIG = 1e9  # upper bound for weights, radii and costs: finite and far above any sensible value
MAX_COUNT = 1_000_000
MAX_EXTENDS_DEPTH = 32
# a number in exponent notation without a dot (1e-05), which YAML 1.1 reads as text
_NUMBER = re.compile(r"[-+]?[0-9]+(\.[0-9]*)?[eE][-+]?[0-9]+")

FiniteNonNegative = Annotated[float, Field(ge=0, le=BIG)]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
Id = Annotated[str, Field(min_length=1, max_length=200)]


class _Strict(BaseModel):
    """Base: unknown keys are errors, no type coercion, no NaN or infinity, immutable."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


class Weights(_Strict):
    fit: FiniteNonNegative = Field(1.0, description="weight of specialization fit of a core")
    export: FiniteNonNegative = Field(1.0, description="weight of export orientation of a core")
    member: FiniteNonNegative = Field(0.5, description="weight of member districts' fit × link")
    coop: FiniteNonNegative = Field(1.0, description="weight of cooperation between cores")


class Indicators(_Strict):
    lq_cap: float = Field(3.0, gt=0, le=BIG, description="location quotients are capped here")
    link_tau: float = Field(60.0, gt=0, le=BIG, description="decay time τ of link = exp(-t/τ)")
    link_max_minutes: FiniteNonNegative = Field(
        120.0, description="link is 0 beyond this travel time"
    )
    member_max_minutes: FiniteNonNegative = Field(
        60.0, description="a member lies within this travel time of its core"
    )
    fit: Literal["lq", "stars", "critical_mass"] = Field(
        "critical_mass",
        description="specialization fit: lq (capped LQ), stars (Cluster Observatory stars / 3) "
        "or critical_mass (capped LQ damped below a critical size)",
    )
    critical_mass: float = Field(
        0.2,
        gt=0,
        le=BIG,
        description="size from which a sector gets full credit (fit: critical_mass); in the "
        "activity unit, or a share of the sector's regional total (critical_mass_kind: share)",
    )
    critical_mass_kind: Literal["share", "absolute"] = Field(
        "share",
        description="share: size = the district's share of the sector's regional activity; "
        "absolute: size = the activity itself",
    )
    intra_district: Literal["none", "disc"] = Field(
        "disc",
        description="none: two cores in one district are perfectly linked (link 1); disc: they "
        "are as far apart as the mean distance to the centre of a disc of the district's area",
    )
    intra_speed_kmh: float = Field(
        40.0, gt=0, le=BIG, description="road speed within a district (intra_district: disc)"
    )
    intra_detour: float = Field(
        1.3, ge=1, le=BIG, description="detour factor within a district (intra_district: disc)"
    )


class BorderRule(_Strict):
    enforce: bool = Field(True, description="cross-border types need a crossing within reach")
    max_minutes: FiniteNonNegative = Field(60.0, description="reach of a crossing, minutes")
    types: list[Id] | None = Field(
        None,
        description="types the rule applies to (id or name); null = those flagged cross_border",
    )

    def applies_to(self, cluster: ClusterType) -> bool:
        """Whether a core of this type must lie within reach of a crossing."""
        chosen = cluster.cross_border if self.types is None else cluster.id in self.types
        return self.enforce and chosen


class CorridorRule(_Strict):
    enforce: bool = Field(True, description="corridor types need a federal road within reach")
    max_minutes: FiniteNonNegative = Field(30.0, description="reach of a federal road, minutes")
    types: list[Id] | None = Field(
        None,
        description="types the rule applies to (id or name); null = those flagged needs_corridor",
    )

    def applies_to(self, cluster: ClusterType) -> bool:
        """Whether a core of this type must lie within reach of a federal road."""
        chosen = cluster.needs_corridor if self.types is None else cluster.id in self.types
        return self.enforce and chosen


class SiteRange(_Strict):
    min: Count | None = Field(
        None, description="least number of cores of the type (null: `default`'s, else 1)"
    )
    max: Count | None = Field(
        None, description="largest number of cores of the type (null: `default`'s, else 1)"
    )


class Group(_Strict):
    name: Id = Field(description="name of the group, shown in reports")
    districts: list[Id] = Field(
        min_length=1, description="districts in the group (id, name or local name)"
    )
    max_sites: Count | None = Field(None, description="at most this many cores in the group")
    min_sites: Count = Field(0, description="at least this many cores in the group")
    types: list[Id] | None = Field(
        None,
        min_length=1,
        description="the floor and cap count only cores of these types (id or name); "
        "null = every type",
    )

    def counts(self, cluster: str) -> bool:
        """Whether a core of this type counts toward the group's floor and cap."""
        return self.types is None or cluster in self.types


class SitePick(_Strict):
    """An entry of rules.forbid: one type banned from a district, or every type."""

    cluster: Id | None = Field(
        None, description="cluster type (id or name); omitted or null = every type"
    )
    district: Id = Field(description="district (id, name or local name)")

    def bans(self, cluster: str, district: str) -> bool:
        """Whether this entry bans a core of ``cluster`` in ``district``."""
        return self.district == district and self.cluster in (None, cluster)


class Lock(_Strict):
    """An entry of rules.lock: at least one core of the type in the district, or in one of the
    districts of a set."""

    cluster: Id = Field(description="cluster type (id or name)")
    district: Id | None = Field(
        None, description="district (id, name or local name); give this or `districts`"
    )
    districts: list[Id] | None = Field(
        None,
        min_length=1,
        description="at least one core of the type in one of these districts; give this "
        "or `district`",
    )

    @model_validator(mode="before")
    @classmethod
    def _one_place(cls, data: Any) -> Any:
        if isinstance(data, dict):
            given = [key for key in ("district", "districts") if data.get(key) is not None]
            if not given:
                # reported as the missing key rules.lock[n].district
                raise ValidationError.from_exception_data(
                    "Lock", [{"type": "missing", "loc": ("district",), "input": data}]
                )
            if len(given) == 2:
                raise ValueError("give district or districts, not both")
        return data

    @property
    def places(self) -> tuple[str, ...]:
        """The districts of the lock: one, or the set (a core in any one of them meets it)."""
        if self.districts is not None:
            return tuple(dict.fromkeys(self.districts))
        return (self.district,) if self.district is not None else ()

    def describe(self) -> str:
        """'wood in gagarinsky' or 'wood in one of gagarinsky, sychyovsky'."""
        places = self.places
        where = places[0] if len(places) == 1 else "one of " + ", ".join(places)
        return f"{self.cluster} in {where}"


class Budget(_Strict):
    limit: FiniteNonNegative = Field(description="total cost of all cores may not exceed this")
    default_cost: FiniteNonNegative = Field(1.0, description="cost of a core in a district")
    costs: dict[Id, FiniteNonNegative] = Field(
        default_factory=dict,
        description="per-district (id, name or local name) cost of a core, overriding the default",
    )


class Rules(_Strict):
    border: BorderRule = Field(default_factory=BorderRule, description="border reach rule")
    corridor: CorridorRule = Field(default_factory=CorridorRule, description="corridor rule")
    max_clusters_per_district: Count = Field(2, description="cores allowed in one district")
    max_members: Count = Field(4, description="member districts allowed per core")
    sites: dict[Id, SiteRange] = Field(
        default_factory=lambda: {"default": SiteRange(min=1, max=1)},
        description="cores per type: `default` and per-type (id or name) overrides of min/max",
    )
    clusters: list[Id] | None = Field(
        None, description="types to site (id or name); null = whole catalogue"
    )
    min_border_sites: Count = Field(0, description="least number of cores in border districts")
    groups: list[Group] = Field(default_factory=list, description="caps/floors on named groups")
    lock: list[Lock] = Field(
        default_factory=list,
        description="cores that must be sited: a type in a district, or in one of a set",
    )
    forbid: list[SitePick] = Field(
        default_factory=list,
        description="cores that may not be sited: a type, or every type, in a district",
    )
    budget: Budget | None = Field(None, description="budget over per-site costs; null = none")
    greenfield: bool = Field(
        False,
        description="allow a core where the district has no activity in the type's sectors "
        "(such a core is flagged greenfield)",
    )

    def forbids(self, cluster: str, district: str) -> bool:
        """Whether rules.forbid bans a core of ``cluster`` in ``district``."""
        return any(pick.bans(cluster, district) for pick in self.forbid)

    def site_range(self, cluster: str) -> tuple[int, int]:
        """Resolved (min, max) cores for a type: its own entry over `default` over (1, 1)."""
        default = self.sites.get("default", SiteRange())
        own = self.sites.get(cluster, SiteRange())
        lo = own.min if own.min is not None else (default.min if default.min is not None else 1)
        hi = own.max if own.max is not None else (default.max if default.max is not None else 1)
        return lo, hi


class SolverSettings(_Strict):
    name: Id = Field("highs", description="solver name (highs, or any installed solver)")
    time_limit: float | None = Field(60.0, gt=0, le=BIG, description="seconds; null = none")
    mip_gap: float = Field(0.0, ge=0, le=1, description="relative optimality gap to stop at")
    abs_gap: float | None = Field(
        None, ge=0, le=BIG, description="absolute optimality gap to stop at; null = solver's"
    )
    threads: int | None = Field(None, ge=1, le=4096, description="threads; null = solver's")
    seed: Count = Field(0, description="random seed of the solver")
    presolve: bool | None = Field(
        None,
        description="presolve on/off; null = off for HiGHS on the siting model (faster on "
        "every instance measured), the solver's default otherwise",
    )
    log_file: str | None = Field(
        None, min_length=1, description="write the solver's log to this file; null = no log"
    )
    options: dict[str, str | int | float | bool] = Field(
        default_factory=dict, description="raw options passed to the solver as given"
    )
    cooperation: Literal["auto", "pairs", "compact"] = Field(
        "auto",
        description="cooperation terms: one variable per pair of cores (pairs), one per core "
        "and partner type (compact, docs/model.md §5.1), or compact from 1,000,000 pairs on "
        "(auto); the optimum is the same",
    )
    search_rounds: Annotated[int, Field(ge=0, le=100_000)] | Literal["auto"] = Field(
        "auto",
        description="rounds of ruin and recreate that improve HiGHS's MIP start (docs/model.md "
        "§5.2), drawn with seed; auto = none below 100,000 cooperating pairs, 400 from there "
        "on; at most half of time_limit is spent on them",
    )
    bound_rounds: Annotated[int, Field(ge=0, le=100_000)] | Literal["auto"] = Field(
        "auto",
        description="subgradient rounds of a Lagrangian bound on the optimum, computed before "
        "HiGHS runs and reported beside its bound (docs/model.md §5.3); auto = none below "
        "100,000 cooperating pairs, 300 from there on; none starts after three quarters of "
        "time_limit",
    )


Term = Literal["fit", "export", "member", "coop"]
Tolerance = Annotated[
    float | Annotated[str, Field(pattern=r"^\s*[0-9]+(\.[0-9]+)?\s*%\s*$", max_length=20)],
    Field(description="absolute number >= 0, or a percentage of the level's optimum"),
]


class Objective(_Strict):
    """How the four terms make one objective (model/objective_modes.py, docs/model.md §5)."""

    order: list[Term] | None = Field(
        None,
        min_length=1,
        max_length=4,
        description="lexicographic order of terms, e.g. [fit, coop]: each maximised in turn "
        "with the ones before held at their optimum less their tolerance, then the weighted "
        "sum among what is left; null = the weighted sum",
    )
    tolerance: list[Tolerance] | Tolerance = Field(
        0.0,
        description="give of each lexicographic level below its optimum: one for every level "
        "or one per level; a number (absolute) or a text ending in % (of the level's optimum)",
    )
    normalised: bool = Field(
        False,
        description="read the weights as shares of each term's range on the payoff table "
        "(w_t = share_t / (ideal_t - nadir_t)), so that the terms' units do not matter",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Objective:
        if self.order is not None:
            if len(set(self.order)) != len(self.order):
                raise ValueError("a term is named twice in objective.order")
            if isinstance(self.tolerance, list) and len(self.tolerance) not in (1, len(self.order)):
                raise ValueError(
                    f"objective.tolerance: give one tolerance or {len(self.order)} (one per "
                    f"level), got {len(self.tolerance)}"
                )
            if self.normalised:
                raise ValueError("objective.order and objective.normalised exclude each other")
        elif self.tolerance not in (0, 0.0, [0], [0.0]):
            raise ValueError("objective.tolerance goes with objective.order")
        for value in self.tolerance if isinstance(self.tolerance, list) else [self.tolerance]:
            if isinstance(value, float | int) and not (0 <= value <= BIG):
                raise ValueError(f"objective.tolerance: expected a number >= 0, got {value}")
        return self

    def tolerances(self) -> list[str]:
        """One tolerance text per level of ``order`` (as ``model.payoff`` reads them)."""
        levels = len(self.order or [])
        given = self.tolerance if isinstance(self.tolerance, list) else [self.tolerance]
        texts = [str(v).strip() for v in given]
        return texts * levels if len(texts) == 1 else texts

    @property
    def weighted(self) -> bool:
        """True for the plain weighted sum (no order, weights not normalised)."""
        return self.order is None and not self.normalised


class Scenario(_Strict):
    name: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$",
        max_length=100,
        description="scenario name; run folders and reports use it",
    )
    description: str = Field("", description="one paragraph for the report")
    extends: str | None = Field(None, description="scenario file this one starts from")
    region: str = Field("smolensk", min_length=1, description="shipped region name or a path")
    weights: Weights = Field(default_factory=Weights, description="objective weights")
    objective: Objective = Field(
        default_factory=Objective,
        description="weighted sum (default), lexicographic order, or normalised weights",
    )
    indicators: Indicators = Field(default_factory=Indicators, description="indicator settings")
    rules: Rules = Field(default_factory=Rules, description="siting rules and policy")
    solver: SolverSettings = Field(default_factory=SolverSettings, description="solver settings")


@dataclass(frozen=True)
class LoadedScenario:
    """A validated scenario with where it came from."""

    scenario: Scenario
    path: Path | None  # the file named by the user (None for scenarios built in Python)
    chain: list[str] = field(default_factory=list)  # files of the extends chain, root first
    overrides: list[str] = field(default_factory=list)  # --set KEY=VALUE as given

    @property
    def base_dir(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    def region_path(self) -> Path:
        return resolve_region_path(self.scenario.region, self.base_dir)

    def resolved(self) -> dict[str, Any]:
        """The scenario after extends and overrides, as plain data for summary.json."""
        return self.scenario.model_dump(mode="json")


def _merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _record_origin(data: Any, prefix: tuple[str, ...], file: str, origin: dict[tuple, str]) -> None:
    origin[prefix] = file
    if isinstance(data, dict):
        for key, value in data.items():
            _record_origin(value, (*prefix, str(key)), file, origin)


def _read_chain(path: Path, seen: list[Path]) -> tuple[dict[str, Any], list[Path], dict]:
    """Read a file and its ancestors; return merged data, the chain root first, key origins."""
    resolved = path.resolve()
    if resolved in seen:
        cycle = " -> ".join(str(p) for p in [*seen, resolved])
        raise InputError(path, "extends", f"cycle of extends: {cycle}")
    if len(seen) >= MAX_EXTENDS_DEPTH:
        raise InputError(path, "extends", f"extends chain deeper than {MAX_EXTENDS_DEPTH}")
    data = load_yaml(path)
    if data is None:
        raise InputError(path, None, "scenario file is empty; it needs at least `name:`")
    if not isinstance(data, dict):
        raise InputError(path, None, f"expected a mapping of keys, got {type(data).__name__}")
    data = {str(k): v for k, v in data.items()}
    parent_ref = data.get("extends")
    origin: dict[tuple, str] = {}
    if parent_ref is None:
        merged, chain = data, [resolved]
    else:
        if not isinstance(parent_ref, str) or not parent_ref:
            raise InputError(path, "extends", f"expected a file path, got {parent_ref!r}")
        parent_path = Path(parent_ref).expanduser()
        if not parent_path.is_absolute():
            parent_path = path.parent / parent_path
        if not parent_path.is_file():
            raise InputError(path, "extends", f"file not found: {parent_path}")
        parent, parent_chain, origin = _read_chain(parent_path, [*seen, resolved])
        merged, chain = _merge(parent, data), [*parent_chain, resolved]
        # a path inherited from an ancestor resolves against the ancestor's folder
        inherited = parent.get("region")
        if "region" not in data and isinstance(inherited, str) and not is_shipped(inherited):
            merged["region"] = str(resolve_region_path(inherited, parent_path.parent))
    _record_origin(data, (), str(path), origin)
    return merged, chain, origin


def parse_override(text: str) -> tuple[list[str], Any]:
    """Split ``KEY.PATH=VALUE``; the value is read as YAML (``2``, ``true``, ``[a, b]``).
    Errors quote the argument on one line (``shown``), whatever it holds."""
    argument = f"--set {shown(text)}"
    if "=" not in text:
        raise InputError(None, argument, "expected KEY=VALUE, e.g. weights.coop=2")
    key, raw = text.split("=", 1)
    parts = [p.strip() for p in key.strip().split(".")]
    if not all(parts):
        raise InputError(None, argument, "empty key")
    try:
        value = parse_yaml(raw) if raw.strip() else None
    except yaml.YAMLError as err:
        where, problem = yaml_problem(err)
        at = f" ({where.replace('line 1, ', '')})" if where else ""
        raise InputError(None, argument, f"cannot read value{at}: {problem}") from err
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        # YAML 1.1 reads 1e-05 (no dot) as text; Python writes small floats that way
        value = float(value)
    return parts, value


def _apply_override(data: dict[str, Any], parts: list[str], value: Any, text: str) -> None:
    node = data
    for depth, part in enumerate(parts[:-1]):
        child = node.get(part)
        if child is None:
            child = node[part] = {}
        if not isinstance(child, dict):
            where = ".".join(parts[: depth + 1])
            raise InputError(None, f"--set {shown(text)}", f"{where} is not a mapping")
        node = child
    node[parts[-1]] = value


def _format_loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _origin_of(loc: tuple[Any, ...], origin: dict[tuple, str], default: str) -> str:
    keys = tuple(str(p) for p in loc if not isinstance(p, int))
    for end in range(len(keys), 0, -1):
        if keys[:end] in origin:
            return origin[keys[:end]]
    return default


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The schema model that holds the key at ``loc`` (walking lists and dict values)."""
    current: Any = Scenario
    for part in loc[:-1]:
        if isinstance(current, type) and issubclass(current, BaseModel):
            field_info = current.model_fields.get(str(part))
            if field_info is None:
                return None
            current = field_info.annotation
        else:
            current = _element_type(current)
        while typing.get_origin(current) in (typing.Union, types.UnionType):
            options = [a for a in typing.get_args(current) if a is not type(None)]
            current = options[0] if len(options) == 1 else current
            if len(options) != 1:
                break
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _element_type(annotation: Any) -> Any:
    """The entry type of list[X] or dict[str, X]."""
    args = typing.get_args(annotation)
    return args[-1] if args else None


def _explain(error: ErrorDetails) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        model = _model_at(tuple(error["loc"]))
        known = f"; expected one of {', '.join(model.model_fields)}" if model else ""
        return f"unknown key{known}"
    if kind == "missing":
        return "required key is missing"
    given = error.get("input")
    shown = repr(given) if not isinstance(given, dict | list) else type(given).__name__
    return f"{error['msg']} (got {shown})"


def validate_scenario(
    data: dict[str, Any], file: str, origin: dict[tuple, str] | None = None
) -> Scenario:
    """Validate plain data against the schema; report the first problems with key paths."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        # a misspelt key is usually the cause of the other problems: report it first
        errors = sorted(err.errors(), key=lambda e: e["type"] != "extra_forbidden")
        first = errors[0]
        loc = tuple(first["loc"])
        where_file = _origin_of(loc, origin or {}, file)
        more = len(err.errors()) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        raise InputError(where_file, _format_loc(loc) or None, _explain(first) + suffix) from err


def load_scenario(
    path: Path | str,
    overrides: list[str] | None = None,
    *,
    solver: str | None = None,
    time_limit: float | None = None,
) -> LoadedScenario:
    """Read a scenario file with its extends chain, apply overrides, validate.

    ``solver`` and ``time_limit`` are the ``--solver`` and ``--time-limit`` options: applied
    after the ``--set`` overrides, and named as such in an error.
    """
    file = Path(path)
    if not file.exists():
        raise InputError(file, None, "scenario file not found")
    if not file.is_file():
        raise InputError(file, None, "scenario path is not a regular file")
    data, chain, origin = _read_chain(file, [])
    applied = list(overrides or [])
    for text in applied:
        parts, value = parse_override(text)
        _apply_override(data, parts, value, text)
        origin[tuple(parts)] = f"--set {text}"
    for option, key, value in (
        ("--solver", "name", solver),
        ("--time-limit", "time_limit", time_limit),
    ):
        if value is None:
            continue
        text = f"solver.{key}={value}"
        _apply_override(data, ["solver", key], value, text)
        origin[("solver", key)] = f"{option} {value}"
        applied.append(text)
    scenario = validate_scenario(data, str(file), origin)
    return LoadedScenario(scenario, file, [str(p) for p in chain], applied)


def scenario_from_dict(data: dict[str, Any], base_dir: Path | None = None) -> LoadedScenario:
    """Validate a scenario given as a Python mapping (notebooks, tests)."""
    scenario = validate_scenario(dict(data), "<scenario>")
    fake_path = (base_dir / "<scenario>") if base_dir else None
    return LoadedScenario(scenario, fake_path, [], [])


def _normal(text: str) -> str:
    """A reference as compared: case-folded, ё as е, runs of spaces, '-' and '_' as one space."""
    folded = unicodedata.normalize("NFC", text).casefold().replace("ё", "е")
    return " ".join(re.sub(r"[-_\s]+", " ", folded).split())


class UnresolvedNameError(ValueError):
    """A reference that names no district or type, or more than one."""


class RegionNames:
    """Resolves references to the districts or cluster types of a region.

    A reference is an id (exactly as written, which always wins), or an id, ``name`` or
    ``name_local`` compared without case, with ``ё`` as ``е`` and ``-``, ``_`` and spaces alike
    (``Kholm-Zhirkovsky``, ``kholm zhirkovsky``, ``Холм-Жирковский``).
    """

    def __init__(self, kind: str, command: str, names: dict[str, tuple[str, ...]]) -> None:
        self.kind = kind  # "district" or "cluster type"
        self.command = command  # the run.py command that lists them
        self.display = {i: next((n for n in found if n), i) for i, found in names.items()}
        self._keys: dict[str, list[str]] = {}
        for ident, found in names.items():
            for text in (ident, *found):
                if text:
                    owners = self._keys.setdefault(_normal(text), [])
                    if ident not in owners:
                        owners.append(ident)

    @classmethod
    def districts(cls, region: Region) -> RegionNames:
        frame = region.districts
        local = frame["name_local"] if "name_local" in frame.columns else None
        return cls(
            "district",
            "districts",
            {
                str(i): (
                    str(frame.at[i, "name"]),
                    str(local[i]) if local is not None and isinstance(local[i], str) else "",
                )
                for i in frame.index
            },
        )

    @classmethod
    def types(cls, region: Region) -> RegionNames:
        return cls("cluster type", "types", {k: (c.name,) for k, c in region.clusters.items()})

    def label(self, ident: str) -> str:
        """``smolensk (Smolensk (city))``: the id with its display name."""
        shown = self.display.get(ident, ident)
        return ident if shown == ident else f"{ident} ({shown})"

    def resolve(self, value: str) -> str:
        """The id a reference names; :class:`UnresolvedNameError` when it names none or several."""
        if value in self.display:
            return value
        key = _normal(value)
        owners = self._keys.get(key, [])
        if len(owners) == 1:
            return owners[0]
        if owners:
            listed = " and ".join(self.label(i) for i in owners)
            raise UnresolvedNameError(
                f"ambiguous {self.kind} {value!r}: it names {listed}; write the id"
            )
        known = list(self._keys)
        close = difflib.get_close_matches(key, known, n=6, cutoff=0.7)
        words = key.split()
        for word in words if len(words) > 1 else []:  # "Smolensk city", "Smolensky district"
            close += difflib.get_close_matches(word, known, n=3, cutoff=0.8)
        suggested = list(dict.fromkeys(i for k in close for i in self._keys[k]))[:3]
        if suggested:
            options = " or ".join(self.label(i) for i in suggested)
            raise UnresolvedNameError(f"unknown {self.kind} {value!r}; did you mean {options}?")
        raise UnresolvedNameError(
            f"unknown {self.kind} {value!r}; `python run.py {self.command}` lists the "
            f"region's {len(self.display)} {self.kind}s"
        )


def check_against_region(loaded: LoadedScenario, region: Region) -> None:
    """Check every district and cluster type the scenario names against the region, and
    resolve each reference (an id, a name or a local name, see :class:`RegionNames`) to its id.

    The resolved rules replace ``loaded.scenario.rules`` in place (the callers keep the scenario
    object they passed), so everything downstream reads ids only. Resolving ids is a no-op, so
    calling this twice is harmless. A lock whose set names one district after resolution
    takes the one-district form.
    """
    file = str(loaded.path) if loaded.path else "<scenario>"
    rules = loaded.scenario.rules
    district_names = RegionNames.districts(region)
    type_names = RegionNames.types(region)

    def district(value: str, where: str) -> str:
        try:
            return district_names.resolve(value)
        except UnresolvedNameError as err:
            raise InputError(file, where, str(err)) from None

    def cluster(value: str, where: str) -> str:
        try:
            return type_names.resolve(value)
        except UnresolvedNameError as err:
            raise InputError(file, where, str(err)) from None

    def once(values: list[str], where: str, what: str) -> list[str]:
        seen: dict[str, int] = {}
        for index, value in enumerate(values):
            if value in seen:
                raise InputError(
                    file,
                    f"{where}[{index}]",
                    f"names the same {what} as {where}[{seen[value]}] ({value})",
                )
            seen[value] = index
        return values

    update: dict[str, Any] = {}
    for rule_name in ("border", "corridor"):
        reach = getattr(rules, rule_name)
        if reach.types is not None:
            resolved = [
                cluster(k, f"rules.{rule_name}.types[{n}]") for n, k in enumerate(reach.types)
            ]
            update[rule_name] = reach.model_copy(update={"types": resolved})
    sites: dict[str, SiteRange] = {}
    first_key: dict[str, str] = {}
    for key, bounds in rules.sites.items():
        ident = key if key == "default" else cluster(key, f"rules.sites.{key}")
        if ident in first_key:
            raise InputError(
                file, f"rules.sites.{key}", f"the same type as rules.sites.{first_key[ident]}"
            )
        first_key[ident] = key
        sites[ident] = bounds
    update["sites"] = sites
    clusters = None
    if rules.clusters is not None:
        clusters = [cluster(k, f"rules.clusters[{n}]") for n, k in enumerate(rules.clusters)]
        if len(set(clusters)) != len(clusters):
            raise InputError(file, "rules.clusters", "a cluster type is listed twice")
        update["clusters"] = clusters
    active = set(clusters) if clusters is not None else set(region.clusters)

    def active_type(value: str, where: str) -> str:
        ident = cluster(value, where)
        if ident not in active:
            raise InputError(file, where, f"{ident!r} is not among rules.clusters")
        return ident

    groups = []
    for index, group in enumerate(rules.groups):
        at = f"rules.groups[{index}]"
        members = [district(d, f"{at}.districts[{n}]") for n, d in enumerate(group.districts)]
        kinds = None
        if group.types is not None:
            kinds = once(
                [active_type(k, f"{at}.types[{n}]") for n, k in enumerate(group.types)],
                f"{at}.types",
                "type",
            )
        groups.append(
            group.model_copy(update={"districts": list(dict.fromkeys(members)), "types": kinds})
        )
    update["groups"] = groups
    locks = []
    for index, lock in enumerate(rules.lock):
        at = f"rules.lock[{index}]"
        kind = active_type(lock.cluster, f"{at}.cluster")
        if lock.districts is not None:
            places = list(
                dict.fromkeys(
                    district(d, f"{at}.districts[{n}]") for n, d in enumerate(lock.districts)
                )
            )
        else:
            places = [district(lock.district or "", f"{at}.district")]
        one = len(places) == 1
        locks.append(
            lock.model_copy(
                update={
                    "cluster": kind,
                    "district": places[0] if one else None,
                    "districts": None if one else places,
                }
            )
        )
    update["lock"] = locks
    bans = []
    for index, pick in enumerate(rules.forbid):
        at = f"rules.forbid[{index}]"
        banned = None if pick.cluster is None else active_type(pick.cluster, f"{at}.cluster")
        bans.append(
            pick.model_copy(
                update={"cluster": banned, "district": district(pick.district, f"{at}.district")}
            )
        )
    update["forbid"] = bans
    if rules.budget is not None:
        costs: dict[str, float] = {}
        first_cost: dict[str, str] = {}
        for key, cost in rules.budget.costs.items():
            ident = district(key, f"rules.budget.costs.{key}")
            if ident in first_cost:
                raise InputError(
                    file,
                    f"rules.budget.costs.{key}",
                    f"the same district as rules.budget.costs.{first_cost[ident]}",
                )
            first_cost[ident] = key
            costs[ident] = cost
        update["budget"] = rules.budget.model_copy(update={"costs": costs})
    # the scenario is immutable to its readers; this is its one completion, before any use
    object.__setattr__(loaded.scenario, "rules", rules.model_copy(update=update))
