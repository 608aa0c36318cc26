"""Shared fixtures, and the plugins every test folder can use."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.builder import ExtractBuilder


@pytest.fixture
def builder() -> ExtractBuilder:
    return ExtractBuilder()


pytest_plugins = [
    "tests.support.web_fixtures",
    "tests.support.cycle_fixtures",
    "tests.support.case_fixtures",
    "tests.support.linkage_fixtures",
]

# --- Playwright with Debian's Chromium -----------------------------------------------------

# Playwright's synchronous API runs an event loop in the test thread; Django refuses ORM calls
# from such a thread unless told it is safe. It is: the test and the live server's thread each
# use their own connection, and nothing here is asynchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("DSVB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not Path(CHROMIUM).exists():
        raise pytest.UsageError(
            f"No Chromium at {CHROMIUM}: run 'make system-deps' (Debian's chromium package) "
            "or set DSVB_CHROMIUM to a Chromium binary."
        )
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url(live_server: object) -> str:
    """``page.goto("/performance/")`` goes to the live server."""
    return live_server.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {
        **browser_context_args,
        "locale": "en-GB",
        "timezone_id": "Europe/London",
        "viewport": {"width": 1280, "height": 900},
        "accept_downloads": True,
    }
