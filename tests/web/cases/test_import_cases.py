"""The cases' importer on the database: all or nothing, the same files twice stored once, a
changed row updated, DASH computed; and ``dsvb import-cases`` as a real command against a
temporary SQLite database."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dsvb.cases import interchange as fmt
from dsvb.cases.interchange_read import InterchangeError
from dsvb.web.audit.models import AuditEvent
from dsvb.web.cases import importer
from dsvb.web.cases import models as m
from dsvb.web.cases.audit import CASES_IMPORTED
from dsvb.web.commands.import_cases import import_cases as import_cases_command
from tests.web.audit.helpers import DSVB

EXAMPLE = Path(__file__).parents[2] / "data" / "cases"
MODELS = (
    m.Agency,
    m.Person,
    m.Case,
    m.CaseParty,
    m.Address,
    m.CaseIncident,
    m.Assessment,
    m.MaracMeeting,
    m.Referral,
    m.MaracAction,
    m.Share,
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    out = tmp_path / "cases"
    shutil.copytree(EXAMPLE, out)
    return out


def stored() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8", newline="")


def test_the_example_is_stored_with_scores_computed(db, folder: Path) -> None:
    summary = importer.import_cases(folder, new_agencies=True)
    assert stored() == {
        "Agency": 4,
        "Person": 5,
        "Case": 2,
        "CaseParty": 3,
        "Address": 3,
        "CaseIncident": 2,
        "Assessment": 2,
        "MaracMeeting": 2,
        "Referral": 2,
        "MaracAction": 2,
        "Share": 2,
    }
    assert summary.totals().created == 29 and summary.counts["people"].created == 5
    marac = m.Agency.objects.get(name="Northbrook MARAC")
    assert marac.members.count() == 3 and marac.escalation_incidents == 3
    case = m.Case.objects.get(external_id="IDVA-2024-001")
    assert case.victim.external_id == "P-001" and case.victim.identifiers == {"nhs": "9990000011"}
    assert case.addresses.get(kind="refuge").group.value == "refuge_address"
    a1 = case.assessments.get()
    assert (a1.score, a1.score_level, a1.level, a1.answers["financial"]) == (
        14,
        "high",
        "high",
        "no",
    )
    a2 = m.Assessment.objects.get(case__external_id="CSU-2024-017")
    assert (a2.score, a2.score_level, a2.graded_level, a2.level) == (
        3,
        "standard",
        "medium",
        "high",
    )
    r2 = m.Referral.objects.get(external_id="R-2")
    assert r2.meeting.date.isoformat() == "2024-03-14" and r2.consent == "not_given"
    share = m.Share.objects.get(case__external_id="CSU-2024-017")
    assert share.groups == ["identity", "contact", "risk", "household"] and share.status == "active"
    # the IDVA service now sees the police case's shared groups
    assert {g.value for g in share.case.share_groups()["Northbrook IDVA service"]} == {
        "identity",
        "contact",
        "risk",
        "household",
    }
    (entry,) = AuditEvent.objects.filter(action=str(CASES_IMPORTED))
    assert entry.actor_username.startswith("cli:")
    assert entry.details["counts"]["cases"] == {"created": 2, "updated": 0, "unchanged": 0}
    logged = f"{entry.summary} {entry.details}"
    for person in m.Person.objects.all():
        assert person.family_name not in logged and person.given_name not in logged


def test_the_same_files_twice_are_stored_once(db, folder: Path) -> None:
    importer.import_cases(folder, new_agencies=True)
    first = stored()
    again = importer.import_cases(folder, new_agencies=True)
    assert stored() == first
    assert again.totals().created == 0 and again.totals().updated == 0
    assert again.totals().unchanged == 29
    assert AuditEvent.objects.filter(action=str(CASES_IMPORTED)).count() == 2


def test_a_changed_row_updates_its_record(db, folder: Path) -> None:
    importer.import_cases(folder, new_agencies=True)
    edit(folder, "people.csv", "Example,Victimone", "Example,Victimone-Renamed")
    edit(folder, "assessment_answers.csv", "A-1,injured,yes", "A-1,injured,no")
    edit(
        folder,
        "agencies.csv",
        "Northbrook IDVA service;Northbrook Police CSU;Northbrook Children's Services,3",
        "Northbrook IDVA service;Northbrook Police CSU,4",
    )
    edit(folder, "actions.csv", "2024-03-01,open,,", "2024-03-01,done,2024-02-28,")
    before = stored()
    summary = importer.import_cases(folder, new_agencies=True)
    assert stored() == before
    assert vars(summary.counts["people"]) == {"created": 0, "updated": 1, "unchanged": 4}
    assert vars(summary.counts["assessments"]) == {"created": 0, "updated": 1, "unchanged": 1}
    assert vars(summary.counts["agencies"]) == {"created": 0, "updated": 1, "unchanged": 3}
    assert vars(summary.counts["actions"]) == {"created": 0, "updated": 1, "unchanged": 1}
    assert m.Person.objects.get(external_id="P-001").family_name == "Victimone-Renamed"
    a1 = m.Assessment.objects.get(case__external_id="IDVA-2024-001")
    # one "yes" fewer: 13, below visible high risk: the level is recomputed, not kept
    assert (a1.score, a1.score_level, a1.level) == (13, "standard", "standard")
    marac = m.Agency.objects.get(name="Northbrook MARAC")
    # the MARAC's setting is updated; a member left out of the file stays a member
    assert (marac.escalation_incidents, marac.members.count()) == (4, 3)
    assert m.MaracAction.objects.get(status="done", task="Visit the child's school")


def test_a_bad_row_in_the_third_file_stores_nothing(db, folder: Path) -> None:
    edit(folder, "cases.csv", "2024-03-05,,true,true", "2024-03-35,,true,true")
    with pytest.raises(InterchangeError) as caught:
        importer.import_cases(folder, new_agencies=True)
    assert [str(p) for p in caught.value.problems] == [
        "cases.csv:3: opened_on: '2024-03-35' is not a date (write it as YYYY-MM-DD)"
    ]
    assert set(stored().values()) == {0}
    assert not AuditEvent.objects.filter(action=str(CASES_IMPORTED)).exists()


def test_a_failure_while_storing_leaves_nothing_stored(db, folder: Path, monkeypatch) -> None:
    """The agencies and people are written before the cases; a failure writing the cases
    rolls them back too (one transaction)."""

    def fail(self: object) -> None:
        assert m.Person.objects.count() == 5  # the first two files were written
        raise RuntimeError("the database went away")

    monkeypatch.setattr(importer._Writer, "_cases", fail)
    with pytest.raises(RuntimeError):
        importer.import_cases(folder, new_agencies=True)
    assert set(stored().values()) == {0}
    assert not AuditEvent.objects.filter(action=str(CASES_IMPORTED)).exists()


def test_a_dry_run_counts_and_stores_nothing(db, folder: Path) -> None:
    summary = importer.import_cases(folder, dry_run=True, new_agencies=True)
    assert summary.dry_run and summary.totals().created == 29
    assert set(stored().values()) == {0}
    assert not AuditEvent.objects.filter(action=str(CASES_IMPORTED)).exists()


def test_the_formats_plain_values_are_the_models_choices() -> None:
    person_sexes = {v for v, _ in m.Person._meta.get_field("sex").choices if v}
    ethnicities = {v for v, _ in m.Person._meta.get_field("ethnicity").choices if v}
    assert person_sexes == set(fmt.SEXES)
    assert ethnicities == set(fmt.ETHNICITIES)
    assert {k for k, _ in m.Address.KINDS} == set(fmt.ADDRESS_KINDS)
    assert {k for k, _ in m.CaseIncident.KINDS} == set(fmt.INCIDENT_KINDS)


STORED_AS = {
    ("agencies", "name"): (m.Agency, "name"),
    ("agencies", "area_code"): (m.Agency, "area_code"),
    ("people", "person_id"): (m.Person, "external_id"),
    ("people", "given_name"): (m.Person, "given_name"),
    ("people", "family_name"): (m.Person, "family_name"),
    ("people", "other_names"): (m.Person, "other_names"),
    ("people", "phone"): (m.Person, "phone"),
    ("people", "email"): (m.Person, "email"),
    ("cases", "case_id"): (m.Case, "external_id"),
    ("cases", "team"): (m.Case, "team"),
    ("cases", "area_code"): (m.Case, "area_code"),
    ("cases", "crime_reference"): (m.Case, "crime_reference"),
    ("case_people", "relationship"): (m.CaseParty, "relationship"),
    ("addresses", "postcode"): (m.Address, "postcode"),
    ("incidents", "police_reference"): (m.CaseIncident, "police_reference"),
    ("assessments", "assessor_name"): (m.Assessment, "assessor_name"),
    ("referrals", "referral_id"): (m.Referral, "external_id"),
    ("actions", "owner"): (m.MaracAction, "owner"),
}


def test_every_limited_field_has_its_limit_in_the_format() -> None:
    """A value too long for the database is a problem on its line, not a failed transaction:
    the format's limits are the models' (and every bounded text field stored is checked)."""
    limited = {
        (spec.name, c.name): c.max_length
        for spec in fmt.FILES
        for c in spec.columns
        if c.max_length is not None
    }
    assert set(limited) == set(STORED_AS)
    for key, (model, name) in STORED_AS.items():
        assert model._meta.get_field(name).max_length == limited[key], key


def test_the_command_imports_once_and_reports_problems(tmp_path: Path, folder: Path) -> None:
    database = tmp_path / "cases.sqlite3"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SETTINGS_MODULE", "DSVB_MIGRATE_DATABASE_URL")
    }
    env |= {"DATABASE_URL": f"sqlite:///{database}", "DSVB_DATA_DIR": str(tmp_path)}

    def dsvb(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*DSVB, *args], capture_output=True, text=True, env=env, timeout=300, check=False
        )

    migrated = dsvb("manage", "migrate", "-v0")
    assert migrated.returncode == 0, migrated.stderr

    def count(table: str) -> int:
        with sqlite3.connect(database) as con:
            return con.execute(f"select count(*) from {table}").fetchone()[0]

    fresh = dsvb("import-cases", str(folder))  # no agency is stored yet
    assert fresh.returncode == 1
    assert fresh.stderr.splitlines()[0] == (
        "agencies.csv:2: name: 'Northbrook IDVA service' is not an agency in dsvb (names are "
        "matched ignoring case and spacing); check the name, or import with --new-agencies "
        "to add it"
    )
    assert count("cases_agency") == 0
    first = dsvb("import-cases", str(folder), "--new-agencies")
    assert first.returncode == 0, first.stderr
    assert "cases.csv: 2 created, 0 updated, 0 unchanged" in first.stdout
    assert (count("cases_case"), count("cases_person"), count("cases_assessment")) == (2, 5, 2)
    again = dsvb("import-cases", str(folder), "--new-agencies")
    assert again.returncode == 0, again.stderr
    assert "0 record(s) were created, 0 updated, 29 unchanged" in again.stdout
    assert (count("cases_case"), count("cases_person"), count("cases_assessment")) == (2, 5, 2)

    bad = tmp_path / "bad"
    shutil.copytree(EXAMPLE, bad)
    edit(bad, "people.csv", "C-101,Demo,Abusertwo", "C-102,Demo,Abuserthree")
    edit(bad, "shares.csv", "identity;household;risk", "identity;household;risk;health")
    before = count("audit_auditevent")
    unknown = "'C-101' is not a person of Northbrook Police CSU in people.csv"
    refused = dsvb("import-cases", str(bad), "--new-agencies")
    assert refused.returncode == 1
    assert refused.stderr.splitlines() == [
        f"case_people.csv:4: person: {unknown}",
        f"incidents.csv:3: perpetrator: {unknown}",
        "shares.csv:3: groups: health: not needed by a Children's social care agency "
        "(it needs address, household, identity, marac, perpetrator, risk)",
        f"3 problem(s) in {bad}: nothing was imported.",
    ]
    assert count("cases_person") == 5 and count("audit_auditevent") == before


def test_the_commands_dry_run_stores_nothing(db, folder: Path) -> None:
    result = CliRunner().invoke(import_cases_command, [str(folder), "--dry-run", "--new-agencies"])
    assert result.exit_code == 0, result.output
    assert "cases.csv: 2 created, 0 updated, 0 unchanged" in result.output
    assert "29 record(s) would be created, 0 updated, 0 unchanged (dry run: nothing stored)" in (
        result.output
    )
    assert set(stored().values()) == {0}


def test_a_share_withdrawn_since_stays_withdrawn(db, folder: Path) -> None:
    """An older file listing a share as active never makes a withdrawn share active again."""
    importer.import_cases(folder, new_agencies=True)
    share = m.Share.objects.get(case__external_id="CSU-2024-017")
    share.move_to("withdrawn", reason="The victim withdrew consent")
    share.withdrawn_reason = "The victim withdrew consent"
    share.save()
    summary = importer.import_cases(folder, new_agencies=True)
    share.refresh_from_db()
    assert share.status == "withdrawn" and share.withdrawn_reason == "The victim withdrew consent"
    assert vars(summary.counts["shares"]) == {"created": 0, "updated": 0, "unchanged": 2}
    assert share.case.share_groups() == {}


def test_a_reimport_reads_each_kind_of_record_once(db, folder: Path) -> None:
    """Matching is one query per file, not one per row (a large folder re-imports quickly):
    the example's 29 records again take about as many queries as it has files."""
    importer.import_cases(folder, new_agencies=True)
    with CaptureQueriesContext(connection) as queries:
        importer.import_cases(folder, new_agencies=True)
    selects = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    # one per file (11) and one per agency for a MARAC's members (4), and the audit's
    # own; one a record would be 29 or more
    assert len(selects) <= 20, "\n".join(selects)
    writes = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith(("INSERT", "UPDATE"))
    ]
    assert len(writes) <= 2, writes  # the audit entry only


