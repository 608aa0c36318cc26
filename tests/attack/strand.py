"""Tables by strand (equality tables) for disclosure-control tests, and an outsider who
attacks them.

A *world* is a small consistent set of true figures for one family: per area (and the
records no area counts) and per group of a strand, offences, sanction detections (at most
the offences), victims and repeat victims (at most the victims); the force row of each group
is the sum of its areas and the records not attributed. Three indicators are published:
offences, the sanction detection rate and the repeat victimisation rate.

The outsider is written here from scratch, not from ``dsvb.reports.disclosure``: it holds
the published table by strand **and** the table of areas without the cut (as published by
the policy from the same figures: what the performance pages and releases print), and
knows that

- in every area, group and at force level, sanction detections ≤ offences and repeat
  victims ≤ victims; counts are never negative;
- in every group, the areas plus the records not attributed make the force row, and those
  records are known (an outsider may assume a table adds up);
- in every area and at force level, the groups add up to the figure without the cut;
- a ``[c]`` is at least 1, except in a breakdown (one count in one place, by group) shown
  ``[c]`` for every group, where zeros are withheld too, so it is only at least 0.

For every small figure (1 to the threshold) — a group's count in an area or at force level,
a whole minus its part, offences minus victims, and the same without the cut below force
level — two linear programmes give the least and greatest value the outsider can allow;
fewer whole numbers apart than the protection width is a disclosure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

from dsvb.indicators.results import FORCE_CODE, IndicatorResult
from dsvb.reports.disclosure import PublishedTable

FAMILY = "dv"
STRAND = "victim_ethnicity"
COUNTS = ("offences", "sanction_detections", "victims", "repeat_victims")
PARTS = (("offences", "sanction_detections"), ("victims", "repeat_victims"))
INDICATORS = {  # id: (numerator, denominator)
    "offences": ("offences", None),
    "sd_rate": ("sanction_detections", "offences"),
    "repeat_victim_rate": ("repeat_victims", "victims"),
}
NONE = "~none"  # the records no area counts
EVERY = "~every group"  # the figure without the cut


@dataclass
class World:
    areas: list[str]
    groups: list[str]
    values: dict[tuple[str, str, str], int]  # (count, place, group or EVERY) -> true value

    @property
    def places(self) -> list[str]:
        return [*self.areas, NONE, FORCE_CODE]

    def _result(self, place: str, group: str | None, indicator: str) -> IndicatorResult:
        numerator, denominator = INDICATORS[indicator]
        key = group if group is not None else EVERY
        return IndicatorResult(
            place,
            place,
            FAMILY,
            indicator,
            self.values[(numerator, place, key)],
            None if denominator is None else self.values[(denominator, place, key)],
            denominator is not None,
            cuts=() if group is None else ((STRAND, group),),
        )

    def results(self) -> list[IndicatorResult]:
        """The table by strand: every area and the force row, for every group."""
        return [
            self._result(place, group, indicator)
            for group in self.groups
            for place in [*self.areas, FORCE_CODE]
            for indicator in INDICATORS
        ]

    def without_cut(self) -> list[IndicatorResult]:
        """The table of areas the groups add up to."""
        return [
            self._result(place, None, indicator)
            for place in [*self.areas, FORCE_CODE]
            for indicator in INDICATORS
        ]


def world(
    values: dict[tuple[str, str, str], int],
    areas: list[str],
    groups: list[str],
) -> World:
    """A world from the figures of each area (and ``NONE``) and group; the rest is added:
    missing figures are 0, force rows and figures without the cut are sums."""
    full = {
        (c, p, g): values.get((c, p, g), 0) for c in COUNTS for p in [*areas, NONE] for g in groups
    }
    for c in COUNTS:
        for g in groups:
            full[(c, FORCE_CODE, g)] = sum(full[(c, p, g)] for p in [*areas, NONE])
        for p in [*areas, NONE, FORCE_CODE]:
            full[(c, p, EVERY)] = sum(full[(c, p, g)] for g in groups)
    return World(areas, groups, full)


def random_world(seed: int) -> World:
    """A small world with many zeros and small figures (where small numbers hide)."""
    rng = np.random.default_rng(seed)
    areas = [f"A{i}" for i in range(int(rng.integers(2, 6)))]
    groups = ["white", "black", "asian", "mixed", "other", "not_recorded"][
        : int(rng.integers(2, 5))
    ]

    def draw() -> int:
        kind = rng.random()
        if kind < 0.3:
            return 0
        if kind < 0.7:
            return int(rng.integers(1, 10))
        return int(rng.integers(10, 60))

    values: dict[tuple[str, str, str], int] = {}
    for place in [*areas, NONE]:
        empty = place == NONE and rng.random() < 0.5
        for group in groups:
            offences, victims = (0, 0) if empty else (draw(), draw())
            values[("offences", place, group)] = offences
            values[("sanction_detections", place, group)] = int(rng.integers(0, offences + 1))
            values[("victims", place, group)] = victims
            values[("repeat_victims", place, group)] = int(rng.integers(0, victims + 1))
    return world(values, areas, groups)


def published(table: PublishedTable, *, cut: bool) -> dict[tuple[str, str, str], int | None]:
    """What a table shows of each count: its value, or None for [c]."""
    out: dict[tuple[str, str, str], int | None] = {}
    for cell in table.cells:
        numerator, denominator = INDICATORS[cell.indicator]
        group = dict(cell.cuts).get(STRAND) if cut else EVERY
        assert group is not None
        out[(numerator, cell.area_code, group)] = cell.numerator
        if denominator is not None:
            out[(denominator, cell.area_code, group)] = cell.denominator
    return out


@dataclass(frozen=True)
class Finding:
    figure: str
    truth: int
    low: int
    high: int


class Outsider:
    """Everything an outsider can know from the two tables and the rules above."""

    def __init__(self, w: World, by_strand: PublishedTable, without_cut: PublishedTable) -> None:
        self.world = w
        groups = [*w.groups, EVERY]
        self.keys = [(c, p, g) for c in COUNTS for p in w.places for g in groups]
        self.column = {k: i for i, k in enumerate(self.keys)}
        n = len(self.keys)
        eq: list[np.ndarray] = []
        rhs: list[float] = []
        ub: list[np.ndarray] = []

        def row(terms: list[tuple[tuple[str, str, str], int]]) -> np.ndarray:
            vector = np.zeros(n)
            for key, coefficient in terms:
                vector[self.column[key]] += coefficient
            return vector

        for c in COUNTS:
            for g in groups:  # areas + not attributed = force, in every group
                eq.append(
                    row([((c, FORCE_CODE, g), 1)] + [((c, p, g), -1) for p in [*w.areas, NONE]])
                )
                rhs.append(0)
                eq.append(row([((c, NONE, g), 1)]))  # the table adds up: known
                rhs.append(w.values[(c, NONE, g)])
            for p in w.places:  # the groups make the figure without the cut
                eq.append(row([((c, p, EVERY), 1)] + [((c, p, g), -1) for g in w.groups]))
                rhs.append(0)
        for whole, part in PARTS:
            for p in w.places:
                for g in groups:
                    ub.append(row([((part, p, g), 1), ((whole, p, g), -1)]))
        lower = dict.fromkeys(self.keys, 0.0)
        shown = published(by_strand, cut=True)
        for (c, p, g), value in shown.items():
            if value is not None:
                eq.append(row([((c, p, g), 1)]))
                rhs.append(value)
            elif any(shown[(c, p, other)] is not None for other in w.groups):
                lower[(c, p, g)] = 1.0  # a [c] beside published groups is never 0
        for key, value in published(without_cut, cut=False).items():
            if value is None:
                lower[key] = 1.0
            else:
                eq.append(row([(key, 1)]))
                rhs.append(value)
        self.a_eq, self.b_eq = np.array(eq), np.array(rhs, dtype=float)
        self.a_ub = np.array(ub)
        self.bounds = [(lower[k], None) for k in self.keys]
        truth = np.array([w.values[k] for k in self.keys], dtype=float)
        assert np.allclose(self.a_eq @ truth, self.b_eq), "the outsider's knowledge is wrong"
        assert np.all(self.a_ub @ truth <= 0)
        assert all(t >= lo for t, (lo, _) in zip(truth, self.bounds, strict=True))

    def targets(self, threshold: int) -> list[tuple[str, np.ndarray, int]]:
        """Every small figure about people: a group's in an area or at force level, and
        below force level the figure without the cut."""
        w = self.world
        out = []
        for g in [*w.groups, EVERY]:
            places = w.areas if g == EVERY else [*w.areas, FORCE_CODE]
            for p in places:
                figures: list[tuple[str, dict[str, int]]] = [(c, {c: 1}) for c in COUNTS]
                figures += [(f"{whole} not {part}", {whole: 1, part: -1}) for whole, part in PARTS]
                figures.append(("offences beyond one per victim", {"offences": 1, "victims": -1}))
                for name, terms in figures:
                    truth = sum(k * w.values[(c, p, g)] for c, k in terms.items())
                    if 1 <= truth <= threshold:
                        vector = np.zeros(len(self.keys))
                        for c, k in terms.items():
                            vector[self.column[(c, p, g)]] = k
                        out.append((f"{name} in {p}, {g}", vector, truth))
        return out

    def range_of(self, vector: np.ndarray) -> tuple[float, float]:
        ends = []
        for sign in (1.0, -1.0):
            result = linprog(
                sign * vector,
                A_ub=self.a_ub,
                b_ub=np.zeros(len(self.a_ub)),
                A_eq=self.a_eq,
                b_eq=self.b_eq,
                bounds=self.bounds,
                method="highs",
            )
            if result.status == 3:  # unbounded
                ends.append(-sign * math.inf)
                continue
            assert result.status == 0, result.message
            ends.append(sign * result.fun)
        return ends[0], ends[1]

    def findings(self, threshold: int, width: int) -> list[Finding]:
        """The small figures narrowed to fewer whole numbers than the width allows."""
        found = []
        for name, vector, truth in self.targets(threshold):
            low, high = self.range_of(vector)
            lo, hi = math.ceil(low - 1e-6), math.floor(high + 1e-6)
            assert lo <= truth <= hi, f"{name}: the truth {truth} is outside {lo}..{hi}"
            if hi - lo < width:
                found.append(Finding(name, truth, lo, hi))
        return found
