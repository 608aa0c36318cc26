"""Properties of the disclosure-control policy on random tables (hypothesis).

Random tables of areas are drawn from a small, consistent world: per area and family,
incidents, offences, sanction detections split into charges, cautions and others, offences
with an arrest, victims and repeat victims; the sexual family is serious + other sexual;
some records may belong to no area. A random selection of indicators is published.

The recovery checks do not reuse the policy's own model: they set up an outsider's
knowledge from scratch — the published cells, every true relation of the world above (area
rows add up to the force row, sexual = serious + other, sanction detections = charges +
cautions + others, a part never exceeds its whole), the records of each published total
that no area counts (an outsider may assume a table adds up), counts never negative and a
``[c]`` never zero — and ask, for every small count of people or crimes in an area (a cell,
a whole minus its part, or offences minus victims: the further offences against the same
victims), whether it can be worked out exactly (linear algebra) or narrowed to a range
narrower than the policy's protection width (linear programmes).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from dsvb.indicators.definitions import INDICATORS
from dsvb.indicators.results import FORCE_CODE, IndicatorResult
from dsvb.reports.disclosure import Policy, PublishedTable, apply, audit

COUNTS = (
    "incidents",
    "offences",
    "sanction_detections",
    "charges",
    "cautions",
    "other_sds",
    "offences_with_arrest",
    "victims",
    "repeat_victims",
)
RECORD_COUNTS = COUNTS[:7]  # incidents, crimes: each in exactly one of serious / other sexual
SUBSETS = (
    ("offences", "sanction_detections"),
    ("sanction_detections", "charges"),
    ("sanction_detections", "cautions"),
    ("sanction_detections", "other_sds"),
    ("offences", "offences_with_arrest"),
    ("offences", "charges"),
    ("offences", "cautions"),
    ("offences", "other_sds"),
    ("victims", "repeat_victims"),
)
INDICATOR_CHOICES = (
    "incidents",
    "offences",
    "crime_conversion",
    "sd_rate",
    "charge_rate",
    "caution_rate",
    "caution_share",
    "other_sd",
    "arrest_rate_offences",
    "repeat_victim_rate",
)
UNATTRIBUTED = "~none"
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass
class World:
    families: tuple[str, ...]  # published families
    areas: list[str]
    values: dict[tuple[str, str, str], int]  # (family, count, place) -> true value
    indicators: tuple[str, ...]

    @property
    def all_families(self) -> tuple[str, ...]:
        return ("dv",) if self.families == ("dv",) else ("serious_sexual", "other_sexual", "sexual")

    @property
    def places(self) -> list[str]:
        return [*self.areas, UNATTRIBUTED, FORCE_CODE]

    def results(self) -> list[IndicatorResult]:
        out = []
        for family in self.families:
            for indicator_id in self.indicators:
                indicator = INDICATORS[indicator_id]
                for area in [*self.areas, FORCE_CODE]:
                    den = indicator.denominator
                    out.append(
                        IndicatorResult(
                            area,
                            area,
                            family,
                            indicator_id,
                            self.values[(family, indicator.numerator, area)],
                            None if den is None else self.values[(family, den, area)],
                            den is not None,
                        )
                    )
        return out


def small() -> st.SearchStrategy[int]:
    return st.one_of(st.integers(0, 10), st.integers(0, 45))


@st.composite
def counts(draw: st.DrawFn) -> dict[str, int]:
    offences = draw(small())
    sds = draw(st.integers(0, offences))
    charges = draw(st.integers(0, sds))
    cautions = draw(st.integers(0, sds - charges))
    victims = draw(small())
    return {
        "incidents": draw(small()),
        "offences": offences,
        "sanction_detections": sds,
        "charges": charges,
        "cautions": cautions,
        "other_sds": sds - charges - cautions,
        "offences_with_arrest": draw(st.integers(0, offences)),
        "victims": victims,
        "repeat_victims": draw(st.integers(0, victims)),
    }


@st.composite
def worlds(draw: st.DrawFn) -> World:
    areas = [f"A{i}" for i in range(draw(st.integers(1, 5)))]
    sexual = draw(st.booleans())
    families = ("serious_sexual", "sexual") if sexual else ("dv",)
    places = [*areas, UNATTRIBUTED]
    values: dict[tuple[str, str, str], int] = {}
    for place in places:
        none = place == UNATTRIBUTED and draw(st.booleans())
        base = ("serious_sexual", "other_sexual") if sexual else ("dv",)
        for family in base:
            drawn = dict.fromkeys(COUNTS, 0) if none else draw(counts())
            for count, value in drawn.items():
                values[(family, count, place)] = value
        if sexual:
            people = dict.fromkeys(COUNTS, 0) if none else draw(counts())
            for count in COUNTS:
                if count in RECORD_COUNTS:
                    value = sum(values[(f, count, place)] for f in base)
                else:
                    value = people[count]  # people are not additive over families
                values[("sexual", count, place)] = value
    for family in ("serious_sexual", "other_sexual", "sexual") if sexual else ("dv",):
        for count in COUNTS:
            values[(family, count, FORCE_CODE)] = sum(values[(family, count, p)] for p in places)
    indicators = tuple(
        sorted(draw(st.sets(st.sampled_from(INDICATOR_CHOICES), min_size=1, max_size=6)))
    )
    return World(families, areas, values, indicators)


# --- the outsider ----------------------------------------------------------------------------


def published_values(world: World, table: PublishedTable) -> dict[tuple[str, str, str], int | None]:
    """What the table shows of each count: its value, or None for [c]."""
    shown: dict[tuple[str, str, str], int | None] = {}
    for cell in table.cells:
        indicator = INDICATORS[cell.indicator]
        shown[(cell.family, indicator.numerator, cell.area_code)] = cell.numerator
        if indicator.denominator is not None:
            shown[(cell.family, indicator.denominator, cell.area_code)] = cell.denominator
    return shown


class Outsider:
    """Everything an outsider can know from the published table and the world's rules."""

    def __init__(self, world: World, table: PublishedTable) -> None:
        self.world = world
        self.keys = [(f, c, p) for f in world.all_families for c in COUNTS for p in world.places]
        self.column = {k: i for i, k in enumerate(self.keys)}
        n = len(self.keys)
        equalities: list[np.ndarray] = []
        inequalities: list[np.ndarray] = []  # rows r with r·x ≤ 0

        def row(terms: list[tuple[tuple[str, str, str], int]]) -> np.ndarray:
            vector = np.zeros(n)
            for key, coefficient in terms:
                vector[self.column[key]] += coefficient
            return vector

        for f in world.all_families:
            for c in COUNTS:
                equalities.append(
                    row(
                        [((f, c, FORCE_CODE), 1)]
                        + [((f, c, p), -1) for p in [*world.areas, UNATTRIBUTED]]
                    )
                )
            for p in world.places:
                equalities.append(
                    row(
                        [((f, "sanction_detections", p), 1)]
                        + [((f, part, p), -1) for part in ("charges", "cautions", "other_sds")]
                    )
                )
                for whole, part in SUBSETS:
                    inequalities.append(row([((f, part, p), 1), ((f, whole, p), -1)]))
        if world.families != ("dv",):
            for c in RECORD_COUNTS:
                for p in world.places:
                    equalities.append(
                        row(
                            [(("sexual", c, p), 1)]
                            + [((f, c, p), -1) for f in ("serious_sexual", "other_sexual")]
                        )
                    )
        shown = published_values(world, table)
        known = {}
        lower = {}
        for key in self.keys:
            if key in shown:
                if shown[key] is None:
                    lower[key] = 1.0  # a [c] is never zero
                else:
                    known[key] = shown[key]
            elif key[2] == UNATTRIBUTED and (key[0], key[1], FORCE_CODE) in shown:
                # the records of a published total that no area row counts: an outsider
                # may take it to be zero or learn it elsewhere
                known[key] = world.values[key]
        for key in known:
            equalities.append(row([(key, 1)]))  # x_key = value, right-hand side below
        self.a_eq = np.array(equalities)
        self.b_eq = np.zeros(len(equalities))
        for k, value in enumerate(known.values(), start=len(equalities) - len(known)):
            self.b_eq[k] = value
        self.a_ub = np.array(inequalities)
        self.bounds = [(lower.get(key, 0.0), None) for key in self.keys]
        self.truth = np.array([world.values[k] for k in self.keys], dtype=float)
        assert np.allclose(self.a_eq @ self.truth, self.b_eq)
        assert np.all(self.a_ub @ self.truth <= 0)
        _, singular, vt = np.linalg.svd(self.a_eq, full_matrices=False)
        self.basis = vt[: int(np.sum(singular > 1e-9 * max(self.a_eq.shape) * singular[0]))]

    def sensitive(self, threshold: int) -> list[tuple[str, np.ndarray]]:
        """Every small count in an area: its cells (published or not) and the differences
        between a whole and its part. (Records not attributed to an area point at no one.)"""
        out = []
        n = len(self.keys)
        for key in self.keys:
            if key[2] in (FORCE_CODE, UNATTRIBUTED):
                continue
            if 1 <= self.world.values[key] <= threshold:
                vector = np.zeros(n)
                vector[self.column[key]] = 1
                out.append((f"{key}", vector))
        for f in self.world.all_families:
            for p in self.world.areas:
                for whole, part in SUBSETS:
                    difference = self.world.values[(f, whole, p)] - self.world.values[(f, part, p)]
                    if 1 <= difference <= threshold:
                        vector = np.zeros(n)
                        vector[self.column[(f, whole, p)]] = 1
                        vector[self.column[(f, part, p)]] = -1
                        out.append((f"{f} {whole} not {part} in {p}", vector))
                further = (
                    self.world.values[(f, "offences", p)] - self.world.values[(f, "victims", p)]
                )
                if 1 <= further <= threshold:
                    vector = np.zeros(n)
                    vector[self.column[(f, "offences", p)]] = 1
                    vector[self.column[(f, "victims", p)]] = -1
                    out.append((f"{f} offences beyond one per victim in {p}", vector))
        return out

    def worked_out(self, vector: np.ndarray) -> bool:
        """The quantity is fixed by the equalities alone: its vector lies in their row
        space (projecting it onto that space loses nothing)."""
        residue = vector - self.basis.T @ (self.basis @ vector)
        return bool(np.all(np.abs(residue) < 1e-7))

    def narrowed(self, vector: np.ndarray, width: int) -> bool:
        """Within the outsider's bounds the quantity's whole-number range ``lo..hi`` has
        ``hi - lo`` below ``width`` (width 1: it can take only one value)."""
        ends = []
        for sign in (1, -1):
            result = linprog(
                sign * vector,
                A_ub=self.a_ub,
                b_ub=np.zeros(len(self.a_ub)),
                A_eq=self.a_eq,
                b_eq=self.b_eq,
                bounds=self.bounds,
                method="highs",
            )
            if result.status == 3:
                return False
            assert result.status == 0, result.message
            ends.append(sign * result.fun)
        low, high = ends
        return math.floor(high + 1e-6) - math.ceil(low - 1e-6) < width


