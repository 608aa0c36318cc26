"""Disclosure control on tables cut by one strand (equality tables, issue 15).

The tables are written by hand (``tests/attack/strand.py`` builds them from per-area and
per-group figures); the attacks on them are in ``tests/attack/test_strand_attack.py``.
"""

from __future__ import annotations

import pytest

from dsvb.indicators import engine
from dsvb.indicators.results import FORCE_CODE, IndicatorResult
from dsvb.reports import disclosure
from dsvb.reports.disclosure import DisclosureError, Policy, apply, audit
from tests.attack.strand import NONE, STRAND, World, random_world, world


def group(name: str) -> tuple[tuple[str, str], ...]:
    return ((STRAND, name),)


def shown(table: disclosure.PublishedTable, indicator: str, area: str, name: str) -> str:
    cell = table.get("dv", indicator, area, group(name))
    assert cell is not None, (indicator, area, name)

    def part(value: int | None) -> str:
        return "[c]" if value is None else str(value)

    return part(cell.numerator) + (f"/{part(cell.denominator)}" if cell.is_rate else "")


def large_world(**small: int) -> World:
    """Three areas, three groups, every figure large but those given as
    ``offences_<area>_<group>`` (with as many victims, none repeat, none detected)."""
    areas, groups = ["A", "B", "C"], ["white", "black", "asian"]
    values = {}
    for a in areas:
        for g in groups:
            values[("offences", a, g)] = 50 + 11 * areas.index(a) + 5 * groups.index(g)
            values[("sanction_detections", a, g)] = 15
            values[("victims", a, g)] = 30 + 11 * areas.index(a) + 5 * groups.index(g)
            values[("repeat_victims", a, g)] = 12
    for name, value in small.items():
        _, a, g = name.split("_")
        values.update(
            {
                ("offences", a, g): value,
                ("victims", a, g): value,
                ("sanction_detections", a, g): 0,
                ("repeat_victims", a, g): 0,
            }
        )
    return world(values, areas, groups)


def test_the_engines_marker_for_every_group_is_the_one_the_policy_reads() -> None:
    assert disclosure.ALL_GROUPS == engine.ALL


def test_a_table_by_strand_keeps_its_cells_in_order_and_names_each_group() -> None:
    w = large_world(offences_B_black=4)
    results = w.results()
    table = apply(results)
    assert [(c.family, c.indicator, c.area_code, c.cuts) for c in table.cells] == [
        (r.family, r.indicator, r.area_code, r.cuts) for r in results
    ]
    assert table.groups() == [group("white"), group("black"), group("asian")]
    assert shown(table, "offences", "B", "black") == "[c]"
    assert shown(table, "offences", "C", "asian") == "82"
    # an uncut lookup finds nothing in a table by strand
    assert table.get("dv", "offences", "A") is None


def test_results_cut_two_ways_or_by_different_strands_are_refused() -> None:
    two = (("victim_sex", "female"), ("victim_ethnicity", "white"))
    with pytest.raises(DisclosureError, match="by victim_sex and victim_ethnicity at once"):
        apply([IndicatorResult("A", "A", "dv", "offences", 20, cuts=two)])
    sex = IndicatorResult("A", "A", "dv", "offences", 20, cuts=(("victim_sex", "male"),))
    age = IndicatorResult("A", "A", "dv", "offences", 20, cuts=(("victim_age_band", "18_35"),))
    with pytest.raises(DisclosureError, match=r"mix cuts \(victim_age_band, victim_sex\)"):
        apply([sex, age])
    with pytest.raises(DisclosureError, match="mix cuts"):
        audit([sex, age], apply([sex]))


def test_a_small_force_figure_of_one_group_is_withheld_unlike_a_force_total() -> None:
    # 7 black victims (and their offences) in the whole force, 4 in A and 3 in C
    w = large_world(offences_A_black=4, offences_B_black=0, offences_C_black=3)
    table = apply(w.results())
    assert shown(table, "offences", FORCE_CODE, "black") == "[c]"
    # no black victim is a repeat victim: 0 of them, and zero stays zero beside the
    # white and asian repeat victims shown
    assert shown(table, "repeat_victim_rate", FORCE_CODE, "black") == "0/[c]"
    assert table.get("dv", "offences", FORCE_CODE, group("black")).force_level
    # B's none is shown: B's white and asian offences are
    assert shown(table, "offences", "B", "black") == "0"
    # of the other groups' force figures one goes too (else 7 = the force total without
    # the cut − the others), the other stays
    others = [shown(table, "offences", FORCE_CODE, g) for g in ("white", "asian")]
    assert sorted(others) == ["213", "[c]"]
    assert audit(w.results(), table) == []


def test_a_rate_with_a_withheld_part_is_withheld_and_its_value_is_none() -> None:
    w = large_world(offences_C_asian=6)
    table = apply(w.results())
    for cell in table.cells:
        hidden = cell.numerator is None or (cell.is_rate and cell.denominator is None)
        assert cell.suppressed == hidden
        if cell.suppressed:
            assert cell.value is None
    rate = table.get("dv", "sd_rate", "C", group("asian"))
    # 6 offences, none detected: the 0 is shown (C's other groups have detections shown)
    assert rate.suppressed and rate.value is None
    assert (rate.numerator, rate.denominator) == (0, None)
    # a count is shown the same way wherever it appears
    offences = table.get("dv", "offences", "C", group("asian"))
    assert offences.numerator is None


