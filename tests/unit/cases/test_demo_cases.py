"""The demo's partnership cases (dsvb.demo.cases): valid interchange files, the same for a
seed, invented people, and something on every screen (every referral criterion, repeats
under both definitions' windows, an overdue action, a case past its retention period)."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from pathlib import Path

import pytest

from dsvb.cases import dash
from dsvb.cases import interchange as fmt
from dsvb.cases import settings as case_settings
from dsvb.cases.interchange_read import Interchange, read_folder
from dsvb.demo import cases as demo

TODAY = dt.date(2026, 12, 6)
SEEDS = Path(__file__).parents[2] / "data" / "seeds"


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> demo.DemoCases:
    return demo.write_demo_cases(tmp_path_factory.mktemp("demo") / "cases", today=TODAY, seed=7)


@pytest.fixture(scope="module")
def data(written: demo.DemoCases) -> Interchange:
    return read_folder(written.folder)  # raises, listing every problem, if any


def _months_later(day: dt.date, months: int) -> dt.date:
    return demo._add_months(day, months)


def test_the_files_pass_the_reader_with_every_file_present(
    written: demo.DemoCases, data: Interchange
) -> None:
    assert sorted(p.name for p in written.folder.iterdir()) == sorted(s.filename for s in fmt.FILES)
    for spec in fmt.FILES:
        assert len(data.of(spec.name)) == written.rows[spec.name] > 0, spec.name
    assert 38 <= len(data.of("cases")) <= 42
    assert {r["name"] for r in data.of("agencies")} == {a[0] for a in demo.AGENCIES}


def test_the_same_seed_and_day_give_the_same_files_and_another_seed_others(
    tmp_path: Path, written: demo.DemoCases
) -> None:
    again = demo.write_demo_cases(tmp_path / "again", today=TODAY, seed=7)
    other = demo.write_demo_cases(tmp_path / "other", today=TODAY, seed=8)
    for spec in fmt.FILES:
        first = (written.folder / spec.filename).read_bytes()
        assert (again.folder / spec.filename).read_bytes() == first, spec.filename
    assert (other.folder / "people.csv").read_bytes() != (
        written.folder / "people.csv"
    ).read_bytes()
    assert again.break_glass_case == written.break_glass_case


def test_no_name_or_street_is_from_the_seeds(data: Interchange) -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    assert len(texts) >= 3
    words = set(re.findall(r"[A-Za-z'-]+", "\n".join(texts)))
    people = data.of("people")
    assert len(people) > 100
    used = {r["given_name"] for r in people} | {r["family_name"] for r in people}
    assert not used & words, sorted(used & words)
    streets = {w for r in data.of("addresses") for w in re.findall(r"[A-Z][a-z]+", r["lines"])} - {
        "London",
        "Road",
        "Street",
        "Close",
        "Way",
        "Lane",
        "Terrace",
        "Gardens",
        "Walk",
        "Mews",
    }
    assert streets and not streets & words, sorted(streets & words)


def test_postcodes_are_not_real_ones(data: Interchange) -> None:
    for r in data.of("addresses"):
        inward = r["postcode"].split()[1]
        # a real postcode's last two letters are never C, I, K, M, O or V
        assert set(inward[1:]) <= set("CIKMOV"), r["postcode"]


def test_every_referral_criterion_and_consent_and_judgement_are_there(data: Interchange) -> None:
    referrals = data.of("referrals")
    assert {c for r in referrals for c in r["criteria"]} == set(fmt.CRITERIA)
    consents = {r["consent"] for r in referrals}
    assert {"given", "not_given"} <= consents
    assert all(r["consent_reason"] for r in referrals if r["consent"] != "given")
    assert {r["status"] for r in referrals} >= {"heard", "listed", "referred"}
    assessed = data.assessed.values()
    assert any(a.visible_high_risk for a in assessed)
    raised = [a for a in assessed if a.judgement_raised]
    assert raised and all(a.level.rank > a.score_level.rank for a in raised)
    high = case_settings.number("visible_high_risk_score", TODAY)
    assert any(a.score >= high for a in assessed) and any(a.score < high for a in assessed)


def test_some_victims_assessments_escalate(data: Interchange) -> None:
    by_case: dict[str, list] = {}
    for r in data.of("assessments"):
        by_case.setdefault(r["case"], []).append(data.assessed[r["assessment_id"]])
    rising = [
        sorted(a, key=lambda x: x.assessed_on)
        for a in by_case.values()
        if len(a) >= 3
        and [x.score for x in sorted(a, key=lambda x: x.assessed_on)] == sorted(x.score for x in a)
    ]
    assert len(rising) >= 3
    for series in rising:
        changes = dash.escalation(series)
        assert all(c.escalated for c in changes)
        assert changes[-1].level_raised and changes[-1].newly_yes
        # the earlier yes answers are kept: newly yes are only the added ones
        assert all(c.score_change == len(c.newly_yes) for c in changes)


def _incidents(data: Interchange, case: str) -> list:
    return sorted(
        (r for r in data.of("incidents") if r["case"] == case), key=lambda r: r["occurred_on"]
    )


def test_repeats_fall_inside_the_window_under_both_definitions(data: Interchange) -> None:
    months = case_settings.number("repeat_window_months", TODAY)
    definitions = set()
    older_kinds = {"violence", "threats", "stalking", "sexual"}
    by_case: dict[str, list] = {}
    for r in data.of("referrals"):
        by_case.setdefault(r["case"], []).append(r)
    repeats = 0
    for case, refs in by_case.items():
        refs.sort(key=lambda r: r["referred_on"])
        for before, repeat in itertools.pairwise(refs):
            if "repeat" not in repeat["criteria"]:
                continue
            repeats += 1
            definition = case_settings.setting("repeat_definition", repeat["referred_on"])
            definitions.add(definition)
            new = [
                i
                for i in _incidents(data, case)
                if before["referred_on"] < i["occurred_on"] <= repeat["referred_on"]
            ]
            assert new, case
            assert new[-1]["occurred_on"] <= _months_later(before["referred_on"], months)
            if definition == "violence_threats_stalking_sexual":
                assert new[-1]["kind"] in older_kinds
    assert repeats >= 4
    assert definitions == {"violence_threats_stalking_sexual", "any_abuse"}


def test_potential_escalation_has_the_local_number_of_police_incidents(data: Interchange) -> None:
    needed = case_settings.number("escalation_incidents", TODAY)
    found = 0
    for r in data.of("referrals"):
        if "potential_escalation" not in r["criteria"]:
            continue
        start = demo._add_months(r["referred_on"], -12)
        reported = [
            i
            for i in _incidents(data, r["case"])
            if i["reported_to_police"] and start < i["occurred_on"] <= r["referred_on"]
        ]
        assert len(reported) >= needed, r["case"]
        found += 1
    assert found >= 2


def test_actions_done_open_and_one_overdue_and_meetings_around_today(data: Interchange) -> None:
    actions = data.of("actions")
    assert any(a["status"] == "done" for a in actions)
    assert any(a["status"] == "open" and a["due_on"] >= TODAY for a in actions)
    overdue = [a for a in actions if a["status"] == "open" and a["due_on"] < TODAY]
    assert len(overdue) == 1
    meetings = data.of("meetings")
    planned = [m for m in meetings if m["status"] == "planned" and m["marac"] == demo.MARAC]
    assert [m["date"] - TODAY for m in planned] == [dt.timedelta(days=14)]
    assert all(m["date"] <= TODAY for m in meetings if m["status"] == "held")


def test_a_closed_case_is_past_retention_and_a_share_is_withdrawn(data: Interchange) -> None:
    years = case_settings.number("retention_years", TODAY)
    closed = [r for r in data.of("cases") if r["status"] == "closed"]
    past = [r for r in closed if demo._years_before(TODAY, years) > r["closed_on"]]
    assert len(past) == 1 and len(closed) > len(past)
    shares = data.of("shares")
    assert any(s["withdrawn_on"] for s in shares)
    assert {s["basis"] for s in shares} == {"consent", "legal_basis"}


def test_the_break_glass_case_is_open_has_children_and_is_not_shared_with_them(
    written: demo.DemoCases, data: Interchange
) -> None:
    case = next(r for r in data.of("cases") if r["case_id"] == written.break_glass_case)
    assert case["agency"] == demo.IDVA and case["status"] == "open"
    assert any(
        p["case"] == case["case_id"] and p["role"] == "child" for p in data.of("case_people")
    )
    assert not [
        s
        for s in data.of("shares")
        if s["case"] == case["case_id"] and s["to_agency"] == demo.CHILDREN
    ]
    police = {r["case_id"] for r in data.of("cases") if r["agency"] == demo.POLICE}
    assert set(written.police_cases) == police
