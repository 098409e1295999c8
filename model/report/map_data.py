"""What a map shows beyond the region: the sitings and their marks, as plain data.

Kept apart from ``model.report.maps`` (which imports matplotlib) so that the report and the
summary can compute them without loading matplotlib; the map itself may be drawn in another
process (``model.report.map_process``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


class SitingLike(Protocol):
    """What a map needs of a sited cluster (``model.pipeline.Siting`` fits)."""

    @property
    def cluster_type(self) -> str: ...

    @property
    def core(self) -> str: ...

    @property
    def members(self) -> list[str]: ...


@dataclass(frozen=True)
class MapSiting:
    """A sited cluster read from a run folder's summary.json."""

    cluster_type: str
    core: str
    members: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MapMarks:
    """What a map flags beyond the sitings: greenfield cores, estimate marks, a foot notice."""

    greenfield: frozenset[tuple[str, str]] = frozenset()  # (type, core) with no own activity
    estimated: frozenset[tuple[str, str]] = frozenset()  # (type, core) resting on estimates
    notice: str | None = None  # printed at the foot of the figure
    short_notice: str | None = None  # the same in a few words, for small multiples

    def label_suffix(self, district: str) -> str:
        """'†' after a core's name when one of its cores rests on estimates."""
        return ESTIMATE_MARK if any(d == district for _, d in self.estimated) else ""


ESTIMATE_MARK = "†"
GREENFIELD_LABEL = "hollow: greenfield core (none of its type there yet)"