def test_a_zero_is_withheld_only_where_its_whole_breakdown_is() -> None:
    # A: white 5, black 0, asian 0 offences. Shown as 0, 0 and [c], the [c] would be all of
    # A's offences, which the table of areas withholds (5): all three are withheld
    areas, groups = ["A", "B", "C"], ["white", "black", "asian"]
    values = {}
    for a in ("B", "C"):
        for g in groups:
            values[("offences", a, g)] = 40 + 3 * groups.index(g)
            values[("victims", a, g)] = 35
    values[("offences", "A", "white")] = 5
    values[("victims", "A", "white")] = 5
    w = world(values, areas, groups)
    table = apply(w.results())
    assert [shown(table, "offences", "A", g) for g in groups] == ["[c]", "[c]", "[c]"]
    # sanction detections of A are 0 in every group: nothing to withhold, shown
    assert [shown(table, "sd_rate", "A", g) for g in groups] == ["0/[c]"] * 3
    # elsewhere zeros stay zero
    assert all(shown(table, "sd_rate", a, g).startswith("0/") for a in ("B", "C") for g in groups)


def test_a_group_missing_from_an_area_counts_as_none_there() -> None:
    # the engine returns only the groups it saw: asian victims of A are absent, not [c]
    w = large_world(offences_A_asian=0)
    results = [r for r in w.results() if not (r.area_code == "A" and r.cuts == group("asian"))]
    table = apply(results)
    assert table.get("dv", "offences", "A", group("asian")) is None
    assert len(table.cells) == len(results)
    assert table.suppressed_cells == 0  # nothing small: absent is none, not a small number
    assert audit(results, table) == []


def test_the_figure_for_every_group_the_engine_adds_is_checked_and_published() -> None:
    w = large_world()
    results = w.results()
    every = [
        IndicatorResult(
            FORCE_CODE,
            "All areas",
            r.family,
            r.indicator,
            sum(
                s.numerator
                for s in results
                if s.area_code == FORCE_CODE and s.indicator == r.indicator
            ),
            None
            if r.denominator is None
            else sum(
                s.denominator
                for s in results
                if s.area_code == FORCE_CODE and s.indicator == r.indicator
            ),
            r.is_rate,
            cuts=((STRAND, disclosure.ALL_GROUPS),),
        )
        for r in results
        if r.area_code == FORCE_CODE and r.cuts == group("white")
    ]
    table = apply(results + every)
    total = table.get("dv", "offences", FORCE_CODE, ((STRAND, "ALL"),))
    assert (
        total is not None and total.numerator == w.values[("offences", FORCE_CODE, "~every group")]
    )
    wrong = [
        IndicatorResult(
            r.area_code,
            r.area_name,
            r.family,
            r.indicator,
            r.numerator + 1,
            r.denominator,
            r.is_rate,
            cuts=r.cuts,
        )
        if r.indicator == "repeat_victim_rate"  # one more repeat victim than the groups'
        else r
        for r in every
    ]
    with pytest.raises(DisclosureError, match="groups add up to"):
        apply(results + wrong)


def test_the_records_no_area_counts_give_no_cover_in_a_group() -> None:
    # B's 4 black offences; 2 more black offences belong to no area. The force row of
    # black offences is 4 + 2 + the other areas: the remainder is known, so B is still
    # protected by withholding another black cell, not by the remainder
    areas, groups = ["A", "B", "C"], ["white", "black"]
    values = {}
    for a in areas:
        for g in groups:
            values[("offences", a, g)] = 30 + 10 * areas.index(a)
            values[("victims", a, g)] = 30
    values[("offences", "B", "black")] = 4
    values[("victims", "B", "black")] = 4
    values[("offences", NONE, "black")] = 2
    values[("victims", NONE, "black")] = 2
    w = world(values, areas, groups)
    table = apply(w.results())
    black = [shown(table, "offences", a, "black") for a in areas]
    assert black[1] == "[c]" and black.count("[c]") >= 2
    assert shown(table, "offences", FORCE_CODE, "black") == str(30 + 4 + 50 + 2)
    assert audit(w.results(), table) == []


@pytest.mark.parametrize("seed", range(6))
def test_rounding_keeps_the_pattern_and_recomputes_each_groups_force_row(seed: int) -> None:
    w = random_world(seed)
    exact = apply(w.results())
    rounded = apply(w.results(), Policy(version=2, rounding=True))
    assert [c.suppressed for c in rounded.cells] == [c.suppressed for c in exact.cells]
    for cell in rounded.cells:
        if cell.numerator is not None:
            assert cell.numerator % 5 == 0


def test_the_table_of_areas_can_be_given() -> None:
    # the table of areas a table by strand sits beside: by default the one the policy
    # makes from the same figures; a caller may pass the one actually published
    w = random_world(3)
    default = apply(w.results())
    given = apply(w.results(), without_cut=apply(w.without_cut()))
    assert [c.suppressed for c in given.cells] == [c.suppressed for c in default.cells]
    # a table of areas that shows nothing leaves the groups less to hide
    nothing = apply(w.without_cut())
    nothing = disclosure.PublishedTable(
        nothing.policy,
        tuple(
            disclosure.PublishedCell(
                c.family, c.indicator, c.area_code, c.area_name, c.is_rate, None,
                None, True, c.force_level,
            )
            for c in nothing.cells
        ),
    )  # fmt: skip
    fewer = apply(w.results(), without_cut=nothing)
    assert fewer.suppressed_cells <= default.suppressed_cells
    assert audit(w.results(), fewer, without_cut=nothing) == []