# --- properties ------------------------------------------------------------------------------


@SETTINGS
@given(worlds(), st.integers(3, 10))
def test_no_small_count_is_published_below_force_level_and_zero_stays_zero(
    world: World, threshold: int
) -> None:
    table = apply(world.results(), Policy(threshold=threshold))
    for key, value in published_values(world, table).items():
        truth = world.values[key]
        if value is None:
            assert truth != 0, f"{key}: a zero was suppressed"
            continue
        assert value == truth, f"{key}: published {value}, true {truth}"
        if key[2] != FORCE_CODE:
            assert not 1 <= value <= threshold, f"{key}: {value} published"


@SETTINGS
@given(worlds())
def test_a_rate_with_a_suppressed_part_is_suppressed_and_counts_agree_everywhere(
    world: World,
) -> None:
    table = apply(world.results())
    state: dict[tuple[str, str, str], set[bool]] = {}
    for cell in table.cells:
        indicator = INDICATORS[cell.indicator]
        parts = [(indicator.numerator, cell.numerator)]
        if indicator.denominator is not None:
            parts.append((indicator.denominator, cell.denominator))
        for count, value in parts:
            state.setdefault((cell.family, count, cell.area_code), set()).add(value is None)
        hidden = any(value is None for _, value in parts)
        assert cell.suppressed == hidden
        if cell.suppressed:
            assert cell.value is None
        elif cell.is_rate and cell.denominator:
            assert cell.value == cell.numerator / cell.denominator
    # a count is never published in one place and suppressed in another, so no rate ×
    # denominator can give back a suppressed numerator
    assert all(len(states) == 1 for states in state.values())


