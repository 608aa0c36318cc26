"""Every page of the application, as someone allowed to see it: sound HTML and no caching.

The pages are those of the permission matrix (which must name every URL), each requested by
one person allowed to see it (the public for public pages), redirects followed.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import resolve

from dsvb.web.accounts.policies import PUBLIC_PAGES
from dsvb.web.accounts.roles import Role
from tests.web.test_page_audit import job  # noqa: F401  (a fixture)
from tests.web.test_permissions import JOB, MATRIX, USER

PREFERENCE = (
    None,
    Role.SECRETARIAT,
    Role.FORCE_ANALYST,
    Role.AUDITOR,
    Role.BOARD_MEMBER,
    Role.PARTNER,
    Role.BOROUGH_USER,
)


class FormNesting(HTMLParser):
    """Records each <form> that opens while another is open (with the line it starts on)."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.forms = 0
        self.nested: list[int] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "form":
            self.forms += 1
            if self.depth:
                self.nested.append(self.getpos()[0])
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.depth:
            self.depth -= 1


def nested_forms(html: str) -> list[int]:
    parser = FormNesting()
    parser.feed(html)
    parser.close()
    return parser.nested


def test_the_checker_finds_a_nested_form() -> None:
    page = '<form method="post">\n<input name="a">\n<form method="post"></form>\n</form>'
    assert nested_forms(page) == [3]
    assert nested_forms('<form></form><form method="get"></form>') == []


def _pages() -> list[tuple[str, object]]:
    return [
        (name, case)
        for name, cases in MATRIX.items()
        for case in cases
        if case.method == "get" and case.allowed  # (a row nobody may reach shows no page)
    ]


@pytest.fixture
def every_page(client_for, job, published_store, page_objects):  # noqa: F811
    """(role, path, response) for every page, each as the first role allowed to see it."""
    clients: dict[object, Client] = {}
    seen = []
    for _name, case in _pages():
        role = next(r for r in PREFERENCE if r in case.allowed)
        if role not in clients:
            clients[role] = client_for(role) if role else Client()
        client = clients[role]
        user_id = client.user.pk if role else 0
        path = case.path.replace(JOB, str(job.pk)).replace(USER, str(user_id))
        for placeholder, value in page_objects.items():
            path = path.replace(placeholder, str(value))
        seen.append((role, path, client.get(path, follow=True)))
    return seen


def test_no_page_nests_a_form_inside_a_form(every_page) -> None:
    wrong, forms = [], 0
    for role, path, response in every_page:
        if not response["Content-Type"].startswith("text/html"):
            continue
        parser = FormNesting()
        parser.feed(response.content.decode())
        forms += parser.forms
        if parser.nested:
            wrong.append(f"{path} as {role or 'the public'}: nested <form> at {parser.nested}")
    assert forms > 20, "the walk saw almost no forms: is it reading the pages?"
    assert not wrong, "\n".join(wrong)


def _directives(response) -> set[str]:
    return {d.strip().split("=")[0] for d in response.get("Cache-Control", "").split(",") if d}


def test_no_staff_page_may_be_stored_but_public_pages_may(every_page, client_for) -> None:
    wrong = []
    public = 0
    for role, path, response in every_page:
        stored = "no-store" not in _directives(response)
        if role is None and resolve(path).view_name in PUBLIC_PAGES:  # a page for the public
            public += 1
            if not stored:
                wrong.append(f"{path} (public) is marked no-store")
        elif stored:
            wrong.append(f"{path} as {role or 'the public'}: {response.get('Cache-Control')!r}")
    assert public >= 5, "the walk saw no public pages"
    assert not wrong, "\n".join(wrong)
    # the sign-in page, and a public page seen by someone signed in (it names them)
    assert "no-store" in _directives(Client().get("/accounts/sign-in/"))
    assert "no-store" in _directives(client_for(Role.BOARD_MEMBER).get("/published/"))
