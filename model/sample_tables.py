"""The indicator tables of a robustness sample, from its summed grids and the base tables.

:func:`model.instance.compute_indicators` on a perturbed region spends most of its time in
pandas (pivoting the rows, one Series per type and sector) and recomputes the travel times,
which a sample without road noise does not change. :class:`SampleTables` computes the same
tables (docs/model.md §4: LQ, fit, export orientation, own-sector activity) from a sample's
district × sector grids (``model.sample_data``) with the array forms of
``model.indicators``, and takes the travel times, links and access times of the unperturbed
tables unless the sample perturbs the road minutes (then they are recomputed from its roads,
as ``compute_indicators`` does). ``tests/test_sample_tables.py`` checks every table against
``compute_indicators`` on the sample's region.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model import indicators as ind
from model.instance import BOUNDED_TIMES_FROM, IndicatorTables
from model.region import Region
from model.scenario import Scenario


class SampleTables:
    """Indicator tables of samples of ``region`` under ``scenario``'s settings."""

    def __init__(self, region: Region, scenario: Scenario, base: IndicatorTables) -> None:
        self.region = region
        self.settings = scenario.indicators
        self.base = base
        self.districts = pd.Index(region.district_ids, name="district")
        assert base.own_activity is not None
        self._fit_axes = (base.fit.index, base.fit.columns)
        self._export_axes = (base.export.index, base.export.columns)
        self._own_axes = (base.own_activity.index, base.own_activity.columns)

    def tables(
        self,
        activity: np.ndarray,
        activity_sectors: list[str],
        exports: np.ndarray,
        export_sectors: list[str],
        roads: Region | None = None,
    ) -> IndicatorTables:
        """The tables of one sample: ``activity`` and ``exports`` its district × sector sums;
        ``roads``: the sample's region when it perturbs the road minutes (None: unchanged)."""
        settings, clusters = self.settings, self.region.clusters
        lq = ind.location_quotient_array(activity)
        scores = ind.fit_score_array(
            settings.fit,
            lq,
            activity,
            settings.lq_cap,
            settings.critical_mass,
            settings.critical_mass_kind,
        )
        columns = pd.Index(activity_sectors, name="sector")
        fit = ind.weighted_fit_array(scores, activity_sectors, clusters)
        export = ind.export_orientation_array(exports, export_sectors, clusters)
        own = ind.own_sector_activity_array(activity, activity_sectors, clusters)
        base = self.base
        times, link = base.times, base.link
        border, corridor = base.border_minutes, base.corridor_minutes
        if roads is not None:
            times, link, border, corridor = self._road_tables(roads)
        return IndicatorTables(
            activity=pd.DataFrame(activity, index=self.districts, columns=columns),
            lq=pd.DataFrame(lq, index=self.districts, columns=columns),
            fit=pd.DataFrame(fit, index=self._fit_axes[0], columns=self._fit_axes[1]),
            export=pd.DataFrame(export, index=self._export_axes[0], columns=self._export_axes[1]),
            times=times,
            link=link,
            border_minutes=border,
            corridor_minutes=corridor,
            settings=base.settings,
            own_activity=pd.DataFrame(own, index=self._own_axes[0], columns=self._own_axes[1]),
            intra_minutes=base.intra_minutes,
        )

    def _road_tables(
        self, region: Region
    ) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series, pd.Series]:
        """Travel times, links and access times from the sample's roads (compute_indicators)."""
        settings, districts = self.settings, region.district_ids
        limit = (
            max(settings.link_max_minutes, settings.member_max_minutes)
            if len(districts) >= BOUNDED_TIMES_FROM
            else None
        )
        times = ind.travel_times(region.roads, districts, limit)
        link = ind.cooperation_links(
            times, settings.link_tau, settings.link_max_minutes, self.base.intra_minutes
        )
        return (
            times,
            link,
            ind.border_access(times, region.crossings, region.roads),
            ind.corridor_access(times, region.roads),
        )