@SETTINGS
@given(worlds(), st.integers(5, 9), st.integers(1, 4))
def test_no_suppressed_small_count_can_be_worked_out_or_narrowed(
    world: World, threshold: int, width: int
) -> None:
    table = apply(world.results(), Policy(threshold=threshold, protection_width=width))
    outsider = Outsider(world, table)
    for name, vector in outsider.sensitive(threshold):
        assert not outsider.worked_out(vector), f"{name} can be worked out"
        assert not outsider.narrowed(vector, width), f"{name} can be narrowed below {width}"
    assert audit(world.results(), table) == []


@SETTINGS
@given(worlds())
def test_rounding_gives_multiples_of_five_and_totals_from_the_published_cells(
    world: World,
) -> None:
    exact = apply(world.results(), Policy())
    rounded = apply(world.results(), Policy(version=2, rounding=True))
    assert [c.suppressed for c in rounded.cells] == [c.suppressed for c in exact.cells]
    shown = published_values(world, rounded)
    for key, value in shown.items():
        if value is not None:
            assert value % 5 == 0, f"{key}: {value}"
            assert (value == 0) == (world.values[key] == 0)
            assert abs(value - world.values[key]) <= 2 or key[2] == FORCE_CODE
    for (family, count, place), total in shown.items():
        if place != FORCE_CODE or total is None:
            continue
        cells = [shown[(family, count, a)] for a in world.areas]
        published = sum(v for v in cells if v is not None)
        remainder = world.values[(family, count, FORCE_CODE)] - sum(
            world.values[(family, count, a)]
            for a, v in zip(world.areas, cells, strict=True)
            if v is not None
        )
        # the total is the sum of the published cells plus the rounded remainder (the
        # suppressed cells and records with no area), itself a multiple of five
        assert total == published + rounded.policy.round_count(remainder)
        if all(v is not None for v in cells) and remainder == 0:
            assert total == published
