"""An outsider attacks tables by strand (equality tables) with the table of areas beside them.

The outsider (``tests/attack/strand.py``) is independent of the suppression code: its own
relations, its own linear programmes. It holds the published table by strand and the
table of areas without the cut as the policy publishes it from the same figures.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from dsvb.indicators.results import FORCE_CODE
from dsvb.reports.disclosure import Policy, PublishedTable, apply, audit
from tests.attack.strand import NONE, STRAND, Outsider, World, random_world, world


def attack(w: World, policy: Policy) -> list:
    by_strand = apply(w.results(), policy)
    without_cut = apply(w.without_cut(), policy)
    return Outsider(w, by_strand, without_cut).findings(policy.threshold, policy.protection_width)


@pytest.mark.parametrize("seed", range(24))
def test_no_small_figure_of_a_random_table_by_strand_can_be_narrowed(seed: int) -> None:
    w = random_world(seed)
    policy = Policy()
    assert attack(w, policy) == []
    assert audit(w.results(), apply(w.results(), policy)) == []


@pytest.mark.parametrize("seed", range(8))
def test_the_same_with_a_narrower_threshold_and_a_wider_protection(seed: int) -> None:
    w = random_world(100 + seed)
    assert attack(w, Policy(threshold=5, protection_width=5)) == []


def one_small_group() -> World:
    """Four areas, three groups: black victims of area B's offences number 3; everything
    else is large."""
    areas, groups = ["A", "B", "C", "D"], ["white", "black", "asian"]
    values = {}
    for a in areas:
        for g in groups:
            values[("offences", a, g)] = 40 + 7 * areas.index(a) + 3 * groups.index(g)
            values[("sanction_detections", a, g)] = 20 + areas.index(a)
            values[("victims", a, g)] = 30 + 5 * areas.index(a) + 2 * groups.index(g)
            values[("repeat_victims", a, g)] = 12 + groups.index(g)
    values[("offences", "B", "black")] = 3
    values[("sanction_detections", "B", "black")] = 0
    values[("victims", "B", "black")] = 3
    values[("repeat_victims", "B", "black")] = 0
    values[("offences", NONE, "white")] = 2  # records no area counts
    values[("victims", NONE, "white")] = 2
    return world(values, areas, groups)


def test_a_small_group_in_one_area_is_withheld_and_cannot_be_worked_out() -> None:
    w = one_small_group()
    table = apply(w.results())
    black = ((STRAND, "black"),)
    cell = table.get("dv", "offences", "B", black)
    assert cell is not None and cell.suppressed
    # its row and its column each lose another cell, else the force row of black victims
    # or the figure without the cut gives it back
    others_in_row = [table.get("dv", "offences", a, black) for a in ("A", "C", "D")]
    assert any(c.suppressed for c in others_in_row)
    others_in_area = [table.get("dv", "offences", "B", ((STRAND, g),)) for g in ("white", "asian")]
    assert any(c.suppressed for c in others_in_area)
    assert Outsider(w, table, apply(w.without_cut())).findings(9, 3) == []


def test_primary_suppression_alone_gives_the_figure_away_and_the_audit_names_the_group() -> None:
    w = one_small_group()
    results = w.results()
    safe = apply(results)
    assert audit(results, safe) == []
    naive = primary_only(safe, results)  # only the small cells withheld
    found = audit(results, naive)
    offences = [d for d in found if d.figure == "offences" and d.area_code == "B"]
    assert offences, [d.describe() for d in found]
    (d,) = [d for d in offences if d.cuts]
    assert d.cuts == ((STRAND, "black"),)
    assert d.low == d.high == 3
    assert "victim_ethnicity black" in d.describe()
    # the other groups of B and the figure without the cut (the table of areas) give it
    assert d.relations == (
        "dv, B: offences of every victim_ethnicity group = offences without the cut",
    )
    # and the independent outsider agrees
    outsider = Outsider(w, naive, apply(w.without_cut()))
    assert any(f.figure == "offences in B, black" for f in outsider.findings(9, 3))


def test_a_small_group_at_force_level_is_withheld() -> None:
    # 7 disabled victims London-wide: a small number about identifiable people, withheld
    # (unlike the force total without the cut, which is published)
    areas, groups = ["A", "B", "C"], ["disabled", "not_disabled"]
    values = {}
    for a in areas:
        values[("offences", a, "not_disabled")] = 50 + areas.index(a)
        values[("victims", a, "not_disabled")] = 45 + areas.index(a)
    values[("offences", "A", "disabled")] = 4
    values[("victims", "A", "disabled")] = 4
    values[("offences", "C", "disabled")] = 3
    values[("victims", "C", "disabled")] = 3
    w = world(values, areas, groups)
    table = apply(w.results())
    disabled = ((STRAND, "disabled"),)
    force = table.get("dv", "offences", FORCE_CODE, disabled)
    assert force is not None and force.force_level and force.suppressed
    assert table.get("dv", "repeat_victim_rate", FORCE_CODE, disabled).suppressed
    without_cut = apply(w.without_cut())
    assert without_cut.get("dv", "offences", FORCE_CODE).numerator == 160
    assert Outsider(w, table, without_cut).findings(9, 3) == []
    assert audit(w.results(), table) == []


def primary_only(table: PublishedTable, results: list, threshold: int = 9) -> PublishedTable:
    """The table with only the small cells withheld (no secondary suppression)."""

    def small(value: int | None) -> bool:
        return value is not None and 1 <= value <= threshold

    return PublishedTable(
        table.policy,
        tuple(
            replace(
                c,
                numerator=None if small(r.numerator) else r.numerator,
                denominator=None if small(r.denominator) else r.denominator,
                suppressed=small(r.numerator) or small(r.denominator),
            )
            for c, r in zip(table.cells, results, strict=True)
        ),
    )


def test_the_outsider_finds_what_primary_suppression_alone_leaves() -> None:
    # the attack above could pass by being toothless: on the same random tables, with only
    # the small cells withheld, it finds small figures in most of them
    leaky = 0
    for seed in range(24):
        w = random_world(seed)
        results = w.results()
        naive = primary_only(apply(results), results)
        found = Outsider(w, naive, apply(w.without_cut())).findings(9, 3)
        leaky += bool(found)
        if found:
            assert audit(results, naive), f"seed {seed}: the audit misses {found}"
    assert leaky >= 20  # 24 of 24 when written
