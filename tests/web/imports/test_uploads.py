"""Checking uploads before anything runs: each problem gets a clear GOV.UK error message."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.test import Client

from dsvb.web.audit.models import Action, AuditEvent
from dsvb.web.imports.models import ImportJob
from tests.web.imports.conftest import (
    DV,
    post_extract,
    post_return,
    snapshot,
    upload,
    zip_bytes,
    zip_folder,
)


def assert_rejected(response, message: str, field: str = "files") -> str:
    """The upload page again, with the message in the error summary and by the field."""
    html = response.content.decode()
    assert response.status_code in (400, 413), response.status_code
    assert "<title>Error: " in html
    assert 'class="govuk-error-summary"' in html
    assert f'<li><a href="#id_{field}">{message}' in html, html[html.find("govuk-error-summary") :][
        :1500
    ]
    assert 'class="govuk-error-message"' in html and "govuk-form-group--error" in html
    assert not ImportJob.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.IMPORT_STARTED).exists()
    return html


@pytest.fixture(autouse=True)
def nothing_left_staged(settings):
    yield
    staging = Path(settings.UPLOAD_DIR) / ".staging"
    assert not staging.exists() or not list(staging.iterdir())


def _folder_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.csv"))}


def test_no_file_selected(analyst: Client) -> None:
    response = analyst.post("/imports/extract/", {})
    assert_rejected(response, "Select the extract’s zip file or its CSV files")
    response = analyst.post("/imports/return/", {})
    assert_rejected(response, "Select the published return’s CSV file", "file")


@pytest.mark.parametrize(
    "member",
    [
        "../incidents.csv",
        "/etc/incidents.csv",
        "extract/../../incidents.csv",
        "C:/incidents.csv",
        "..\\..\\incidents.csv",
    ],
)
def test_a_zip_slip_is_rejected(analyst: Client, extract_folder, member: str) -> None:
    files = _folder_files(extract_folder())
    files[member] = files.pop("incidents.csv")
    response = post_extract(analyst, upload("evil.zip", zip_bytes(files)))
    html = assert_rejected(response, "evil.zip contains a path that points outside the zip")
    assert "A zip of an extract can only hold the extract’s CSV files" in html


def test_a_zip_with_a_link_is_rejected(analyst: Client, extract_folder) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        files = _folder_files(extract_folder())
        del files["victim_contacts.csv"]
        for name, data in files.items():
            z.writestr(name, data)
        link = zipfile.ZipInfo("victim_contacts.csv")
        link.external_attr = (0o120777 << 16) | 0
        z.writestr(link, "/etc/passwd")
    response = post_extract(analyst, upload("links.zip", buffer.getvalue()))
    assert_rejected(response, "links.zip contains a link (victim_contacts.csv)")


def test_an_encrypted_zip_is_rejected(analyst: Client, extract_folder) -> None:
    data = bytearray(zip_bytes(_folder_files(extract_folder())))
    # set the "encrypted" flag in the central directory, as an encrypting tool would
    at = data.find(b"PK\x01\x02")
    data[at + 8] |= 0x1
    response = post_extract(analyst, upload("secret.zip", bytes(data)))
    assert_rejected(response, "secret.zip contains an encrypted file")


def test_a_zip_written_with_backslashes_is_read_as_one_folder(
    analyst: Client, extract_folder
) -> None:
    response = post_extract(analyst, upload("win.zip", zip_folder(extract_folder(), "x\\")))
    job = ImportJob.objects.get()
    assert response["Location"] == f"/imports/{job.pk}/"
    assert job.status == "succeeded", job.report


def test_a_zip_with_unknown_files_is_rejected(analyst: Client, extract_folder) -> None:
    files = _folder_files(extract_folder())
    files["notes.txt"] = b"hello"
    files["officers.csv"] = b"id\n1\n"
    response = post_extract(analyst, upload("extract.zip", zip_bytes(files)))
    html = assert_rejected(
        response,
        "extract.zip contains files that are not part of the extract: notes.txt and officers.csv",
    )
    assert (
        "An extract can only contain incidents.csv, crimes.csv, people.csv, crime_people.csv "
        "and victim_contacts.csv"
    ) in html


def test_a_nested_archive_is_rejected(analyst: Client, extract_folder) -> None:
    folder = extract_folder()
    files = _folder_files(folder)
    files["more.zip"] = zip_folder(folder)
    response = post_extract(analyst, upload("outer.zip", zip_bytes(files)))
    assert_rejected(response, "outer.zip contains another archive (more.zip)")


def test_an_archive_named_as_a_csv_is_rejected(analyst: Client, extract_folder) -> None:
    folder = extract_folder()
    files = _folder_files(folder)
    files["people.csv"] = zip_folder(folder)
    response = post_extract(analyst, upload("sneaky.zip", zip_bytes(files)))
    assert_rejected(response, "people.csv is a zip file, not a CSV file")


def test_folders_within_folders_are_rejected(analyst: Client, extract_folder) -> None:
    response = post_extract(analyst, upload("deep.zip", zip_folder(extract_folder(), "a/b/")))
    assert_rejected(response, "deep.zip contains folders inside folders (a/b/crime_people.csv)")


def test_a_file_that_is_not_a_zip_is_rejected(analyst: Client) -> None:
    response = post_extract(analyst, upload("broken.zip", b"this is not a zip file"))
    assert_rejected(response, "broken.zip is not a zip file that can be opened")


def test_an_extract_missing_a_required_file_is_rejected(analyst: Client, extract_folder) -> None:
    files = _folder_files(extract_folder())
    del files["people.csv"]
    response = post_extract(analyst, upload("part.zip", zip_bytes(files)))
    assert_rejected(response, "The extract is missing people.csv")


def test_a_csv_that_is_not_utf8_is_rejected(analyst: Client, extract_folder) -> None:
    folder = extract_folder()
    people = folder / "people.csv"
    people.write_bytes(people.read_bytes() + "P9,female,1970,white,,\n".encode("utf-16"))
    response = post_extract(analyst, upload("x.zip", zip_folder(folder)))
    html = assert_rejected(response, "people.csv is not UTF-8 text (the first problem is at byte")
    assert "Save it as ‘CSV UTF-8’ and upload it again" in html
    # the same when the CSV files are selected directly
    files = [upload(p.name, p.read_bytes()) for p in sorted(folder.glob("*.csv"))]
    assert_rejected(post_extract(analyst, *files), "people.csv is not UTF-8 text")


def test_csv_files_with_unknown_names_are_rejected(analyst: Client, extract_folder) -> None:
    folder = extract_folder()
    files = [upload(p.name, p.read_bytes()) for p in sorted(folder.glob("*.csv"))]
    files.append(upload("crimes (1).csv", b"a,b\n"))
    response = post_extract(analyst, *files)
    assert_rejected(
        response, "The selection contains files that are not part of the extract: crimes (1).csv"
    )


def test_a_zip_and_csv_files_together_are_rejected(analyst: Client, extract_folder) -> None:
    folder = extract_folder()
    response = post_extract(
        analyst, upload("x.zip", zip_folder(folder)), upload("people.csv", b"person_id\n")
    )
    assert_rejected(response, "Select either one zip file or the extract’s CSV files")


def test_an_upload_over_the_size_limit_is_rejected(
    analyst: Client, extract_folder, settings
) -> None:
    data = zip_folder(extract_folder())
    settings.DSVB_MAX_UPLOAD_BYTES = len(data) - 1
    response = post_extract(analyst, upload("big.zip", data))
    assert_rejected(response, "The upload must be smaller than")


def test_an_upload_far_over_the_limit_is_not_read_in_full(analyst: Client, settings) -> None:
    settings.DSVB_MAX_UPLOAD_BYTES = 1000
    response = post_return(analyst, upload("huge.csv", b"x" * 200_000))
    assert response.status_code == 413
    assert_rejected(response, "The upload must be smaller than 1000", "file")


def test_a_zip_that_would_unpack_beyond_the_limit_is_rejected(
    analyst: Client, extract_folder, settings
) -> None:
    files = _folder_files(extract_folder())
    files["incidents.csv"] += b"\n" * 500_000  # compresses to almost nothing
    data = zip_bytes(files)
    settings.DSVB_MAX_UPLOAD_BYTES = 100_000
    assert len(data) < 100_000
    response = post_extract(analyst, upload("bomb.zip", data))
    assert_rejected(response, "bomb.zip would unpack to")


def test_a_return_must_be_one_csv_file(analyst: Client) -> None:
    assert_rejected(
        post_return(analyst, upload("dv.xlsx", b"PK\x03\x04")),
        "dv.xlsx is not a CSV file. A published return is one CSV file",
        "file",
    )
    assert_rejected(
        post_return(analyst, upload("dv.zip", zip_bytes({DV.name: DV.read_bytes()}))),
        "dv.zip is an archive",
        "file",
    )
    assert_rejected(
        post_return(analyst, upload("dv.csv", DV.read_text().encode("cp1252") + b"\xa3\n")),
        "dv.csv is not UTF-8 text",
        "file",
    )
    assert_rejected(
        post_return(analyst, upload("empty.csv", b"")), "The selected file is empty", "file"
    )


def test_rejected_uploads_leave_the_store_alone(analyst: Client, empty_store: Path) -> None:
    post_return(analyst, upload("dv.zip", b"PK\x03\x04"))
    assert snapshot(empty_store) == {}


def test_the_upload_pages_and_the_list_show_the_forms(analyst: Client) -> None:
    for url, field in (("/imports/extract/", "files"), ("/imports/return/", "file")):
        html = analyst.get(url).content.decode()
        assert 'enctype="multipart/form-data"' in html
        assert f'name="{field}"' in html and "govuk-file-upload" in html
        assert "csrfmiddlewaretoken" in html
    html = analyst.get("/imports/").content.decode()
    assert 'action="/imports/extract/"' in html and 'action="/imports/return/"' in html
    assert 'type="file" name="files"' in html and " multiple" in html
    assert 'accept=".zip,.csv"' in html and 'accept=".csv"' in html


def test_uploads_need_a_csrf_token(client_for, extract_folder) -> None:
    from dsvb.web.accounts.roles import Role
    from tests.web.conftest import PASSWORD

    client = client_for(Role.FORCE_ANALYST)  # signed in with password and code
    client.handler.enforce_csrf_checks = True  # from now on, as a browser's posts are
    response = post_return(client, upload(DV.name, DV.read_bytes()))
    assert response.status_code == 403
    assert not ImportJob.objects.exists()
    assert PASSWORD
