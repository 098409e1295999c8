"""Ruin and recreate: a large-neighbourhood search after the relocation search.

Single-core relocations (:mod:`model.local_search`) stop at a local optimum where no one core
gains by moving alone, though a group of cores moved together would. Each round here takes
the best siting so far and

1. **ruins** it: removes one core drawn at random and ``RUIN_SHARE`` of the other cores (at
   least one), drawn with probability in proportion to the cooperation each earns now (plus a
   small floor, so a core earning none can be drawn too);
2. **recreates** it: puts the removed cores' types back one core at a time, each at the open
   site (a type with a core still to place, a district with room, not taken) with the largest
   ``score + coop``, counting the cooperation with every core placed, as a construction of
   :mod:`model.local_search` does;
3. relocates the result and keeps it when its value (Σ score plus the cooperation among the
   cores) beats the best by more than ``RELATIVE_GAIN`` of it, and no rule of family 7
   (border, group, lock and budget rules) is further from holding than in the best.

Rounds stop early at a deadline: a run gives the search at most half of ``solver.time_limit``
(the note says how many rounds ran), and the solver the rest (less the Lagrangian bound's
seconds where a run computes it, docs/model.md §5.3).

A round keeps the number of cores of every type, so rule 1 holds, and places a core only
where its district has room, so rule 2 holds. The draws come from a generator seeded with the
solver's seed, so the same instance, rounds and seed give the same siting on every machine.

How many rounds: ``solver.search_rounds`` (docs/model.md §5.2). With ``auto``, none below
``SEARCH_FROM_PAIRS`` cooperating pairs, where HiGHS improves on the start or proves it, and
``AUTO_ROUNDS`` from there on, where HiGHS did not improve on the start in two minutes on any
generated region measured (``docs/bench/scale.md``) and the start is the answer: at 3,000
generated districts × 51 types, 400 rounds took the siting from 28.76 to 31.14 in 15 s, and at
1,000 × 51 from 25.10 to 30.97 in 6.4 s.
"""

from __future__ import annotations

import time

import numpy as np

from model.local_search import RELATIVE_GAIN, Search

RUIN_SHARE = 0.3
RUIN_FLOOR = 1e-3  # added to each core's cooperation when drawing the cores to remove
AUTO_ROUNDS = 400
SEARCH_FROM_PAIRS = 100_000


def rounds_for(setting: int | str, pair_count: int) -> int:
    """The rounds ``solver.search_rounds`` asks for: the number itself, or by size for
    ``auto``."""
    if setting != "auto":
        return int(setting)
    return AUTO_ROUNDS if pair_count >= SEARCH_FROM_PAIRS else 0


def ruin_and_recreate(
    search: Search, cores: list[int], rounds: int, seed: int = 0, deadline: float | None = None
) -> tuple[list[int], int, int]:
    """The best siting found in ``rounds`` rounds from ``cores`` (site positions), how many
    rounds improved it and how many ran: no round starts after ``deadline`` (a
    ``time.perf_counter`` value), so a time limit can cut the rounds short."""
    best = sorted(cores)
    if rounds <= 0 or len(best) < 2:
        return best, 0, 0
    rng = np.random.default_rng(seed)
    best_value, best_shortfall = search.value(best), search.shortfall_by_rule(best)
    earned = _earned(search, best)
    improved = ran = 0
    for ran in range(1, rounds + 1):
        if deadline is not None and time.perf_counter() >= deadline:
            ran -= 1
            break
        candidate = _recreated(search, _ruined(best, earned, rng))
        if candidate is None:
            continue
        moved, _, value = search.relocate_valued(candidate)
        # rule by rule: a border floor met may not be traded for a smaller budget overrun
        shortfall = search.shortfall_by_rule(moved)
        if np.any(shortfall > best_shortfall + 1e-9):
            continue
        if value > best_value + RELATIVE_GAIN * max(1.0, abs(best_value)):
            best, best_value, best_shortfall = moved, value, shortfall
            earned = _earned(search, best)
            improved += 1
    return best, improved, ran


def _earned(search: Search, cores: list[int]) -> np.ndarray:
    """The cooperation each core earns with the others, plus ``RUIN_FLOOR``."""
    chosen = np.zeros(len(search.score), dtype=bool)
    chosen[cores] = True
    return search.adjacency.gains(chosen)[cores] + RUIN_FLOOR


def _ruined(
    cores: list[int], earned: np.ndarray, rng: np.random.Generator
) -> tuple[list[int], list[int]]:
    """(the cores kept, the cores removed)."""
    centre = int(rng.integers(len(cores)))
    others = [n for n in range(len(cores)) if n != centre]
    count = max(1, min(len(others), round(RUIN_SHARE * len(others))))
    weights = earned[others] / earned[others].sum()
    drawn = rng.choice(others, size=count, replace=False, p=weights).tolist()
    removed = {centre, *drawn}
    return (
        [site for n, site in enumerate(cores) if n not in removed],
        [cores[n] for n in sorted(removed)],
    )


def _recreated(search: Search, parts: tuple[list[int], list[int]]) -> list[int] | None:
    """The kept cores plus one core for each removed one's type, best ``score + coop``
    first; None when a type finds no open site (its district filled up meanwhile)."""
    kept, removed = parts
    index, adjacency = search.index, search.adjacency
    site_type, site_district = index.site_type, index.site_district
    chosen = np.zeros(len(search.score), dtype=bool)
    chosen[kept] = True
    coop = adjacency.gains(chosen)
    per_district = np.bincount(site_district[kept], minlength=len(search.instance.districts))
    need = np.bincount(site_type[removed], minlength=len(search.instance.types))
    capacity = search.instance.capacity
    cores = list(kept)
    for _ in removed:
        blocked = chosen | (need[site_type] == 0) | (per_district[site_district] >= capacity)
        value = np.where(blocked, -np.inf, search.score + coop)
        site = int(np.argmax(value))
        if value[site] == -np.inf:
            return None
        chosen[site] = True
        per_district[site_district[site]] += 1
        need[site_type[site]] -= 1
        start, stop = adjacency.start[site], adjacency.start[site + 1]
        np.add.at(coop, adjacency.partner[start:stop], adjacency.coef[start:stop])
        cores.append(site)
    return sorted(cores)
