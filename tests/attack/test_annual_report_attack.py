"""The outsider holds the annual report's figures beside every release: nothing small comes
back (and, with disclosure control off in the report, something does: the test can fail).

The annual report prints its tables, charts and sentences from the table a release of the
same figures publishes (``dsvb.oversight.annual_report``); the outsider reads what the report
prints (its figures in the public download format, ``annual_report.tables_csv``) together
with the release files ``dsvb publish`` writes for the same store, and attacks them at once.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.attack import attacker as A
from tests.attack.scenarios import (
    Truth,
    annual_report_csv,
    annual_report_inputs,
    build_store,
    published_csvs,
)

NO_END = dt.date(2100, 1, 1)
PERIOD = (dt.date(2009, 12, 1), dt.date(2010, 11, 30))  # the release of a 12-month demo store


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> tuple[Path, list[Path], Truth]:
    folder = tmp_path_factory.mktemp("annual-report-attack")
    path = build_store(folder, 3_000, 1)
    releases = published_csvs([path], folder / "published")
    assert len(releases) == 1
    return path, releases, Truth([(path, NO_END)])


def disclosures(files: list[Path], truth: Truth) -> list[A.Finding]:
    """The stronger outsider's (remainders known) disclosures of small counts."""

    def small(target: A.Target) -> bool:
        value = A.true_value(target, truth)
        return value is not None and 1 <= value <= A.THRESHOLD

    attack = A.Attack(A.build_model(A.read_published(files), truth.remainders(files)))
    found = A.judge(attack.findings(select=small), truth)
    wrong = A.unsound(found)
    assert not wrong, "\n".join(f.describe() for f in wrong)
    return [f for f in found if f.disclosure]


def test_the_annual_report_and_the_releases_together_give_nothing_away(published, tmp_path) -> None:
    path, releases, truth = published
    report = annual_report_csv(path, PERIOD, tmp_path / "annual-report-2010.csv")
    pub = A.read_published([report])
    assert pub.periods == [PERIOD]  # the release's period: the two are attacked as one
    assert any(v is None for v in pub.values.values())  # the report withholds figures too
    found = disclosures([*releases, report], truth)
    assert not found, "\n".join(f.describe() for f in found)


def test_with_disclosure_control_off_the_report_gives_a_small_count_away(
    published, tmp_path
) -> None:
    path, releases, truth = published
    exact = annual_report_csv(path, PERIOD, tmp_path / "draft.csv", controlled=False)
    found = disclosures([*releases, exact], truth)
    assert found
    # among them a count the release itself withholds
    release = A.read_published(releases)
    assert any(
        release.values.get(key) is None
        for f in found
        for key, _ in f.target.terms
        if key in release.values
    )


def test_the_outsider_reads_no_uncontrolled_number_in_the_reports_prose(
    published, tmp_path
) -> None:
    """Every number in the published report's words is a figure its download carries (the
    controlled tables, the force's figures), a year or a date, or the policy's own terms --
    a borough's exact count from a finding's letter text is not (it is worded by its theme)."""
    import csv as csv_module
    import io
    import re

    from dsvb.oversight import annual_report as ar
    from dsvb.reports.disclosure import Policy

    number = re.compile(r"\d[\d,]*(?:\.\d+)?")
    path, _, _ = published
    csv = annual_report_csv(path, PERIOD, tmp_path / "annual-report-2010.csv").read_text()
    letter = "60.4% detected (638 of 1,056); 7 repeat caution offenders."
    inputs = annual_report_inputs(
        path,
        PERIOD,
        boroughs=(
            ar.BoroughOutcome("Croydon", (), (ar.Outcome(letter, ar.theme_wording("data")),)),
        ),
    )
    text = ar.build_annual_report(inputs).text()
    allowed: set[str] = set()
    for row in csv_module.DictReader(io.StringIO(csv)):
        for column in ("numerator", "denominator", "value"):
            if re.fullmatch(r"\d+(?:\.\d+)?", row[column]):
                allowed.add(row[column])
        if row["value"] not in ("", "[c]", "[z]", "[x]") and "." in row["value"]:
            allowed.add(f"{float(row['value']) * 100:.1f}")
    # figures made from force-level ones (other = all - serious; a share of two force counts)
    force = {
        int(row[c])
        for row in csv_module.DictReader(io.StringIO(csv))
        if row["geography_level"] == "force"
        for c in ("numerator", "denominator")
        if row[c].isdigit()
    }
    allowed |= {str(a - b) for a in force for b in force if a > b}
    allowed |= {f"{a / b * 100:.1f}" for a in force for b in force if b}
    allowed |= {n.replace(",", "") for n in number.findall(Policy().describe())}
    allowed |= {str(Policy().version)}
    # dates, years, and how many boroughs a chart shows (the rest are named as withheld)
    dates = re.compile(
        r"\b\d{1,2} [A-Z][a-z]+ \d{4}\b|\b(?:19|20)\d\d\b|\bof \d+ boroughs'|\b12 months\b"
    )
    loose = [n for n in number.findall(dates.sub(" ", text)) if n.replace(",", "") not in allowed]
    assert not loose, loose
    assert "Croydon were asked to follow up on:\nData" in text
