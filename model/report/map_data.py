"""What a map shows beyond the region: the sitings and their marks, as plain data.

Kept apart from ``model.report.maps`` (which imports matplotlib) so that the report and the
summary can compute them without loading matplotlib; the map itself may be drawn in another
process (``model.report.map_process``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import pandas as pd

    from model.region import Region


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


class ClusterLike(Protocol):
    """What a map needs of a cluster type: its name."""

    @property
    def name(self) -> str: ...


class RegionLike(Protocol):
    """What a map needs of a region (``model.region.Region`` and :class:`MapRegion` fit)."""

    @property
    def path(self) -> Path: ...

    @property
    def districts(self) -> pd.DataFrame: ...

    @property
    def roads(self) -> pd.DataFrame: ...

    @property
    def crossings(self) -> pd.DataFrame: ...

    @property
    def clusters(self) -> Mapping[str, ClusterLike]: ...

    @property
    def district_ids(self) -> list[str]: ...


@dataclass(frozen=True)
class MapCluster:
    """A cluster type as a map shows it."""

    name: str


@dataclass(frozen=True)
class MapRegion:
    """The part of a region a map draws, without the region loader's imports (scipy, YAML):
    what the map's drawing process unpickles (``model.report.map_process``)."""

    path: Path
    districts: pd.DataFrame
    roads: pd.DataFrame
    crossings: pd.DataFrame
    clusters: dict[str, MapCluster]

    @property
    def district_ids(self) -> list[str]:
        return list(self.districts.index)

    @classmethod
    def of(cls, region: Region) -> MapRegion:
        return cls(
            region.path,
            region.districts,
            region.roads,
            region.crossings,
            {key: MapCluster(cluster.name) for key, cluster in region.clusters.items()},
        )
