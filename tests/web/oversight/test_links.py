"""Every link the cycle's pages give a person opens for that person: no link to a page they
are refused or that does not exist (a letter's page is addressed by its session, not by the
letter's own id, which the demo and real data make differ)."""

from __future__ import annotations

import re

import pytest

from dsvb.web.accounts.roles import Role
from dsvb.web.oversight import models as m

SKIP = (".pdf", ".docx", ".ics", "/calendar/", "/sign-out")


@pytest.fixture
def ids_that_differ(cycle_objects) -> dict[str, int]:
    """Letters whose ids are not their sessions' ids (an earlier letter deleted)."""
    for letter in m.Letter.objects.all():
        session, fields = letter.session, {"date": letter.date, "status": letter.status}
        letter.delete()
        m.Letter.objects.create(session=session, **fields)
    assert any(letter.pk != letter.session_id for letter in m.Letter.objects.all())
    return cycle_objects


@pytest.mark.parametrize("role", [Role.SECRETARIAT, Role.BOARD_MEMBER, Role.BOROUGH_USER])
def test_every_link_from_the_cycle_pages_opens(role, client_for, ids_that_differ) -> None:
    client = client_for(role)
    queue, seen, broken = ["/board/", "/board/due/"], set(), []
    while queue and len(seen) < 200:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code != 200:
            broken.append(f"{path}: {response.status_code}")
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        for href in re.findall(r'href="(/board/[^"#?]*)', response.content.decode()):
            if not href.endswith(SKIP) and not any(s in href for s in SKIP) and href not in seen:
                queue.append(href)
    assert len(seen) > 3
    assert not broken, broken