def problems_of(folder: Path, **options: bool) -> list[tuple[str, int, str]]:
    with pytest.raises(InterchangeError) as caught:
        importer.import_cases(folder, **options)
    return [(p.file, p.line, p.column) for p in caught.value.problems]


def test_an_import_never_changes_a_stored_agencys_kind_or_area(db, folder: Path) -> None:
    """An agency's kind decides what it sees of a case and its area whose figures it is in:
    one agency's file must not re-make them, so a different one is refused on its row."""
    importer.import_cases(folder, new_agencies=True)
    edit(folder, "agencies.csv", "Northbrook IDVA service,idva,", "Northbrook IDVA service,police,")
    edit(folder, "agencies.csv", "CSU,police,E09000022", "CSU,police,E09000028")
    before = stored()
    with pytest.raises(InterchangeError) as caught:
        importer.import_cases(folder, new_agencies=True)
    assert [(p.file, p.line, p.column) for p in caught.value.problems] == [
        ("agencies.csv", 2, "kind"),
        ("agencies.csv", 3, "area_code"),
    ]
    assert "an import never changes an agency's kind" in caught.value.problems[0].message
    assert stored() == before
    idva = m.Agency.objects.get(name="Northbrook IDVA service")
    police = m.Agency.objects.get(name="Northbrook Police CSU")
    assert (idva.kind, police.area_code) == ("idva", "E09000022")


