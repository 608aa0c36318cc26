"""Releases (plain Python): which period comes next, what is refused, and a release read back
exactly as it was made."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from dsvb.indicators.model import Period
from dsvb.reports import disclosure, publication
from dsvb.reports.disclosure import Policy, PublishedTable
from dsvb.reports.publication import Release, ReleaseRefused, make_release, next_period
from tests.reports.tables import rows

D = dt.date


def year_to(month_end: D) -> Period:
    """The 12 months ending with the month before ``month_end``'s first day."""
    return Period(D(month_end.year - 1, month_end.month, 1), month_end)


@pytest.mark.parametrize(
    ("first", "last", "released", "expected"),
    [
        # the first release: the latest 12 whole months held
        (D(2009, 12, 1), D(2010, 11, 1), [], Period(D(2009, 12, 1), D(2010, 12, 1))),
        (D(2008, 1, 1), D(2010, 11, 1), [], Period(D(2009, 12, 1), D(2010, 12, 1))),
        # then the 12 months after the last release, once held whole
        (
            D(2009, 12, 1),
            D(2011, 11, 1),
            [Period(D(2009, 12, 1), D(2010, 12, 1))],
            Period(D(2010, 12, 1), D(2011, 12, 1)),
        ),
        # not the latest 12 months when that would overlap: the cycle holds
        (
            D(2009, 12, 1),
            D(2012, 2, 1),
            [Period(D(2009, 12, 1), D(2010, 12, 1))],
            Period(D(2010, 12, 1), D(2011, 12, 1)),
        ),
        # a store that no longer holds the months after the last release starts later
        (
            D(2011, 3, 1),
            D(2012, 2, 1),
            [Period(D(2009, 12, 1), D(2010, 12, 1))],
            Period(D(2011, 3, 1), D(2012, 3, 1)),
        ),
    ],
)
def test_the_next_period_follows_a_yearly_cycle(first, last, released, expected) -> None:
    assert next_period(first, last, released).period == expected


def test_no_period_is_due_without_a_whole_year_after_the_last_release() -> None:
    assert next_period(None, None, []).reason == "the store holds no records"
    short = next_period(D(2010, 6, 1), D(2010, 11, 1), [])
    assert short.period is None and "the store holds 6" in short.reason
    waiting = next_period(D(2009, 12, 1), D(2011, 5, 1), [Period(D(2009, 12, 1), D(2010, 12, 1))])
    assert waiting.period is None
    assert "12 months to November 2011" in waiting.reason and "May 2011" in waiting.reason


def _results(offences: dict[str, int]) -> list:
    return rows("dv", "offences", offences) + rows(
        "dv", "sd_rate", {a: (n // 2, n) for a, n in offences.items()}
    )


def test_a_release_is_controlled_audited_and_reads_back_exactly() -> None:
    period = year_to(D(2010, 12, 1))
    release = make_release(
        _results({"A": 40, "B": 3, "C": 55, "D": 70}),
        period,
        Policy(),
        number=1,
        published_at=dt.datetime(2010, 12, 20, 9, 30, tzinfo=dt.UTC),
        published_by="sec",
    )
    assert release.label == "12 months to November 2010"
    assert release.table.get("dv", "offences", "B").suppressed
    assert Release.from_data(release.to_data()) == release
    records = list(csv.DictReader(io.StringIO(publication.to_csv(release))))
    assert list(records[0]) == list(publication.COLUMNS)
    assert {r["release"] for r in records} == {"1"}
    assert {r["disclosure_policy"] for r in records} == {Policy().describe()}
    b = next(r for r in records if r["area_code"] == "B" and r["indicator"] == "offences")
    assert b["numerator"] == "[c]" and b["value"] == "[c]"


def test_an_overlapping_period_is_refused() -> None:
    earlier = year_to(D(2010, 12, 1))
    later = Period(D(2010, 6, 1), D(2011, 6, 1))
    with pytest.raises(ReleaseRefused, match="overlaps the release of 12 months to November"):
        make_release(_results({"A": 40, "B": 50}), later, Policy(), number=2, released=[earlier])
    # next to it is fine
    make_release(
        _results({"A": 40, "B": 50}),
        year_to(D(2011, 12, 1)),
        Policy(),
        number=2,
        released=[earlier],
    )


def test_nothing_is_released_when_the_audit_finds_a_figure_given_away(monkeypatch) -> None:
    """The audit checks the finished tables from scratch: a fault in the suppression (here
    simulated by a table that publishes everything) is caught before anything leaves."""

    def leaky(results, policy):
        table = disclosure.apply(results, policy)
        return PublishedTable(
            policy,
            tuple(
                c.__class__(**{**c.__dict__, "suppressed": False, "numerator": 3})
                if c.area_code == "B" and c.indicator == "offences"
                else c
                for c in table.cells
            ),
        )

    monkeypatch.setattr(publication, "apply", leaky)
    with pytest.raises(ReleaseRefused) as refused:
        make_release(
            _results({"A": 40, "B": 3, "C": 55, "D": 70}),
            year_to(D(2010, 12, 1)),
            Policy(),
            number=1,
        )
    assert "nothing is published" in str(refused.value)
    described = [d.describe() for d in refused.value.disclosures]
    assert any("offences (dv, area B) can be narrowed to exactly 3" in d for d in described)


def test_the_policy_and_the_period_are_on_every_row_and_formula_text_is_defused() -> None:
    release = make_release(
        _results({"A": 40, "B": 50}), year_to(D(2010, 12, 1)), Policy(), number=4
    )
    hostile = Release(
        release.number,
        release.period,
        PublishedTable(
            release.policy,
            tuple(
                c.__class__(**{**c.__dict__, "area_name": "=HYPERLINK(1)"})
                for c in release.table.cells
            ),
        ),
    )
    text = publication.to_csv(hostile)
    assert "'=HYPERLINK(1)" in text and ",=HYPERLINK" not in text
    assert publication.file_stem(release) == "dsvb-release-4-2009-12-to-2010-11-sdc-v2"
