"""Fixtures of the linkage review pages (a pytest plugin, registered by tests/conftest.py).

``linkage_objects`` writes a linkage run's tables by hand (tests/support/linkage_store.py)
into the session's demo store, once, so the tests that walk every URL find a linked person
to show; it returns the placeholders of the permission matrix's linkage rows.
"""

from __future__ import annotations

import pytest

from tests.support.linkage_store import KEY_A, KEY_TWINS, write_linkage


@pytest.fixture(scope="session")
def linkage_objects(demo_store_file) -> dict[str, str]:
    from dsvb import store

    con = store.connect(demo_store_file)
    try:
        write_linkage(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return {"{person_key}": KEY_A, "{person_twins}": KEY_TWINS}
