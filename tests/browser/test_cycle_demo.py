"""The demo's year of the board's cycle in the browser: the secretariat, a board member and a
borough user each follow the "Board" navigation and every link under ``/board/`` from there
(up to three pages of each kind: addresses that differ only by an id are one kind), and none
is an error page. A smoke walk: the pages' own behaviour is tested with them; this checks that the
demo's cycle gives every page something it can show, to every role that can reach it.

A screenshot of each page kind is kept in ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urljoin, urlparse

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from dsvb.web.accounts.roles import Role
from dsvb.web.oversight.demo import load_cycle
from tests.browser.conftest import LAMBETH

MAX_PAGES = 150  # per role: far more than the kinds of page there are
PER_KIND = 3  # pages of one kind opened (the first brief may be a draft with no reports)
NOT_PAGES = (".pdf", ".docx", ".ics", ".csv", ".xlsx", ".png", ".svg")
NOT_FOLLOWED = ("/download", "/renew", "/sign-out", "/calendar/")  # files and acts, not pages
# the headings of the error pages (src/dsvb/web/templates/errors/)
ERROR_HEADINGS = re.compile(
    r"^(You do not have access to this page|Page not found|Sorry, there is a problem with "
    r"the service|Your session has expired|The data store cannot be read)"
)

# the kinds of page the secretariat must reach from the Board navigation, by URL name
SECRETARIAT_REACHES = (
    ("oversight:meetings", ()),
    ("oversight:meeting", (1,)),
    ("oversight:members", ()),
    ("oversight:planner", ()),
    ("oversight:briefs", ()),
    ("oversight:brief", (1,)),
    ("oversight:report", (1,)),
    ("oversight:due", ()),
    ("oversight:minutes", (1,)),
    ("oversight:actions", ()),
    ("oversight:action", (1,)),
    ("oversight:findings", (1,)),
    ("oversight:letter", (1,)),
    ("oversight:follow-up", (1,)),
    ("oversight:recommendations", ()),
    ("oversight:recommendation", (1,)),
    ("oversight:annual-reports", ()),
)


def kind_of(path: str) -> str:
    """The page's kind: its address with every number as ``{id}``."""
    return re.sub(r"/\d+(?=/|$|\.)", "/{id}", path)


def expected_kinds() -> set[str]:
    return {kind_of(reverse(name, args=args)) for name, args in SECRETARIAT_REACHES}


@pytest.fixture
def demo_cycle(demo_store, db):
    """The demo's year of the cycle, around today (the server's today)."""
    return load_cycle(timezone.localdate())


def walk(page: Page, screenshot, role: str) -> dict[str, str]:
    """Open the Board navigation, then every page kind linked under /board/; kind -> the
    address opened. Fails on an error status or an error page."""
    home = reverse("oversight:home")
    nav = page.get_by_role("navigation", name="Menu").get_by_role("link", name="Board")
    expect(nav).to_have_count(1)  # every role of the cycle has the Board item
    nav.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    origin = urlparse(page.url)
    queue = deque([urlparse(page.url).path])
    linked_from: dict[str, str] = {}
    seen: dict[str, str] = {}
    opened: dict[str, int] = {}
    visited: set[str] = set()
    while queue and len(visited) < MAX_PAGES:
        path = queue.popleft()
        kind = kind_of(path)
        if path in visited or opened.get(kind, 0) >= PER_KIND:
            continue
        visited.add(path)
        opened[kind] = opened.get(kind, 0) + 1
        response = page.goto(path)
        came = linked_from.get(path, "the navigation")
        assert response is not None and response.ok, (
            f"{role}: {path} (linked from {came}) answered {response.status}"
        )
        heading = page.get_by_role("heading", level=1).first.inner_text()
        assert not ERROR_HEADINGS.search(heading), f"{role}: {path} is an error page: {heading}"
        if kind not in seen:
            seen[kind] = path
            screenshot(f"{role}-{kind.strip('/').replace('/', '-') or 'home'}")
        for href in page.locator("main a[href]").evaluate_all(
            "links => links.map(a => a.getAttribute('href'))"
        ):
            target = urlparse(urljoin(page.url, href))
            if target.netloc != origin.netloc or not target.path.startswith(home):
                continue
            if target.path.endswith(NOT_PAGES) or any(x in target.path for x in NOT_FOLLOWED):
                continue
            if target.path not in visited and opened.get(kind_of(target.path), 0) < PER_KIND:
                queue.append(target.path)
                linked_from.setdefault(target.path, path)
    return seen


def test_the_secretariat_opens_every_page_of_the_demo_cycle(
    page: Page, sign_in, demo_cycle, screenshot
) -> None:
    sign_in(Role.SECRETARIAT)
    seen = walk(page, screenshot, "secretariat")
    missing = expected_kinds() - set(seen)
    assert not missing, f"not reached from the Board navigation: {sorted(missing)}"


def test_a_board_member_opens_every_page_of_the_demo_cycle(
    page: Page, sign_in, demo_cycle, screenshot
) -> None:
    sign_in(Role.BOARD_MEMBER)
    seen = walk(page, screenshot, "board-member")
    assert len(seen) >= 8, sorted(seen)


def test_a_borough_user_opens_their_own_pages_of_the_demo_cycle(
    page: Page, sign_in, demo_cycle, screenshot
) -> None:
    sign_in(Role.BOROUGH_USER, area_code=LAMBETH)
    seen = walk(page, screenshot, "borough-user")
    assert len(seen) >= 2, sorted(seen)
    # nothing of the board's own work: the planner and members are not theirs
    for name in ("oversight:planner", "oversight:members"):
        assert kind_of(reverse(name)) not in seen