def test_a_marac_keeps_its_members_and_empty_cells_keep_the_stored_values(db, folder: Path) -> None:
    importer.import_cases(folder, new_agencies=True)
    (folder / "agencies.csv").write_text(
        "name,kind,area_code,marac_members,escalation_incidents\n"
        "Northbrook IDVA service,idva,,,\n"
        "Northbrook Police CSU,police,,,\n"
        "Northbrook Children's Services,children_services,,,\n"
        "Northbrook MARAC,marac,,,\n",
        "utf-8",
    )
    summary = importer.import_cases(folder)
    marac = m.Agency.objects.get(name="Northbrook MARAC")
    assert marac.members.count() == 3 and marac.escalation_incidents == 3
    assert set(m.Agency.objects.values_list("area_code", flat=True)) == {"E09000022"}
    assert vars(summary.counts["agencies"]) == {"created": 0, "updated": 0, "unchanged": 4}
    # a member the file adds is added to those stored
    extra = m.Agency.objects.create(name="Northbrook Housing", kind="housing")
    (folder / "agencies.csv").write_text(
        "name,kind,marac_members\nNorthbrook MARAC,marac,Northbrook Housing\n"
        "Northbrook Housing,housing,\nNorthbrook IDVA service,idva,\n"
        "Northbrook Police CSU,police,\nNorthbrook Children's Services,children_services,\n",
        "utf-8",
    )
    importer.import_cases(folder)
    assert marac.members.count() == 4 and extra in marac.members.all()


