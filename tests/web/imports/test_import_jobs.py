"""Uploading real extracts and returns: jobs, reports, the store, and all-or-nothing."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from django.test import Client

from dsvb import store
from dsvb.web.audit.models import Action, AuditEvent
from dsvb.web.imports.models import ImportJob, Status
from tests.support.builder import rewrite_cell
from tests.web.imports.conftest import (
    DV,
    SEXUAL,
    post_extract,
    post_return,
    snapshot,
    upload,
    zip_folder,
)


def _job(response) -> ImportJob:
    assert response.status_code == 302, response.content[:2000]
    job_id = int(response["Location"].rstrip("/").split("/")[-1])
    return ImportJob.objects.get(pk=job_id)


def _store_count(path: Path, table: str) -> int:
    con = store.connect(path, read_only=True)
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        con.close()


def _import_log_sources(path: Path) -> list[str]:
    con = store.connect(path, read_only=True)
    try:
        return [r[0] for r in con.execute("SELECT source FROM import_log ORDER BY 1").fetchall()]
    finally:
        con.close()


def test_a_good_extract_zip_is_imported_and_reported(
    analyst: Client, extract_folder, empty_store: Path, settings
) -> None:
    folder = extract_folder()
    job = _job(post_extract(analyst, upload("extract-2010-03.zip", zip_folder(folder))))

    assert job.status == Status.SUCCEEDED, job.report
    assert job.outcome == "imported" and job.store_import_id == 1
    assert job.file_names == ["extract-2010-03.zip"]
    assert job.created_by == analyst.user and job.started_at and job.finished_at
    # the files were imported from UPLOAD_DIR/<job id>/, and removed once imported
    job_folder = Path(settings.UPLOAD_DIR) / str(job.pk)
    assert _import_log_sources(empty_store) == [str(job_folder / "extract")]
    assert not job_folder.exists()
    # the store has the rows
    assert _store_count(empty_store, "crimes") == 3
    assert _store_count(empty_store, "incidents") == 4
    assert job.report["row_counts"] == {
        "incidents": 4,
        "crimes": 3,
        "people": 3,
        "crime_people": 5,
        "victim_contacts": 1,
    }
    # the progress log says what happened, with times
    messages = list(job.messages.values_list("message", flat=True))
    assert messages[0].startswith("Uploaded extract-2010-03.zip")
    assert "Reading and checking crimes.csv" in messages and "Storing" in messages
    assert any(m.startswith("Finished: 16 rows stored as import 1") for m in messages)

    page = analyst.get(f"/imports/{job.pk}/")
    assert page.status_code == 200
    assert b"Succeeded" in page.content and f"/imports/{job.pk}/report/".encode() in page.content

    report = analyst.get(f"/imports/{job.pk}/report/")
    html = report.content.decode()
    assert report.status_code == 200
    assert "Rows imported" in html and "crime_people.csv" in html
    assert "16</strong>" in html  # the total
    assert "What was normalised" in html
    assert "were matched (e.g. &#x27;Kensington &amp; Chelsea&#x27;)" in html
    assert "crimes.csv dv: 1 value(s) read as booleans from 1/0, Y/N or yes/no" in html
    assert "crimes.csv unit: 1 value(s) read case-insensitively or trimmed" in html
    assert "Warnings" in html and "No warnings." in html


def test_the_csv_files_selected_together_are_imported(
    analyst: Client, extract_folder, empty_store: Path
) -> None:
    folder = extract_folder()
    files = [upload(p.name, p.read_bytes(), "text/csv") for p in sorted(folder.glob("*.csv"))]
    job = _job(post_extract(analyst, *files))
    assert job.status == Status.SUCCEEDED, job.report
    assert sorted(job.file_names) == sorted(p.name for p in folder.glob("*.csv"))
    assert _store_count(empty_store, "people") == 3


def test_a_zip_with_the_files_in_one_folder_is_accepted(analyst: Client, extract_folder) -> None:
    job = _job(post_extract(analyst, upload("x.zip", zip_folder(extract_folder(), "2010-03/"))))
    assert job.status == Status.SUCCEEDED, job.report


def test_a_bad_extract_fails_names_file_row_and_column_and_leaves_the_store_as_it_was(
    analyst: Client, extract_folder, empty_store: Path
) -> None:
    first = _job(post_extract(analyst, upload("first.zip", zip_folder(extract_folder("one")))))
    assert first.status == Status.SUCCEEDED
    before = snapshot(empty_store)
    assert before["crimes"]

    def more(b):
        b.incident(area="E09000033")
        b.crime(victims=["P000001"], with_incident=True)

    bad = extract_folder("two", more)
    rewrite_cell(bad / "crimes.csv", 2, "recorded_at", "31/03/2010")
    rewrite_cell(bad / "incidents.csv", 3, "dv_flag", "maybe")
    rewrite_cell(bad / "crime_people.csv", 4, "person_id", "NOBODY")
    job = _job(post_extract(analyst, upload("second.zip", zip_folder(bad))))

    assert job.status == Status.FAILED
    assert job.outcome == "" and job.store_import_id is None
    assert snapshot(empty_store) == before  # nothing half-imported
    assert not job.upload_dir.exists()
    problems = {(p["file"], p["row"], p["column"]) for p in job.report["problems"]}
    assert ("crimes.csv", 2, "recorded_at") in problems
    assert ("incidents.csv", 3, "dv_flag") in problems
    assert job.report["problem_total"] == len(job.report["problems"]) == 2
    assert "Nothing was stored" in job.summary

    html = analyst.get(f"/imports/{job.pk}/report/").content.decode()
    assert (
        "govuk-error-summary" in html and "The extract was not imported: 2 problems found" in html
    )
    assert '<a href="#problem-2">crimes.csv, row 2, column recorded_at: not an ISO' in html
    assert '<tr class="govuk-table__row" id="problem-2">' in html
    assert "<code>31/03/2010</code>" in html and "<code>maybe</code>" in html
    assert "not an ISO 8601 date" in html and "not a boolean" in html


def test_a_dangling_reference_is_reported_with_its_row(
    analyst: Client, extract_folder, empty_store: Path
) -> None:
    bad = extract_folder()
    rewrite_cell(bad / "crime_people.csv", 4, "person_id", "NOBODY")
    job = _job(post_extract(analyst, upload("bad.zip", zip_folder(bad))))
    assert job.status == Status.FAILED
    (problem,) = job.report["problems"]
    assert (problem["file"], problem["row"], problem["column"], problem["value"]) == (
        "crime_people.csv",
        4,
        "person_id",
        "NOBODY",
    )
    assert "refers to a person_id" in problem["message"]
    assert snapshot(empty_store) == {}  # no store was made: nothing was written

    csv_response = analyst.get(f"/imports/{job.pk}/report.csv")
    assert csv_response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    assert rows[0] == ["file", "row", "column", "value", "message", "rows_with_this_problem"]
    assert rows[1][:4] == ["crime_people.csv", "4", "person_id", "NOBODY"]


def test_the_same_extract_twice_is_already_imported(
    analyst: Client, extract_folder, empty_store: Path
) -> None:
    data = zip_folder(extract_folder())
    first = _job(post_extract(analyst, upload("a.zip", data)))
    before = snapshot(empty_store)
    second = _job(post_extract(analyst, upload("again.zip", data)))
    assert second.status == Status.SUCCEEDED
    assert second.outcome == "already_imported" and second.store_import_id == first.store_import_id
    assert snapshot(empty_store) == before
    html = analyst.get(f"/imports/{second.pk}/report/").content.decode()
    assert "already imported (import 1 in the store); nothing changed" in html


def test_a_published_return_shows_its_reconciliation_notes_by_kind(
    analyst: Client, empty_store: Path
) -> None:
    job = _job(post_return(analyst, upload(SEXUAL.name, SEXUAL.read_bytes(), "text/csv")))
    assert job.status == Status.SUCCEEDED, job.report
    assert job.outcome == "imported" and job.store_import_id == 1
    assert _store_count(empty_store, "published_cells") == job.report["cells"] == 195
    kinds = [n["kind"] for n in job.report["notes"]]
    assert kinds.count("garbled") == 1 and kinds.count("reconciliation") == 7

    html = analyst.get(f"/imports/{job.pk}/report/").content.decode()
    for heading in ("Normalised (6)", "Unreadable cells (1)", "Reconciliation differences (7)"):
        assert heading in html
    # the garbled SCD9 cell, with the value its total implies
    assert "SCD9 (including CO14 and SCD6)" in html and "116 47 1" in html
    assert "the Non-Borough Total implies 164" in html
    assert html.index("Normalised (6)") < html.index("Unreadable cells (1)")
    assert html.index("Unreadable cells (1)") < html.index("Reconciliation differences (7)")
    assert "read as Barking and Dagenham (E09000002)" in html


def test_the_mps_total_difference_is_reported(analyst: Client) -> None:
    job = _job(post_return(analyst, upload(DV.name, DV.read_bytes(), "text/csv")))
    assert job.status == Status.SUCCEEDED
    notes = [n for n in job.report["notes"] if n["kind"] == "reconciliation"]
    assert {n["column"]: n["found"] - n["expected"] for n in notes}["dv_incidents"] == 27
    html = analyst.get(f"/imports/{job.pk}/report/").content.decode()
    assert "MPS Total" in html and "32 borough rows" in html

    csv_response = analyst.get(f"/imports/{job.pk}/report.csv")
    rows = list(csv.DictReader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    # interpreted: the period, read from the file name
    assert {r["kind"] for r in rows} == {"normalised", "reconciliation", "interpreted"}


def test_a_return_checked_against_another_table_of_its_report_shows_both(
    analyst: Client, empty_store: Path
) -> None:
    # the headline prints 24.5% for sexual offences; the unit table's MPS Total gives
    # 2,529 / 10,281 = 24.599%, 24.6% rounded (one-decimal figures are printed rounded)
    first = _job(post_return(analyst, upload(SEXUAL.name, SEXUAL.read_bytes(), "text/csv")))
    headline = SEXUAL.with_name("vaw_headline_12m_to_2010-11.csv")
    job = _job(post_return(analyst, upload(headline.name, headline.read_bytes(), "text/csv")))
    assert job.status == Status.SUCCEEDED, job.report
    report = "Metropolitan Police Service, 12 months to November 2010"
    assert job.report["return"]["report"] == report
    (note,) = [n for n in job.report["notes"] if n["message"].startswith("across tables, ")]
    assert (note["kind"], note["row"], note["column"]) == (
        "reconciliation",
        4,
        "sanction_detection_rate",
    )
    html = analyst.get(f"/imports/{job.pk}/report/").content.decode()
    assert f'<dd class="govuk-summary-list__value">{report}</dd>' in html
    assert "row 4 &#x27;Total Sexual Offences&#x27;, sanction_detection_rate prints 24.5%" in html
    assert f"{SEXUAL.name} (return {first.store_import_id}) row 39 &#x27;MPS Total&#x27;" in html
    assert "read as family sexual_not_rape" in html  # a reading, with the others
    # stored with the return
    con = store.connect(empty_store, read_only=True)
    try:
        stored = [
            r[0]
            for r in con.execute(
                "SELECT message FROM published_notes WHERE return_id = ?",
                [job.store_import_id],
            ).fetchall()
        ]
    finally:
        con.close()
    assert note["message"] in stored


def test_the_same_return_twice_is_already_imported(analyst: Client, empty_store: Path) -> None:
    first = _job(post_return(analyst, upload(DV.name, DV.read_bytes())))
    before = snapshot(empty_store)
    second = _job(post_return(analyst, upload("copy-of-dv.csv", DV.read_bytes())))
    assert second.outcome == "already_imported"
    assert second.store_import_id == first.store_import_id
    assert snapshot(empty_store) == before
    html = analyst.get(f"/imports/{second.pk}/report/").content.decode()
    assert "already imported (return 1 in the store); nothing changed" in html


def test_a_return_in_other_bytes_is_the_same_and_a_changed_one_is_flagged(
    analyst: Client, empty_store: Path
) -> None:
    original = DV.read_bytes()
    first = _job(post_return(analyst, upload(DV.name, original)))
    before = snapshot(empty_store)
    other_bytes = b"\xef\xbb\xbf" + original.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    assert other_bytes != original
    same = _job(post_return(analyst, upload(DV.name, other_bytes)))
    assert same.outcome == "already_imported"
    assert same.store_import_id == first.store_import_id and snapshot(empty_store) == before
    html = analyst.get(f"/imports/{same.pk}/report/").content.decode()
    assert "line endings, byte-order mark or quoting differ" in html

    lines = original.decode("utf-8").splitlines(keepends=True)
    barnet = next(i for i, line in enumerate(lines) if line.startswith("Barnet,"))
    cells = lines[barnet].split(",")
    cells[1] = str(int(cells[1]) + 1)
    lines[barnet] = ",".join(cells)
    changed = _job(post_return(analyst, upload(DV.name, "".join(lines).encode("utf-8"))))
    assert changed.status == Status.SUCCEEDED and changed.outcome == "imported"
    (warning,) = changed.report["warnings"]
    assert f"return {first.store_import_id}" in warning and "1 cell differs" in warning
    html = analyst.get(f"/imports/{changed.pk}/report/").content.decode()
    assert 'id="return-warnings"' in html and "check which is right" in html


def test_a_return_that_cannot_be_read_fails_with_its_row_and_column(
    analyst: Client, empty_store: Path
) -> None:
    text = "borough,dv_incidents,dv_bananas\nBarnet,10,3\n"
    job = _job(post_return(analyst, upload("odd.csv", text.encode())))
    assert job.status == Status.FAILED
    (problem,) = job.report["problems"]
    assert problem["file"] == "odd.csv" and problem["column"] == "dv_bananas"
    assert not problem["message"].startswith("odd.csv")
    assert snapshot(empty_store).get("published_cells", []) == []
    html = analyst.get(f"/imports/{job.pk}/report/").content.decode()
    assert "The return was not imported: 1 problem found" in html and "dv_bananas" in html


def test_the_status_endpoint_reports_progress(analyst: Client, extract_folder) -> None:
    job = _job(post_extract(analyst, upload("x.zip", zip_folder(extract_folder()))))
    response = analyst.get(f"/imports/{job.pk}/status/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["id"] == job.pk and data["status"] == "succeeded" and data["finished"] is True
    assert data["status_label"] == "Succeeded"
    assert data["report_url"] == f"/imports/{job.pk}/report/"
    assert data["messages"][0]["message"].startswith("Uploaded x.zip")
    assert all({"at", "time", "message"} <= set(m) for m in data["messages"])


def test_a_queued_job_shows_its_status_and_a_refresh_link(analyst: Client) -> None:
    job = ImportJob.objects.create(
        kind="extract", created_by=analyst.user, created_by_username="someone", file_names=["x"]
    )
    ImportJob.objects.create(  # another job running blocks it
        kind="extract", created_by_username="other", status=Status.RUNNING, file_names=["y"]
    ).messages.create(message="Reading crimes.csv")
    from django.utils import timezone

    ImportJob.objects.filter(status=Status.RUNNING).update(heartbeat_at=timezone.now())
    html = analyst.get(f"/imports/{job.pk}/").content.decode()
    assert "Queued" in html
    assert f'<a class="govuk-link" href="/imports/{job.pk}/">Refresh</a>' in html
    assert 'aria-live="polite"' in html and "data-status-url" in html
    assert "/static/dsvb/imports.js" in html and "<script>" not in html
    assert json.loads(analyst.get(f"/imports/{job.pk}/status/").content)["finished"] is False
    # the report of an unfinished job is the progress page
    assert analyst.get(f"/imports/{job.pk}/report/")["Location"] == f"/imports/{job.pk}/"
    assert not AuditEvent.objects.filter(action=Action.IMPORT_REPORT_VIEWED).exists()


def test_a_later_extract_reports_the_records_it_replaced(analyst: Client, extract_folder) -> None:
    _job(post_extract(analyst, upload("one.zip", zip_folder(extract_folder("one")))))

    def corrected(b):
        b.crimes[0]["outcome"] = "caution"

    job = _job(
        post_extract(analyst, upload("two.zip", zip_folder(extract_folder("two", corrected))))
    )
    assert job.status == Status.SUCCEEDED and job.report["replaced"]["crimes"] == 3
    html = analyst.get(f"/imports/{job.pk}/report/").content.decode()
    assert "Records replaced" in html
    # and the store's own log says so too, beside the rows of each import
    listing = analyst.get("/imports/").content.decode()
    replaced = sum(job.report["replaced"].values())
    assert replaced > 3 and f'numeric">{replaced}</td>' in listing


def test_an_import_into_a_file_that_is_not_a_store_fails_and_leaves_it_alone(
    analyst: Client, extract_folder, empty_store: Path, settings, tmp_path: Path
) -> None:
    not_a_store = tmp_path / "not-a-store.duckdb"
    not_a_store.write_bytes(b"a spreadsheet saved under the wrong name\n")
    settings.DSVB_STORE = str(not_a_store)
    job = _job(post_extract(analyst, upload("first.zip", zip_folder(extract_folder("one")))))
    assert job.status == Status.FAILED
    assert "not a dsvb store" in job.summary and "Nothing was imported" in job.summary
    assert not_a_store.read_bytes() == b"a spreadsheet saved under the wrong name\n"


def test_a_row_after_a_line_break_in_a_value_is_reported_with_its_line(
    analyst: Client, extract_folder, empty_store: Path
) -> None:
    bad = extract_folder("bad")
    rewrite_cell(bad / "incidents.csv", 1, "no_crime_report_reason", "advice only;\nno offence")
    rewrite_cell(bad / "incidents.csv", 3, "dv_flag", "maybe")
    job = _job(post_extract(analyst, upload("bad.zip", zip_folder(bad))))
    assert job.status == Status.FAILED
    html = analyst.get(f"/imports/{job.pk}/report/").content.decode()
    assert "incidents.csv, row 3 (line 5), column dv_flag" in html


def test_a_bad_identifier_is_located_but_never_stored_in_the_jobs_report_or_page(
    analyst: Client, extract_folder, empty_store: Path
) -> None:
    def people(b):
        b.person("PX", given_name="Liz", date_of_birth="1980-02-30")
        b.person("PY", postcode="QQ7 ZZZ9")
        b.crime(victims=["PX", "PY"])

    job = _job(post_extract(analyst, upload("ids.zip", zip_folder(extract_folder("ids", people)))))
    assert job.status == Status.FAILED
    located = {(p["file"], p["row"], p["column"], p["value"]) for p in job.report["problems"]}
    assert located == {
        ("people.csv", 4, "date_of_birth", None),
        ("people.csv", 5, "postcode", None),
    }
    stored = json.dumps(job.report) + job.summary + " ".join(m.message for m in job.messages.all())
    assert "value not shown" in stored
    assert "1980-02-30" not in stored and "QQ7" not in stored
    pages = [
        analyst.get(f"/imports/{job.pk}/report/").content.decode(),
        analyst.get(f"/imports/{job.pk}/report.csv").content.decode("utf-8-sig"),
        analyst.get(f"/imports/{job.pk}/").content.decode(),
    ]
    assert "date_of_birth" in pages[0] and "postcode" in pages[1]
    for page in pages:
        assert "1980-02-30" not in page and "QQ7" not in page
