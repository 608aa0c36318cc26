"""The cases' importer on the database: all or nothing, the same files twice stored once, a
changed row updated, DASH computed; and ``dsvb import-cases`` as a real command against a
temporary SQLite database."""

from __future__ import annotations

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
from dsvb.commands.import_cases import import_cases as import_cases_command
from dsvb.web.audit.models import AuditEvent
from dsvb.web.cases import importer
from dsvb.web.cases import models as m
from dsvb.web.cases.audit import CASES_IMPORTED
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
    summary = importer.import_cases(folder)
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
    importer.import_cases(folder)
    first = stored()
    again = importer.import_cases(folder)
    assert stored() == first
    assert again.totals().created == 0 and again.totals().updated == 0
    assert again.totals().unchanged == 29
    assert AuditEvent.objects.filter(action=str(CASES_IMPORTED)).count() == 2


def test_a_changed_row_updates_its_record(db, folder: Path) -> None:
    importer.import_cases(folder)
    edit(folder, "people.csv", "Example,Victimone", "Example,Victimone-Renamed")
    edit(folder, "assessment_answers.csv", "A-1,injured,yes", "A-1,injured,no")
    edit(
        folder,
        "agencies.csv",
        "Northbrook IDVA service;Northbrook Police CSU;Northbrook Children's Services",
        "Northbrook IDVA service;Northbrook Police CSU",
    )
    edit(folder, "actions.csv", "2024-03-01,open,,", "2024-03-01,done,2024-02-28,")
    before = stored()
    summary = importer.import_cases(folder)
    assert stored() == before
    assert vars(summary.counts["people"]) == {"created": 0, "updated": 1, "unchanged": 4}
    assert vars(summary.counts["assessments"]) == {"created": 0, "updated": 1, "unchanged": 1}
    assert vars(summary.counts["agencies"]) == {"created": 0, "updated": 1, "unchanged": 3}
    assert vars(summary.counts["actions"]) == {"created": 0, "updated": 1, "unchanged": 1}
    assert m.Person.objects.get(external_id="P-001").family_name == "Victimone-Renamed"
    a1 = m.Assessment.objects.get(case__external_id="IDVA-2024-001")
    # one "yes" fewer: 13, below visible high risk: the level is recomputed, not kept
    assert (a1.score, a1.score_level, a1.level) == (13, "standard", "standard")
    assert m.Agency.objects.get(name="Northbrook MARAC").members.count() == 2
    assert m.MaracAction.objects.get(status="done", task="Visit the child's school")


def test_a_bad_row_in_the_third_file_stores_nothing(db, folder: Path) -> None:
    edit(folder, "cases.csv", "2024-03-05,,true,true", "2024-03-35,,true,true")
    with pytest.raises(InterchangeError) as caught:
        importer.import_cases(folder)
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
        importer.import_cases(folder)
    assert set(stored().values()) == {0}
    assert not AuditEvent.objects.filter(action=str(CASES_IMPORTED)).exists()


def test_a_dry_run_counts_and_stores_nothing(db, folder: Path) -> None:
    summary = importer.import_cases(folder, dry_run=True)
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

    first = dsvb("import-cases", str(folder))
    assert first.returncode == 0, first.stderr
    assert "cases.csv: 2 created, 0 updated, 0 unchanged" in first.stdout
    assert (count("cases_case"), count("cases_person"), count("cases_assessment")) == (2, 5, 2)
    again = dsvb("import-cases", str(folder))
    assert again.returncode == 0, again.stderr
    assert "0 record(s) were created, 0 updated, 29 unchanged" in again.stdout
    assert (count("cases_case"), count("cases_person"), count("cases_assessment")) == (2, 5, 2)

    bad = tmp_path / "bad"
    shutil.copytree(EXAMPLE, bad)
    edit(bad, "people.csv", "C-101,Demo,Abusertwo", "C-102,Demo,Abuserthree")
    edit(bad, "shares.csv", "identity;household;risk", "identity;household;risk;health")
    before = count("audit_auditevent")
    unknown = "'C-101' is not a person of Northbrook Police CSU in people.csv"
    refused = dsvb("import-cases", str(bad))
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
    result = CliRunner().invoke(import_cases_command, [str(folder), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "cases.csv: 2 created, 0 updated, 0 unchanged" in result.output
    assert "29 record(s) would be created, 0 updated, 0 unchanged (dry run: nothing stored)" in (
        result.output
    )
    assert set(stored().values()) == {0}


def test_a_share_withdrawn_since_stays_withdrawn(db, folder: Path) -> None:
    """An older file listing a share as active never makes a withdrawn share active again."""
    importer.import_cases(folder)
    share = m.Share.objects.get(case__external_id="CSU-2024-017")
    share.move_to("withdrawn", reason="The victim withdrew consent")
    share.withdrawn_reason = "The victim withdrew consent"
    share.save()
    summary = importer.import_cases(folder)
    share.refresh_from_db()
    assert share.status == "withdrawn" and share.withdrawn_reason == "The victim withdrew consent"
    assert vars(summary.counts["shares"]) == {"created": 0, "updated": 0, "unchanged": 2}
    assert share.case.share_groups() == {}


def test_a_reimport_reads_each_kind_of_record_once(db, folder: Path) -> None:
    """Matching is one query per file, not one per row (a large folder re-imports quickly):
    the example's 29 records again take about as many queries as it has files."""
    importer.import_cases(folder)
    with CaptureQueriesContext(connection) as queries:
        importer.import_cases(folder)
    selects = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    # one per file (11) and one per agency for a MARAC's members (4), and the audit's
    # own; one a record would be 29 or more
    assert len(selects) <= 20, "\n".join(selects)
    writes = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith(("INSERT", "UPDATE"))
    ]
    assert len(writes) <= 2, writes  # the audit entry only