def test_an_agency_name_differing_in_case_or_spacing_is_the_stored_agency(db, folder: Path) -> None:
    importer.import_cases(folder, new_agencies=True)
    before = stored()
    for path in folder.glob("*.csv"):
        text = path.read_text("utf-8").replace(
            "Northbrook IDVA service", "northbrook  IDVA Service"
        )
        path.write_text(text, "utf-8", newline="")
    summary = importer.import_cases(folder, new_agencies=True)
    assert stored() == before and summary.totals().created == 0
    assert "agencies.csv:2: name: 'northbrook  IDVA Service' is the stored agency " in (
        "\n".join(summary.lines())
    )
    case = m.Case.objects.get(external_id="IDVA-2024-001")
    assert case.agency.name == "Northbrook IDVA service"


def test_an_agency_not_stored_is_refused_unless_new_agencies(db, folder: Path) -> None:
    importer.import_cases(folder, new_agencies=True)
    for path in folder.glob("*.csv"):  # a misspelt name is not the stored agency
        text = path.read_text("utf-8").replace("Northbrook IDVA service", "Northbrook IDVA servce")
        path.write_text(text, "utf-8", newline="")
    before = stored()
    assert problems_of(folder) == [("agencies.csv", 2, "name")]
    assert stored() == before


def test_the_deleted_case_check_matches_agency_names_as_the_import_does(db, folder: Path) -> None:
    """A name variant is the same agency, so it cannot bring a deleted case back."""
    importer.import_cases(folder, new_agencies=True)
    idva = m.Agency.objects.get(name="Northbrook IDVA service")
    m.DeletedRecord.objects.create(
        agency=idva, external_id="IDVA-2024-001", deleted_on=dt.date(2026, 12, 1)
    )
    for path in folder.glob("*.csv"):
        text = path.read_text("utf-8").replace("Northbrook IDVA service", "Northbrook IDVA Service")
        path.write_text(text, "utf-8", newline="")
    assert problems_of(folder, new_agencies=True) == [("cases.csv", 2, "case_id")]
    assert m.Agency.objects.count() == 4


