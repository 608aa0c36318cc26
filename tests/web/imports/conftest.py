"""Fixtures for import tests: an empty store and upload folder per test, real extract files."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from dsvb import store
from dsvb.web.accounts.roles import Role
from tests.support.builder import ExtractBuilder
from tests.support.store import contents as store_contents

PUBLISHED = Path(store.__file__).parent.parent / "reference" / "published"
SEXUAL = PUBLISHED / "sexual_offences_by_unit_12m_to_2010-11.csv"
DV = PUBLISHED / "dv_by_borough_12m_to_2010-11.csv"


@pytest.fixture(autouse=True)
def empty_store(settings, tmp_path: Path) -> Path:
    """Each test has its own (not yet created) store and upload folder, and clean caches."""
    settings.DSVB_STORE = tmp_path / "store.duckdb"
    settings.UPLOAD_DIR = tmp_path / "uploads"
    cache.clear()
    yield settings.DSVB_STORE
    cache.clear()


def snapshot(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table of the store (empty when there is no store)."""
    if not path.exists():
        return {}
    con = store.connect(path, read_only=True)
    try:
        return store_contents(con)
    finally:
        con.close()


def small_extract(b: ExtractBuilder) -> None:
    """A valid extract with something to normalise in it."""
    v1, v2 = b.person(), b.person(sex="male", birth_year=1990)
    s1 = b.person(sex="male")
    c1 = b.crime(victims=[v1], suspects=[s1], with_incident=True, outcome="charge")
    b.crime(victims=[v2], suspects=[s1], with_incident=True, outcome="caution")
    b.crime(area="Kensington & Chelsea", unit="csu", dv="Y", victims=[v1], with_incident=True)
    b.incident(no_crime_report_reason="verbal argument, no offence disclosed")
    b.contact(c1, "support_referral", "2010-03-03T12:00:00", "2010-03-02T09:00:00")


@pytest.fixture
def extract_folder(tmp_path: Path) -> Callable[..., Path]:
    """Write a small valid extract to a folder; ``tweak(builder)`` adds or changes records."""

    def write(name: str = "extract", tweak: Callable[[ExtractBuilder], None] | None = None) -> Path:
        b = ExtractBuilder()
        small_extract(b)
        if tweak is not None:
            tweak(b)
        return b.write(tmp_path / "made" / name)

    return write


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buffer.getvalue()


def zip_folder(folder: Path, prefix: str = "") -> bytes:
    return zip_bytes({prefix + p.name: p.read_bytes() for p in sorted(folder.glob("*.csv"))})


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def analyst(client_for) -> Client:
    return client_for(Role.FORCE_ANALYST)


def post_extract(client: Client, *files: SimpleUploadedFile, follow: bool = False):
    return client.post("/imports/extract/", {"files": list(files)}, follow=follow)


def post_return(client: Client, file: SimpleUploadedFile, follow: bool = False):
    return client.post("/imports/return/", {"file": file}, follow=follow)
