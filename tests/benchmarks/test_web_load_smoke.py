"""The web load benchmark (benchmarks/web_load.py), run tiny so that it cannot rot.

A real installation (``dsvb demo`` with a small demo extract), the real server
(``dsvb serve``: gunicorn) on a free loopback port, and locust in its own process, with
2 clients for a few seconds. Only correctness is asserted: every request a success. No
timing is asserted; ``make bench-web`` measures.

In the PostgreSQL pass of ``make test`` the installation's application database is a
scratch database on that server (created and dropped here); otherwise SQLite.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks import web_load


@pytest.fixture
def application_database_url(django_db_setup) -> Iterator[str | None]:
    """A scratch PostgreSQL database when the suite runs on PostgreSQL, else None (SQLite).

    (Asking for ``django_db_setup``, the test database, also marks this test as one that
    uses the database server, so that the PostgreSQL pass selects it.)
    """
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield None
        return
    import psycopg

    name = f"dsvb_web_load_{secrets.token_hex(4)}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.mark.slow
def test_the_web_load_benchmark_runs_without_errors(
    tmp_path: Path, application_database_url: str | None
) -> None:
    messages: list[str] = []
    result = web_load.run(
        web_load.Options(
            clients=2,
            duration=8,
            incidents=1000,
            boroughs=2,
            database_url=application_database_url,
            data_dir=tmp_path / "installation",
        ),
        say=messages.append,
    )

    expected = "postgresql" if application_database_url else "sqlite"
    assert result["settings"]["application_database"] == expected
    assert result["sign_in"] == {"requests": result["sign_in"]["requests"], "errors": 0}
    assert result["sign_in"]["requests"] >= 2 * 2  # the form, then the post, per client
    assert result["cold"]["failures"] == []  # every page variant answered 200 when cold
    plan = result["plan"]
    assert plan["periods"] == ["12m-2010-11", "3m-2010-11"]  # the periods dsvb demo warms
    assert {"dv", "serious_sexual", "sexual"} <= set(plan["families"])
    combinations = len(plan["families"]) * len(plan["periods"])
    assert plan["variants"] == {"overview": combinations, "scorecard": 2 * combinations}
    for page in web_load.PAGES:
        figures = result["pages"][page]
        assert figures["requests"] > 0, f"no {page} requests in {result}"
        assert figures["errors"] == 0, f"{page} errors in {result}"
    text = web_load.report_text(result)
    assert "overview" in text and "scorecard" in text and "p95" in text
