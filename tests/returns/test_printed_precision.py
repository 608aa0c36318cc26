"""What a printed rate can stand for, and printed rates no whole number can give.

The oracle here is independent of the code under test: every numerator 0..2n is tried, its
rate computed with ``decimal`` and cut to the printed decimals half up, half down and (for
whole percentages only, as DOMAIN.md says the reports truncate) down.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_DOWN, ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dsvb.ingest.returns import read_return
from dsvb.ingest.returns.precision import printed_figure


def prints_as(k: int, n: int, printed: str) -> bool:
    """Whether k / n is printed as ``printed`` by a report (DOMAIN.md's rule)."""
    number = printed.rstrip("%")
    places = len(number.split(".")[1]) if "." in number else 0
    with localcontext() as ctx:
        ctx.prec = 60
        exact = Decimal(k) * 100 / Decimal(n)
    q = Decimal(1).scaleb(-places)
    cuts = [ROUND_HALF_UP, ROUND_HALF_DOWN] + ([ROUND_DOWN] if places == 0 else [])
    return any(exact.quantize(q, rounding=r) == Decimal(number) for r in cuts)


@given(
    st.integers(min_value=0, max_value=1000),
    st.integers(min_value=0, max_value=1),
    st.integers(min_value=1, max_value=400),
)
def test_the_numerators_of_a_printed_rate_are_exactly_those_that_print_as_it(tenths, places, n):
    printed = f"{tenths // 10}%" if places == 0 else f"{tenths / 10:.1f}%"
    figure = printed_figure(printed)
    expected = [k for k in range(0, 2 * n + 2) if prints_as(k, n, printed)]
    assert list(figure.numerators(n)) == expected


@given(
    st.integers(min_value=0, max_value=300),
    st.integers(min_value=1, max_value=300),
    st.sampled_from(["{:.0f}%", "{:.1f}%"]),
    st.sampled_from(["{:.0f}%", "{:.1f}%"]),
    st.sampled_from([ROUND_HALF_UP, ROUND_DOWN]),
)
def test_two_prints_of_one_true_value_always_meet(k, n, fmt_a, fmt_b, cut):
    exact = Decimal(k) * 100 / Decimal(n)

    def printed(fmt: str) -> str:
        places = 0 if "0f" in fmt else 1
        rounding = cut if places == 0 else ROUND_HALF_UP  # one-decimal tables are rounded
        return f"{exact.quantize(Decimal(1).scaleb(-places), rounding=rounding)}%"

    a, b = printed_figure(printed(fmt_a)), printed_figure(printed(fmt_b))
    assert a.admits(Fraction(k, n)) and b.admits(Fraction(k, n))
    assert a.meets(b) and b.meets(a)


@pytest.mark.parametrize(
    ("a", "b", "meet"),
    [
        ("24.5%", "25%", True),  # 24.45..24.55 against 24.5..under 26
        ("24.5%", "26%", False),  # 24.45..24.55 against 25.5..under 27
        ("48.9%", "49%", True),
        ("48.9%", "48%", True),  # 48% truncated: 48..under 49
        ("48.9%", "47%", False),
        ("24.5%", "24.6%", True),  # an exact 24.55% may be printed either way
        ("24.5%", "24.7%", False),
        ("2.5", "2.6", True),
        ("2.5", "2.7", False),
    ],
)
def test_printed_figures_meet_when_one_value_could_print_as_both(a, b, meet):
    assert printed_figure(a).meets(printed_figure(b)) is meet
    assert printed_figure(b).meets(printed_figure(a)) is meet


def test_the_interval_of_a_printed_figure():
    assert printed_figure("49%").describe() == "48.5% to under 50%"
    assert printed_figure("24.5%").describe() == "24.45% to 24.55%"
    assert printed_figure("3%").describe() == "2.5% to under 4%"
    assert printed_figure("0%").describe() == "0% to under 1%"
    assert printed_figure("12 ¹").text == "12"
    assert printed_figure("n/a") is None and printed_figure("-5%") is None


# --- in a table -------------------------------------------------------------------------------


def headline(tmp_path, rows: str):
    path = tmp_path / "h.csv"
    path.write_text("offence,offences,sanction_detection_rate\n" + rows, encoding="utf-8")
    return read_return(path)


def impossible_notes(ret):
    return [n for n in ret.notes_of("reconciliation") if "no whole number" in n.message]


def test_3_percent_of_12_is_flagged(tmp_path):
    ret = headline(tmp_path, "Rape,12,3%\n")
    (note,) = impossible_notes(ret)
    assert (note.row_number, note.column_name, note.found) == (1, "sanction_detection_rate", 0.03)
    assert "sd_rate printed 3% of 12 (offences)" in note.message
    assert "no whole number out of 12 gives 3% rounded or truncated" in note.message
    assert "0 / 12 = 0.00% and 1 / 12 = 8.33%" in note.message


def test_8_percent_of_12_is_not_flagged(tmp_path):
    # 1 / 12 = 8.33%, printed 8% rounded
    assert not headline(tmp_path, "Rape,12,8%\n").notes_of("reconciliation")


@pytest.mark.parametrize(
    ("printed", "flagged"),
    [
        ("16%", False),  # 1 / 6 = 16.67%: 17% rounded, 16% truncated, and whole % may be either
        ("17%", False),
        ("18%", True),
        ("16.7%", False),  # rounded
        ("16.6%", True),  # truncated only, and one-decimal figures are printed rounded
        ("50.0%", False),
        ("49.9%", True),
    ],
)
def test_truncation_is_allowed_for_whole_percentages_only(tmp_path, printed, flagged):
    notes = impossible_notes(headline(tmp_path, f"Rape,6,{printed}\n"))
    assert bool(notes) is flagged
    if printed == "16.6%":
        assert "1 / 6 = 16.667% gives it only truncated" in notes[0].message


def test_a_rate_over_a_denominator_of_zero_is_flagged(tmp_path):
    (note,) = headline(tmp_path, "Rape,0,0%\n").notes_of("reconciliation")
    assert "printed 0% of 0 (offences): no rate can be taken over a denominator of 0" in (
        note.message
    )


def test_a_rate_that_is_also_off_its_counts_says_it_is_impossible_too(tmp_path):
    path = tmp_path / "dv.csv"
    path.write_text(
        "borough,dv_offences,dv_sanction_detections,dv_sd_rate\nBarnet,12,1,3%\nBrent,12,1,17%\n",
        encoding="utf-8",
    )
    notes = read_return(path).notes_of("reconciliation")
    assert [n.row_number for n in notes] == [1, 2]
    assert "printed 3% but 1 / 12 = 8.33%" in notes[0].message
    assert "impossible of 12 (dv_offences), but no whole number out of 12" in notes[0].message
    assert "impossible" not in notes[1].message  # 17% is 2 / 12, not 1 / 12: differs only


def test_a_denominator_from_another_row_is_named(tmp_path):
    path = tmp_path / "kingston_return.csv"
    path.write_text(
        "indicator,value,comparator,note\ndv_offences,12,,\nform_124d_completion,3%,,\n",
        encoding="utf-8",
    )
    (note,) = impossible_notes(read_return(path))
    assert note.row_number == 2
    assert "printed 3% of 12 (offences, row 1 'dv_offences')" in note.message