def test_a_reimport_keeps_the_states_moved_in_dsvb_since(db, folder: Path) -> None:
    """A re-import of an older file must not undo a move made in the web: one the state
    rules would allow only with a reason, or not at all, leaves the stored state (and its
    date or meeting), and the summary says so. A new record takes the file's state."""
    importer.import_cases(folder, new_agencies=True)
    r2 = m.Referral.objects.get(external_id="R-2")
    assert r2.status == "listed" and m.Case.objects.get(external_id="CSU-2024-017").status == "open"
    case = m.Case.objects.get(external_id="IDVA-2024-001")
    case.move_to("closed")
    case.closed_on = dt.date(2026, 11, 30)
    case.save()
    r2.move_to("withdrawn", reason="The victim moved away (synthetic)")
    r2.save()
    action = m.MaracAction.objects.get(task="Visit the child's school")
    action.move_to("done")
    action.done_on = dt.date(2024, 3, 1)
    action.save()
    summary = importer.import_cases(folder)
    case.refresh_from_db()
    r2.refresh_from_db()
    action.refresh_from_db()
    assert (case.status, case.closed_on) == ("closed", dt.date(2026, 11, 30))
    assert (r2.status, r2.meeting.date) == ("withdrawn", dt.date(2024, 3, 14))
    assert (action.status, action.done_on) == ("done", dt.date(2024, 3, 1))
    notes = [line for line in summary.lines() if "kept" in line]
    assert notes == [
        "cases.csv:2: case IDVA-2024-001: kept closed: changed in dsvb since (the file says open)",
        "referrals.csv:3: referral R-2: kept withdrawn: changed in dsvb since "
        "(the file says listed)",
        "actions.csv:3: action of Northbrook Children's Services on referral R-1: kept done: "
        "changed in dsvb since (the file says open)",
    ]
    assert summary.totals().updated == 0
    # a move the rules allow without a reason is the file's to make
    edit(
        folder, "cases.csv", "E09000022,open,2024-03-05,", "E09000022,closed,2024-03-05,2024-04-01"
    )
    importer.import_cases(folder)
    other = m.Case.objects.get(external_id="CSU-2024-017")
    assert (other.status, other.closed_on) == ("closed", dt.date(2024, 4, 1))
