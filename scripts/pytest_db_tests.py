#!/usr/bin/env python3
"""Run only the tests that use the application database (for the PostgreSQL pass).

    .venv/bin/python scripts/pytest_db_tests.py [pytest arguments]

Selects every test whose fixtures reach the database: pytest-django's ``db``,
``transactional_db`` and the ``django_db`` mark, ``live_server`` (browser tests), and any
fixture built on ``django_db_setup`` (the test database). Everything else (the data core,
which never touches the application database) ran in the SQLite pass already.
(``django_db_blocker`` is no sign: pytest-django's autouse fixtures give it to every test.)
"""

from __future__ import annotations

import sys

import pytest

DATABASE_FIXTURES = frozenset(
    {"db", "transactional_db", "_django_db_helper", "live_server", "django_db_setup"}
)


def uses_database(item: pytest.Item) -> bool:
    names = set(getattr(item, "fixturenames", ()))
    return bool(names & DATABASE_FIXTURES) or item.get_closest_marker("django_db") is not None


class OnlyDatabaseTests:
    """A pytest plugin that deselects the tests that do not use the database."""

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config: pytest.Config, items: list) -> None:
        keep = [item for item in items if uses_database(item)]
        dropped = [item for item in items if not uses_database(item)]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = keep


if __name__ == "__main__":
    sys.exit(pytest.main(sys.argv[1:], plugins=[OnlyDatabaseTests()]))
