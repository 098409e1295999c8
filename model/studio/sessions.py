"""Per-session studio state, keyed by a random session id; nothing shared between sessions.

A session holds its scenario (:class:`~model.studio.state.ScenarioState`), its own re-solve
layer (one persistent HiGHS model), the latest result and the last result with a siting.
Each edit runs under the session's own lock, so two tabs of one session take turns and two
sessions never wait for each other's solves. Regions are read once per session (a region is
plain data, re-read rather than shared, so that no session can see another's objects).

An edit is validated before it is kept: a scenario the loader refuses (schema, names, region
outside the roots) leaves the session as it was, with the one-line reason as its message.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from model.errors import ClusterSiteError, InputError
from model.pipeline import RunResult
from model.region import Region, load_region
from model.studio.resolve import DEFAULT_TIME_CAP_S, PersistentSession, SessionSolver
from model.studio.roots import Roots
from model.studio.state import Data, ScenarioState
from model.studio.views import Outlines

MAX_SESSIONS = 32
SESSION_ID = re.compile(r"^[0-9a-f]{32}$")


def new_session_id() -> str:
    return secrets.token_hex(16)


@dataclass
class Session:
    """One browser session's scenario, solver and results."""

    state: ScenarioState
    roots: Roots
    solver: SessionSolver
    result: RunResult | None = None
    feasible: RunResult | None = None  # the last result with a siting (shown when infeasible)
    message: str = ""
    comparison: tuple[str, dict[str, Any]] | None = None  # label, sitings of the other side
    controls_shown: tuple[str, ...] | None = None  # setting values the page shows
    map_shown: str | None = None  # the map the page shows, as JSON
    lock: threading.Lock = field(default_factory=threading.Lock)
    _regions: dict[Path, Region] = field(default_factory=dict)
    _outlines: dict[Path, Outlines] = field(default_factory=dict)

    def region(self, data: Data | None = None) -> Region:
        path = self.state.region_path(data)
        if not self.roots.region_allowed(path):
            raise InputError(None, "region", f"{path} is outside the studio's folders")
        key = path.resolve()
        if key not in self._regions:
            self._regions.clear()  # one region at a time is enough for a planner
            self._regions[key] = load_region(key)
        return self._regions[key]

    def outlines(self) -> Outlines:
        """The current region's district outlines for the map (read once per region)."""
        key = self.state.region_path().resolve()
        if key not in self._outlines:
            self._outlines = {key: Outlines.of(self.region())}
        return self._outlines[key]

    def _solve(self, data: Data) -> RunResult:
        loaded = self.state.loaded(data)
        return self.solver.solve(loaded, self.region(data))

    def _keep(self, result: RunResult) -> None:
        self.result = result
        if result.has_solution:
            self.feasible = result

    def edit(self, label: str, change: Callable[[Data], Data]) -> bool:
        """Apply an edit, validate and solve it; keep it only when it validates."""
        with self.lock:
            try:
                data = change(self.state.data)
                result = self._solve(data)
            except ClusterSiteError as err:
                self.message = f"refused: {err}"
                return False
            changed = self.state.commit(label, data)
            self._keep(result)
            self.message = label if changed else f"{label} (no change)"
            return changed

    def replace(self, state: ScenarioState, label: str) -> bool:
        """Open another scenario (a file or a run folder) in this session; undo comes back."""
        with self.lock:
            try:
                result = self.solver.solve(state.loaded(), self.region(state.data))
            except ClusterSiteError as err:
                self.message = f"refused: {err}"
                return False
            self.state.commit(label, state.data)
            self.state.base_dir, self.state.source = state.base_dir, state.source
            self._keep(result)
            self.message = label
            return True

    def undo(self) -> bool:
        with self.lock:
            label = self.state.undo()
            if label is None:
                self.message = "nothing to undo"
                return False
            try:
                self._keep(self._solve(self.state.data))
            except ClusterSiteError as err:  # the earlier state was valid; say so if not now
                self.message = f"undone: {label}; re-solve refused: {err}"
                return True
            self.message = f"undone: {label}"
            return True

    def ensure_solved(self) -> None:
        with self.lock:
            if self.result is None:
                try:
                    self._keep(self._solve(self.state.data))
                except ClusterSiteError as err:
                    self.message = f"refused: {err}"


class Sessions:
    """The sessions of one studio server (at most MAX_SESSIONS, least recently used go)."""

    def __init__(
        self,
        roots: Roots,
        initial: Callable[[], ScenarioState],
        time_cap_s: float = DEFAULT_TIME_CAP_S,
    ) -> None:
        self.roots = roots
        self._initial = initial
        self.time_cap_s = time_cap_s
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, session_id: str) -> Session:
        """The session of this id, made on first use; an id of the wrong shape is refused."""
        if not isinstance(session_id, str) or not SESSION_ID.fullmatch(session_id):
            raise InputError(None, "session", "not a studio session id")
        with self._lock:
            session = self._sessions.get(session_id)
            if session is not None:
                self._sessions.move_to_end(session_id)
                return session
        made = Session(self._initial(), self.roots, PersistentSession(self.time_cap_s))
        with self._lock:
            session = self._sessions.setdefault(session_id, made)
            self._sessions.move_to_end(session_id)
            while len(self._sessions) > MAX_SESSIONS:
                self._sessions.popitem(last=False)
        return session

    def __len__(self) -> int:
        return len(self._sessions)
