"""Web tests: fixtures live in tests/support/web_fixtures.py (a plugin, shared with the
browser tests); the constants are here for the tests that import them."""

from tests.support.web_fixtures import (  # noqa: F401
    DEMO_INCIDENTS,
    LAMBETH,
    PASSWORD,
    ROLE_FIELDS,
    SOUTHWARK,
)
