"""A store path that holds something other than a dsvb store (a mistyped DSVB_STORE, a
file restored over it) is a fault the pages say plainly, with status 503, not a server
error; operators get the reason in the log, and the file is left untouched."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from django.core.cache import cache

from dsvb.web.accounts.roles import Role


@pytest.fixture
def not_a_store(tmp_path: Path, settings) -> Path:
    path = tmp_path / "store.duckdb"
    path.write_text("minutes of the board, not a database\n", encoding="utf-8")
    settings.DSVB_STORE = str(path)
    cache.clear()
    yield path
    cache.clear()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role, url",
    [
        (Role.SECRETARIAT, "/published/publish/"),
        (Role.FORCE_ANALYST, "/performance/"),
        (Role.FORCE_ANALYST, "/performance/scorecard/"),
        (Role.SECRETARIAT, "/imports/"),
    ],
)
def test_pages_over_a_file_that_is_not_a_store_say_so(
    not_a_store: Path, client_for, caplog, role, url: str
) -> None:
    before = not_a_store.read_bytes()
    client = client_for(role)
    with caplog.at_level(logging.ERROR):
        response = client.get(url, follow=True)
    text = response.content.decode()
    if url == "/imports/":
        # the import list still works; only the store's own log cannot be shown
        assert response.status_code == 200
        assert "cannot be read" in text
    else:
        assert response.status_code == 503
        assert "The data store cannot be read" in text
        assert any("not a dsvb store" in r.getMessage() for r in caplog.records)
    assert not_a_store.read_bytes() == before


@pytest.mark.django_db
def test_releases_already_published_stay_public_whatever_happens_to_the_store(
    published_store, settings, client_for
) -> None:
    """A release is kept whole in the application database: the public pages do not read
    the store, so they keep working while it is replaced, busy or broken."""
    from django.test import Client

    broken = Path(settings.DSVB_STORE).with_name("broken.duckdb")
    broken.write_text("not a database\n", encoding="utf-8")
    settings.DSVB_STORE = str(broken)
    cache.clear()
    for url in ("/published/", "/published/families/dv/", "/published/download.csv"):
        response = Client().get(url)
        assert response.status_code == 200, url
    assert "12 months to November 2010" in Client().get("/published/").content.decode()
