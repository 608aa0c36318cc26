"""The second factor: required of whole roles, set up at first sign-in, nothing else before."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import resolve
from django_otp.plugins.otp_totp.models import TOTPDevice

from dsvb.web.accounts import policies
from dsvb.web.accounts.roles import SECOND_FACTOR_ROLES, Role
from dsvb.web.audit.models import Action, AuditEvent
from tests.support.web_fixtures import PASSWORD, current_code
from tests.web.test_page_audit import job  # noqa: F401  (a fixture)
from tests.web.test_permissions import JOB, MATRIX, OTHER, USER

SETUP = "/accounts/second-factor/set-up/"
CODE = "/accounts/second-factor/"


def _every_path(the_job, user_id: int, cycle: dict[str, int]) -> list[tuple[str, str, str]]:
    def path(template: str) -> str:
        path = template.replace(JOB, str(the_job.pk)).replace(USER, str(user_id))
        for placeholder, value in cycle.items():  # the board's cycle's objects
            path = path.replace(placeholder, str(value))
        return path.replace(OTHER, str(the_job.created_by_id))

    return [
        (name, case.method, path(case.path)) for name, cases in MATRIX.items() for case in cases
    ]


def test_the_roles_that_must_use_a_second_factor() -> None:
    # those who administer accounts, import case records, or read the audit log
    assert {Role.SECRETARIAT, Role.FORCE_ANALYST, Role.AUDITOR} == SECOND_FACTOR_ROLES


@pytest.mark.parametrize("role", sorted(SECOND_FACTOR_ROLES))
def test_a_password_alone_reaches_no_staff_page(
    role,
    make_user,
    job,  # noqa: F811
    demo_store,
    page_objects,
) -> None:
    user = make_user(role, second_factor=False)
    assert not user.require_second_factor  # the role alone requires it
    client = Client()
    signed_in = client.post("/accounts/sign-in/", {"username": user.username, "password": PASSWORD})
    assert signed_in.status_code == 302 and signed_in["Location"].startswith(SETUP)
    wrong = []
    for name, method, path in _every_path(job, user.pk, page_objects):
        if name in policies.BEFORE_SECOND_FACTOR:
            continue
        response = getattr(client, method)(path)
        location = response.get("Location", "")
        if not (response.status_code == 302 and location.startswith(SETUP)):
            wrong.append(f"{method.upper()} {path}: {response.status_code} {location}")
    assert not wrong, "reached without a second factor:\n" + "\n".join(wrong)
    # the public pages stay open, and the set-up page works
    assert client.get("/published/").status_code == 200
    assert client.get(SETUP).status_code == 200
    assert not AuditEvent.objects.filter(action=Action.PAGE_VIEWED).exists()


def test_a_device_not_yet_used_in_this_session_reaches_no_staff_page(
    make_user,
    job,  # noqa: F811
    demo_store,
    page_objects,
) -> None:
    user = make_user(Role.SECRETARIAT)  # enrolled, signs in with the password only
    client = Client()
    signed_in = client.post("/accounts/sign-in/", {"username": user.username, "password": PASSWORD})
    assert signed_in["Location"].startswith(CODE)
    for name, method, path in _every_path(job, user.pk, page_objects):
        if name in policies.BEFORE_SECOND_FACTOR:
            continue
        response = getattr(client, method)(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(CODE), (path, response["Location"])


def test_every_page_open_before_the_second_factor_names_a_url() -> None:
    names = set(MATRIX)
    assert names | {"accounts:invitation"} >= policies.BEFORE_SECOND_FACTOR
    assert "accounts:second-factor-remove" not in policies.BEFORE_SECOND_FACTOR
    assert "public:policy-change" not in policies.BEFORE_SECOND_FACTOR
    assert resolve("/published/disclosure-control/change/").view_name == "public:policy-change"


def test_enrolment_at_first_sign_in_then_on_to_the_page_asked_for(make_user, settings) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    user = make_user(Role.AUDITOR, second_factor=False)
    client = Client()
    signed_in = client.post(
        "/accounts/sign-in/?next=/audit/",
        {"username": user.username, "password": PASSWORD, "next": "/audit/"},
    )
    assert signed_in["Location"] == f"{SETUP}?next=%2Faudit%2F"
    page = client.get(signed_in["Location"])
    assert b"must sign in with a code" in page.content
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    done = client.post(signed_in["Location"], {"code": current_code(device), "next": "/audit/"})
    assert done.status_code == 302 and done["Location"] == "/audit/"
    assert client.get("/audit/").status_code == 200
    assert AuditEvent.objects.filter(
        action=Action.SECOND_FACTOR_ENROLLED, actor_id=user.pk
    ).exists()


def test_a_role_that_must_use_it_cannot_remove_it(client_for) -> None:
    client = client_for(Role.FORCE_ANALYST)  # signed in with the code
    response = client.get("/accounts/second-factor/remove/")
    assert response.status_code == 302 and response["Location"] == "/accounts/"
    assert TOTPDevice.objects.filter(user=client.user, confirmed=True).exists()
    assert b"(required)" in client.get("/accounts/").content


def test_a_role_that_need_not_use_one_signs_in_with_the_password_alone(client_for) -> None:
    client = client_for(Role.BOARD_MEMBER)
    assert not TOTPDevice.objects.filter(user=client.user).exists()
    assert client.get("/accounts/password/").status_code == 200
    assert client.get("/accounts/").status_code == 200
