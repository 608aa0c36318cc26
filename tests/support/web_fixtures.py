"""Fixtures for tests of the web application (a pytest plugin, registered by tests/conftest.py).

One signed-in client per role, audit guards lifted around test-database flushes, and a real
analytical store with a year of calibrated demo records.

Accounts of the roles that must use a second factor get an authenticator app (a TOTP device
with a known key) and sign in with its current code, through the real code page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from dsvb.web.accounts.models import User
from dsvb.web.accounts.roles import SECOND_FACTOR_ROLES, Role

PASSWORD = "correct-horse-battery-staple-42"
TOTP_KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test key, as hex
LAMBETH, SOUTHWARK = "E09000022", "E09000028"

ROLE_FIELDS = {
    Role.SECRETARIAT: {},
    Role.BOARD_MEMBER: {},
    Role.FORCE_ANALYST: {},
    Role.BOROUGH_USER: {"area_code": LAMBETH},
    Role.PARTNER: {"agency": "Lambeth IDVA service"},
    Role.AUDITOR: {},
}


def current_code(device: TOTPDevice) -> str:
    """The code the person's authenticator app shows now (RFC 6238, as django-otp checks)."""
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{code:0{device.digits}d}"


@pytest.fixture
def make_user(db) -> Callable[..., User]:
    """A user of a role with ``PASSWORD``; with an authenticator app (key ``TOTP_KEY``) when
    the role must use one, unless ``second_factor=False`` (or ``True`` for any role)."""

    def make(
        role: str, username: str | None = None, second_factor: bool | None = None, **fields
    ) -> User:
        values = {**ROLE_FIELDS[Role(role)], **fields}
        user = User(username=username or f"test-{role}", role=role, **values)
        user.set_password(PASSWORD)
        user.full_clean(exclude=["password"])
        user.save()
        if second_factor if second_factor is not None else Role(role) in SECOND_FACTOR_ROLES:
            TOTPDevice.objects.create(
                user=user, name="Authenticator app", key=TOTP_KEY, confirmed=True
            )
        return user

    return make


def sign_in_with_code(client: Client, user: User, password: str = PASSWORD) -> None:
    """Sign in through the sign-in page, then the code page when the user has a device."""
    response = client.post("/accounts/sign-in/", {"username": user.username, "password": password})
    assert response.status_code == 302, response.content[:500]
    device = TOTPDevice.objects.devices_for_user(user, confirmed=True).first()
    if device is not None:
        assert response["Location"].startswith("/accounts/second-factor/"), response["Location"]
        code = client.post(response["Location"], {"code": current_code(device)})
        assert code.status_code == 302, code.content[:500]


@pytest.fixture
def client_for(make_user) -> Callable[..., Client]:
    """A client signed in (through the real sign-in and code pages) as a new user of a role."""

    def signed_in(role: str | None, **fields) -> Client:
        client = Client()
        if role is None:
            return client
        user = make_user(role, **fields)
        sign_in_with_code(client, user)
        client.user = user
        return client

    return signed_in


@pytest.fixture(autouse=True)
def _audit_guards_allow_flush(request):
    """Transactional tests empty every table afterwards; the audit triggers would refuse.

    The guards are (re)installed before such a test and lifted just before the flush.
    """
    if not ({"transactional_db", "live_server"} & set(request.fixturenames)):
        yield
        return
    from django.db import connection

    from dsvb.web.audit import guards

    request.getfixturevalue("transactional_db")
    guards.install(connection)
    yield
    guards.remove(connection)


# --- a real analytical store with demo data --------------------------------------------------

DEMO_INCIDENTS = 20_000


@pytest.fixture(scope="session")
def demo_store_file(tmp_path_factory) -> Path:
    """A store with a year of calibrated demo records, the demo's synthetic population and
    the published tables, built once."""
    from dsvb import store
    from dsvb.demo import population as demo_population
    from dsvb.demo.generator import generate_extract
    from dsvb.ingest.extract import import_extract
    from dsvb.ingest.returns import import_return

    folder = tmp_path_factory.mktemp("demo")
    generate_extract(
        folder / "extract", incidents=DEMO_INCIDENTS, seed=7, start=dt.date(2009, 12, 1), months=12
    )
    path = Path(folder) / "store.duckdb"
    con = store.connect(path)
    try:
        import_extract(con, folder / "extract")
        demo_population.load(con, Path(folder), start=dt.date(2009, 12, 1), months=12)
        published = resources.files("dsvb.reference").joinpath("published")
        for entry in sorted(published.iterdir(), key=lambda p: p.name):
            if entry.name.endswith(".csv"):
                with resources.as_file(entry) as csv_path:
                    import_return(con, csv_path)
    finally:
        con.close()
    return path


@pytest.fixture
def demo_store(demo_store_file, settings):
    """Point the web application at the demo store for one test (caches cleared)."""
    from django.core.cache import cache

    settings.DSVB_STORE = demo_store_file
    cache.clear()
    yield demo_store_file
    cache.clear()


_RELEASE: dict[str, Any] = {}  # the first release, made once per session (the database is not)


@pytest.fixture
def published_store(demo_store_file, settings, db):
    """The demo store with its first release published (as the demo and the secretariat
    do): made through the register once, then stored for each test (publishing itself,
    audited, is tested in tests/web/public/test_releases.py)."""
    from django.core.cache import cache

    from dsvb.reports.publication import Release
    from dsvb.web.public import releases
    from dsvb.web.public.models import Release as StoredRelease

    settings.DSVB_STORE = demo_store_file
    cache.clear()
    if "data" not in _RELEASE:
        made = releases.prepare(releases.web_source(), published_by="test secretariat")
        _RELEASE["data"] = made.to_data()
    if not StoredRelease.objects.exists():
        releases.keep(Release.from_data(_RELEASE["data"]))
    yield demo_store_file
    cache.clear()
