"""Disclosure control on small hand-written tables, with the published output written out.

Areas are ``A``, ``B``, … and ``ALL`` is the force row. A count is written as its published
value or ``[c]``; a rate as ``numerator/denominator`` with ``[c]`` for a suppressed part.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from dsvb.indicators.results import IndicatorResult
from dsvb.reports.disclosure import DisclosureError, Policy, PublishedTable, apply, audit
from tests.reports.tables import rows

# The rules of the first policy version (1–7, and "given away" meaning pinned to one value):
# some tests below check a mechanism more simply under them.
PINNING = Policy(version=1, threshold=7, protection_width=1)


def shown(table: PublishedTable, family: str, indicator: str) -> dict[str, str]:
    def part(value: int | None) -> str:
        return "[c]" if value is None else str(value)

    out = {}
    for cell in table.cells:
        if cell.family == family and cell.indicator == indicator:
            text = part(cell.numerator)
            if cell.is_rate:
                text += "/" + part(cell.denominator)
            out[cell.area_code] = text
    return out


def test_a_small_count_is_suppressed_and_so_is_the_next_smallest_in_its_row() -> None:
    table = apply(rows("dv", "incidents", {"A": 0, "B": 3, "C": 20, "D": 50}))
    assert shown(table, "dv", "incidents") == {
        "A": "0",  # zero stays zero
        "B": "[c]",  # 1..7 below force level
        "C": "[c]",  # otherwise B = 73 − 0 − 20 − 50
        "D": "50",
        "ALL": "73",  # the force level is published exactly
    }
    assert [c.suppressed for c in table.cells] == [False, True, True, False, False]


def test_nothing_small_nothing_suppressed() -> None:
    table = apply(rows("dv", "incidents", {"A": 0, "B": 0, "C": 12, "D": 10}))
    assert shown(table, "dv", "incidents") == {
        "A": "0",
        "B": "0",
        "C": "12",
        "D": "10",
        "ALL": "22",
    }
    assert table.suppressed_cells == 0


def test_two_small_cells_that_would_each_be_pinned_to_one_bring_in_a_third() -> None:
    # A + B = 42 − 40 = 2 and a [c] is never 0, so both would be exactly 1.
    table = apply(rows("dv", "incidents", {"A": 1, "B": 1, "C": 40}))
    assert shown(table, "dv", "incidents") == {"A": "[c]", "B": "[c]", "C": "[c]", "ALL": "42"}


def test_a_force_total_is_suppressed_only_when_nothing_else_can_protect() -> None:
    # Every other area is zero: the force total of 1 would say which area has the one.
    table = apply(rows("dv", "incidents", {"A": 0, "B": 0, "C": 1}))
    assert shown(table, "dv", "incidents") == {"A": "0", "B": "0", "C": "[c]", "ALL": "[c]"}


def test_a_rate_with_a_suppressed_numerator_is_suppressed_and_its_row_protected() -> None:
    table = apply(
        rows("dv", "sd_rate", {"A": (3, 10), "B": (12, 30), "C": (20, 40), "D": (25, 50)})
        + rows("dv", "offences", {"A": 10, "B": 30, "C": 40, "D": 50})
    )
    assert shown(table, "dv", "sd_rate") == {
        "A": "[c]/10",  # 3 detections: suppressed; the offences are published
        "B": "[c]/30",  # else A = 60 − 12 − 20 − 25, or 3/10 × 10 from the rate
        "C": "20/40",
        "D": "25/50",
        "ALL": "60/130",
    }
    assert shown(table, "dv", "offences") == {
        "A": "10",
        "B": "30",
        "C": "40",
        "D": "50",
        "ALL": "130",
    }
    a = table.get("dv", "sd_rate", "A")
    assert a.suppressed and a.value is None


def test_the_undetected_offences_are_protected_too() -> None:
    # B: 20 offences, 15 detected: 5 offences not detected is a small count of crimes.
    table = apply(
        rows("dv", "sd_rate", {"A": (10, 40), "B": (15, 20), "C": (20, 50), "D": (30, 60)})
    )
    assert shown(table, "dv", "sd_rate") == {
        "A": "[c]/40",
        "B": "[c]/20",
        "C": "20/50",
        "D": "30/60",
        "ALL": "75/170",
    }


@pytest.mark.parametrize(
    ("family", "indicator", "part"),
    [
        ("dv", "dv_and_serious_sexual", "dv_and_serious_sexual"),
        ("serious_sexual", "havens_referral_rate", "havens_referrals"),
    ],
)
def test_a_part_cannot_be_worked_out_from_its_whole(family, indicator, part) -> None:
    # A: 10 offences (incidents) of which 9 in the part: 1 outside it, a small count.
    whole = "offences" if part == "dv_and_serious_sexual" else "incidents"
    table = apply(
        rows(family, whole, {"A": 10, "B": 40, "C": 35})
        + rows(family, indicator, {"A": 9, "B": 20, "C": 15} if whole == "offences"
               else {"A": (9, 10), "B": (20, 40), "C": (15, 35)})
    )  # fmt: skip
    published = shown(table, family, indicator)
    assert "[c]" in published["A"]  # 10 − 9 = 1 would otherwise be published
    assert shown(table, family, whole)["A"] == "10"


def test_other_sanction_detections_cannot_be_worked_out_from_charges_and_cautions() -> None:
    results = (
        rows("dv", "sd_rate", {"A": (20, 50), "B": (27, 60), "C": (40, 70)})
        + rows("dv", "charge_rate", {"A": (10, 50), "B": (15, 60), "C": (20, 70)})
        + rows("dv", "caution_rate", {"A": (8, 50), "B": (12, 60), "C": (20, 70)})
    )
    table = apply(results, PINNING)
    # A: 20 − 10 − 8 = 2 other sanction detections: hide A's cautions (the smallest) and,
    # so that the cautions row does not give them back, B's cautions too.
    assert shown(table, "dv", "caution_rate") == {
        "A": "[c]/50",
        "B": "[c]/60",
        "C": "20/70",
        "ALL": "40/180",
    }
    assert shown(table, "dv", "charge_rate") == {
        "A": "10/50",
        "B": "15/60",
        "C": "20/70",
        "ALL": "45/180",
    }
    assert shown(table, "dv", "sd_rate")["A"] == "20/50"


def test_the_other_sexual_offences_cannot_be_worked_out_from_the_two_families() -> None:
    # A: 13 sexual offences of which 10 serious: 3 other sexual offences.
    table = apply(
        rows("serious_sexual", "offences", {"A": 10, "B": 20, "C": 15})
        + rows("sexual", "offences", {"A": 13, "B": 40, "C": 35})
    )
    assert shown(table, "serious_sexual", "offences") == {
        "A": "[c]",
        "B": "20",
        "C": "[c]",
        "ALL": "45",
    }
    assert shown(table, "sexual", "offences") == {"A": "13", "B": "40", "C": "35", "ALL": "88"}


def test_records_not_attributed_to_an_area_give_no_cover() -> None:
    # 20 incidents belong to no area; an outsider may know that, so A = 73 − 50 − 20.
    table = apply(rows("dv", "incidents", {"A": 3, "B": 50}, unattributed=20))
    assert shown(table, "dv", "incidents") == {"A": "[c]", "B": "[c]", "ALL": "73"}
    # and a few of them, belonging to no area, point at no one: nothing to withhold
    table = apply(rows("dv", "incidents", {"A": 20, "B": 50}, unattributed=4))
    assert shown(table, "dv", "incidents") == {"A": "20", "B": "50", "ALL": "74"}


def test_rounding_to_five_with_totals_recomputed_from_the_published_cells() -> None:
    policy = Policy(version=2, threshold=7, rounding=True)
    table = apply(rows("dv", "incidents", {"A": 8, "B": 13, "C": 22}), policy)
    assert shown(table, "dv", "incidents") == {"A": "10", "B": "15", "C": "20", "ALL": "45"}
    # with a suppressed cell the remainder (B and D, 15) is rounded as one block
    table = apply(rows("dv", "incidents", {"A": 0, "B": 12, "C": 23, "D": 3}), policy)
    assert shown(table, "dv", "incidents") == {
        "A": "0",
        "B": "[c]",
        "C": "25",
        "D": "[c]",
        "ALL": "40",  # 25 + round(38 − 23 = 15)
    }


def test_rounded_rates_come_from_the_rounded_parts() -> None:
    table = apply(
        rows("dv", "sd_rate", {"A": (11, 42), "B": (22, 53)}), Policy(version=3, rounding=True)
    )
    assert shown(table, "dv", "sd_rate") == {"A": "10/40", "B": "20/55", "ALL": "30/95"}
    assert table.get("dv", "sd_rate", "ALL").value == pytest.approx(30 / 95)


def test_the_threshold_is_a_setting() -> None:
    results = rows("dv", "incidents", {"A": 10, "B": 30, "C": 40})
    assert shown(apply(results, Policy()), "dv", "incidents")["A"] == "10"
    assert shown(apply(results, Policy(version=2, threshold=10)), "dv", "incidents") == {
        "A": "[c]",
        "B": "[c]",
        "C": "40",
        "ALL": "80",
    }


def test_a_zero_denominator_is_published_as_zero_not_suppressed() -> None:
    table = apply(rows("dv", "sd_rate", {"A": (0, 0), "B": (20, 40)}))
    a = table.get("dv", "sd_rate", "A")
    assert not a.suppressed and a.zero_denominator and a.value is None


def test_the_policy_names_its_version_and_rules() -> None:
    policy = Policy(version=4, threshold=7, rounding=False)
    assert policy.name == "dsvb disclosure control v4"
    assert policy.describe().startswith("dsvb disclosure control v4 (dsvb-sdc): counts of 1–7")
    assert "rates with a suppressed part suppressed" in policy.describe()
    assert "counts not rounded" in policy.describe()
    assert "nearest 5" in Policy(rounding=True).describe()


@pytest.mark.parametrize(
    ("value", "rounded"),
    [(0, 0), (1, 5), (2, 5), (3, 5), (7, 5), (8, 10), (12, 10), (13, 15), (1234, 1235)],
)
def test_rounding_keeps_zero_and_never_makes_a_count_zero(value: int, rounded: int) -> None:
    assert Policy(rounding=True).round_count(value) == rounded
    assert Policy().round_count(value) == value


def test_tables_the_policy_does_not_understand_are_refused() -> None:
    # one strand is a table by strand (tests/unit/test_disclosure_cuts.py); two at once, or
    # rows cut by different strands (or none), are not
    two = (("victim_sex", "female"), ("victim_ethnicity", "white"))
    with pytest.raises(DisclosureError, match="cut by victim_sex and victim_ethnicity at once"):
        apply([IndicatorResult("A", "A", "dv", "incidents", 3, cuts=two)])
    sex = IndicatorResult("A", "A", "dv", "incidents", 3, cuts=(("victim_sex", "female"),))
    with pytest.raises(DisclosureError, match=r"mix cuts \(no cut, victim_sex\)"):
        apply([sex, IndicatorResult("B", "B", "dv", "incidents", 3)])
    with pytest.raises(DisclosureError, match="unknown indicator"):
        apply([IndicatorResult("A", "A", "dv", "no_such_thing", 3)])
    clash = rows("dv", "offences", {"A": 10}) + rows("dv", "sd_rate", {"A": (3, 11)})
    with pytest.raises(DisclosureError, match="both"):
        apply(clash)


# --- the protection width (DOMAIN.md, "Disclosure control") ---------------------------------


def test_eights_and_nines_are_small_by_default() -> None:
    table = apply(rows("dv", "incidents", {"A": 8, "B": 9, "C": 30, "D": 40}))
    assert shown(table, "dv", "incidents")["A"] == "[c]"
    assert shown(table, "dv", "incidents")["B"] == "[c]"


def test_ten_suppressed_areas_sharing_eleven_are_not_left_at_one_or_two() -> None:
    # Ten small areas share 11 cautions; with K's 40 published each would be 1 or 2.
    small = dict.fromkeys("ABCDEFGHI", (1, 50)) | {"J": (2, 50)}
    results = rows("dv", "caution_rate", {**small, "K": (40, 100), "L": (55, 120)})
    table = apply(results)
    published = shown(table, "dv", "caution_rate")
    assert all(published[code] == "[c]/50" for code in small)
    assert published["K"] == "[c]/100"  # the smallest cell that gives them cover
    assert published["L"] == "55/120" and published["ALL"] == "106/720"
    assert audit(results, table) == []


def test_a_pair_of_suppressed_cells_needs_room_to_move_as_wide_as_the_width() -> None:
    # A + B = 60 − 48 = 12 with A, B in 1..11: A could be 1..11, wide enough.
    table = apply(rows("dv", "incidents", {"A": 5, "B": 7, "C": 48}))
    assert shown(table, "dv", "incidents") == {"A": "[c]", "B": "[c]", "C": "48", "ALL": "60"}
    # but A + B = 3 pins each to 1..2: a third cell is brought in
    table = apply(rows("dv", "incidents", {"A": 1, "B": 2, "C": 48}))
    assert shown(table, "dv", "incidents")["C"] == "[c]"


def test_offences_minus_victims_is_protected_as_a_count_of_crimes() -> None:
    # A: 30 offences against 29 victims: one further offence against the same victims,
    # which tells an outsider there is one repeat victim at most.
    results = rows("dv", "offences", {"A": 30, "B": 60, "C": 45}) + rows(
        "dv", "repeat_victim_rate", {"A": (1, 29), "B": (10, 50), "C": (12, 40)}
    )
    table = apply(results)
    offences = shown(table, "dv", "offences")["A"]
    victims = shown(table, "dv", "repeat_victim_rate")["A"].split("/")[1]
    assert "[c]" in (offences, victims)
    assert audit(results, table) == []


def test_the_audit_names_the_figure_and_the_relations_that_give_it_away() -> None:
    results = rows("dv", "incidents", {"A": 4, "B": 30, "C": 40})
    table = apply(results)
    assert shown(table, "dv", "incidents")["B"] == "[c]"
    # publish B after all: A is 74 − 30 − 40 exactly
    leaky = PublishedTable(
        table.policy,
        tuple(
            replace(c, numerator=30, suppressed=False) if c.area_code == "B" else c
            for c in table.cells
        ),
    )
    (found,) = audit(results, leaky)
    assert (found.family, found.figure, found.area_code, found.low, found.high) == (
        "dv",
        "incidents",
        "A",
        4,
        4,
    )
    assert found.relations == ("dv: incidents of the areas + not attributed = the force total",)
    assert "exactly 4" in found.describe()
    # and a small cell published as it is
    shown_a = PublishedTable(
        table.policy,
        tuple(replace(c, numerator=4, suppressed=False) if c.area_code == "A" else c
              for c in table.cells),
    )  # fmt: skip
    assert any(d.area_code == "A" and d.relations == () for d in audit(results, shown_a))


def test_a_policy_made_under_earlier_rules_is_not_applied() -> None:
    with pytest.raises(DisclosureError, match="rules revision 1"):
        apply(rows("dv", "incidents", {"A": 20}), Policy(version=1, rules_revision=1))
    assert "narrowed to a range narrower than 3" in Policy().describe()
