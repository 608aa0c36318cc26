"""Signing in and out, lock-out, password rules, second factor, secure settings, CSRF."""

from __future__ import annotations

import time

from django.conf import settings
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from dsvb.web.accounts.models import User
from dsvb.web.accounts.roles import Role
from dsvb.web.audit.models import Action, AuditEvent
from tests.web.conftest import PASSWORD


def totp_now(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def sign_in(client: Client, username: str, password: str = PASSWORD):
    return client.post("/accounts/sign-in/", {"username": username, "password": password})


def test_sign_in_page_is_a_gov_uk_form_with_csrf(db) -> None:
    response = Client().get("/accounts/sign-in/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in html
    assert "govuk-input" in html and 'autocomplete="current-password"' in html


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(make_user) -> None:
    make_user(Role.BOARD_MEMBER, username="bola")
    response = sign_in(Client(), "bola", "not-the-password-at-all")
    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert b"enter a correct" in response.content.lower()


def test_five_failures_lock_the_account_even_for_the_right_password(make_user) -> None:
    make_user(Role.BOARD_MEMBER, username="bola")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "bola", "wrong-password-guess").status_code == 200
    locked = sign_in(client, "bola", "wrong-password-guess")
    assert locked.status_code == 429
    assert b"Your account is locked" in locked.content
    assert sign_in(client, "bola").status_code == 429  # the right password no longer works
    # one entry per attempt: four failures, the lock-out, then one attempt while locked
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == [Action.SIGN_IN_FAILED] * 4 + [
        Action.LOCKED_OUT,
        Action.SIGN_IN_WHILE_LOCKED,
    ]
    assert not AuditEvent.objects.filter(action=Action.SIGN_IN).exists()


def test_success_resets_the_failure_count(make_user) -> None:
    make_user(Role.BOARD_MEMBER, username="bola")
    client = Client()
    for _ in range(3):
        sign_in(client, "bola", "wrong-password-guess")
    assert sign_in(client, "bola").status_code == 302
    client.post("/accounts/sign-out/")
    for _ in range(3):
        assert sign_in(client, "bola", "wrong-password-guess").status_code == 200


def test_sign_out_is_post_only_and_ends_the_session(client_for) -> None:
    client = client_for(Role.BOARD_MEMBER)
    assert client.get("/accounts/sign-out/").status_code == 405
    response = client.post("/accounts/sign-out/")
    assert response.status_code == 302 and response["Location"] == "/accounts/signed-out/"
    assert client.get("/performance/").status_code == 302  # back to sign-in


def test_passwords_are_hashed_with_argon2_in_production_settings() -> None:
    from dsvb.web import settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    validators = [v["NAME"].rsplit(".", 1)[-1] for v in production.AUTH_PASSWORD_VALIDATORS]
    assert "MinimumLengthValidator" in validators and "CommonPasswordValidator" in validators


def test_session_and_cookie_settings_are_secure() -> None:
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings.X_FRAME_OPTIONS == "DENY"


def test_https_installations_use_secure_cookies_and_hsts(monkeypatch) -> None:
    import importlib

    from dsvb.web import settings as production

    monkeypatch.setenv("DSVB_HTTPS", "1")
    try:
        reloaded = importlib.reload(production)
        assert reloaded.SESSION_COOKIE_SECURE and reloaded.CSRF_COOKIE_SECURE
        assert reloaded.SECURE_HSTS_SECONDS >= 31536000 and reloaded.SECURE_SSL_REDIRECT
    finally:
        monkeypatch.delenv("DSVB_HTTPS")
        importlib.reload(production)


def test_responses_carry_security_headers(db) -> None:
    response = Client().get("/accounts/sign-in/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp


def test_forms_refuse_posts_without_a_csrf_token(make_user) -> None:
    make_user(Role.BOARD_MEMBER, username="bola")
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/sign-in/", {"username": "bola", "password": PASSWORD})
    assert response.status_code == 403
    assert b"session has expired" in response.content


def test_a_wrong_code_slows_down_the_next_attempt(client_for) -> None:
    client = client_for(Role.FORCE_ANALYST, second_factor=False)
    client.get("/accounts/second-factor/set-up/")
    device = TOTPDevice.objects.get(user=client.user)
    client.post("/accounts/second-factor/set-up/", {"code": "000000"})
    response = client.post("/accounts/second-factor/set-up/", {"code": totp_now(device)})
    assert b"The code is not right" in response.content  # throttled, though correct
    device.refresh_from_db()
    assert not device.confirmed and device.throttling_failure_count >= 1


def test_second_factor_set_up_then_required_at_every_sign_in(client_for, settings) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    client = client_for(Role.FORCE_ANALYST, second_factor=False)
    page = client.get("/accounts/second-factor/set-up/")
    assert page.status_code == 200 and b"data:image/svg+xml" in page.content
    device = TOTPDevice.objects.get(user=client.user, confirmed=False)
    wrong = client.post("/accounts/second-factor/set-up/", {"code": "000000"})
    assert b"The code is not right" in wrong.content
    device.refresh_from_db()
    response = client.post("/accounts/second-factor/set-up/", {"code": totp_now(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed

    # a new sign-in is stopped at the code page until the code is given
    fresh = Client()
    assert sign_in(fresh, client.user.username).status_code == 302
    blocked = fresh.get("/performance/")
    assert blocked.status_code == 302 and blocked["Location"].startswith("/accounts/second-factor/")
    device.refresh_from_db()
    device.last_t = -1  # allow the same time step again in this test
    device.save()
    verified = fresh.post("/accounts/second-factor/?next=/performance/", {"code": totp_now(device)})
    assert verified.status_code == 302
    actions = list(
        AuditEvent.objects.filter(actor_id=client.user.pk)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions.count(Action.SECOND_FACTOR_ENROLLED) == 1
    assert actions.count(Action.SECOND_FACTOR_VERIFIED) == 1


def _enrolled(client_for, role: Role) -> tuple[Client, TOTPDevice]:
    """A user with a confirmed authenticator app, signed in again with the password only."""
    client = client_for(role, second_factor=False)
    client.get("/accounts/second-factor/set-up/")
    device = TOTPDevice.objects.get(user=client.user)
    client.post("/accounts/second-factor/set-up/", {"code": totp_now(device)})
    device.refresh_from_db()
    assert device.confirmed
    fresh = Client()
    assert sign_in(fresh, client.user.username).status_code == 302
    fresh.user = client.user
    device.last_t = -1  # allow the same time step again in these tests
    device.save()
    return fresh, device


def test_a_password_alone_cannot_remove_the_authenticator_app(client_for, settings) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    client, device = _enrolled(client_for, Role.SECRETARIAT)
    for response in (
        client.get("/accounts/second-factor/remove/"),
        client.post("/accounts/second-factor/remove/", {"code": totp_now(device)}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/second-factor/?next=")
    assert TOTPDevice.objects.filter(user=client.user, confirmed=True).exists()
    assert client.get("/accounts/users/")["Location"].startswith("/accounts/second-factor/")
    assert not AuditEvent.objects.filter(action=Action.SECOND_FACTOR_REMOVED).exists()


def test_removing_the_authenticator_app_needs_a_current_code_and_is_audited(
    client_for, settings
) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    client, device = _enrolled(client_for, Role.BOARD_MEMBER)  # a role that may opt out
    verified = client.post("/accounts/second-factor/?next=/accounts/", {"code": totp_now(device)})
    assert verified.status_code == 302
    device.refresh_from_db()
    device.last_t = -1
    device.save()
    page = client.get("/accounts/second-factor/remove/")
    assert page.status_code == 200 and b"enter the current code" in page.content
    wrong = client.post("/accounts/second-factor/remove/", {"code": "000000"})
    assert wrong.status_code == 200 and b"The code is not right" in wrong.content
    assert TOTPDevice.objects.filter(user=client.user).exists()
    removed = client.post("/accounts/second-factor/remove/", {"code": totp_now(device)})
    assert removed.status_code == 302 and removed["Location"] == "/accounts/"
    assert not TOTPDevice.objects.filter(user=client.user).exists()
    actions = list(
        AuditEvent.objects.filter(actor_id=client.user.pk).values_list("action", flat=True)
    )
    assert actions.count(Action.SECOND_FACTOR_REMOVED) == 1
    assert Action.SECOND_FACTOR_FAILED in actions


def test_a_required_second_factor_must_be_set_up_before_anything_else(client_for) -> None:
    # required of one person whose role would not need it
    client = client_for(Role.BOARD_MEMBER, require_second_factor=True, second_factor=False)
    response = client.get("/performance/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/second-factor/set-up/?next=%2Fperformance%2F"
    assert client.post("/accounts/second-factor/remove/").status_code == 302  # refused politely


def test_change_password_keeps_the_session_and_is_audited(client_for) -> None:
    client = client_for(Role.BOARD_MEMBER)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-passphrase-77",
            "new_password2": "a-new-long-passphrase-77",
        },
    )
    assert response.status_code == 302
    assert client.get("/accounts/").status_code == 200
    assert AuditEvent.objects.filter(action=Action.PASSWORD_CHANGED).count() == 1


def test_secretariat_creates_and_changes_users_and_each_change_is_audited(client_for) -> None:
    client = client_for(Role.SECRETARIAT)
    created = client.post(
        "/accounts/users/new/",
        {
            "username": "southwark1",
            "role": Role.BOROUGH_USER,
            "area_code": "E09000028",
            "is_active": "on",
        },
    )
    assert created.status_code == 200 and b"can now set a password" in created.content
    person = User.objects.get(username="southwark1")
    assert not person.has_usable_password()  # until they set their own
    changed = client.post(
        f"/accounts/users/{person.pk}/",
        {
            "username": "southwark-2",
            "last_name": "Okafor",
            "role": Role.BOROUGH_USER,
            "area_code": "E09000022",
        },
    )
    assert changed.status_code == 302
    person.refresh_from_db()
    assert person.area_code == "E09000022" and not person.is_active
    entries = AuditEvent.objects.filter(object_type="user", object_id=str(person.pk))
    assert [e.action for e in entries.order_by("id")] == [
        Action.USER_CREATED,
        Action.INVITATION_CREATED,
        Action.USER_CHANGED,
    ]
    assert entries.get(action=Action.USER_CHANGED).details["changes"] == {
        "username": ["southwark1", "southwark-2"],  # a rename keeps the old name
        "last_name": ["", "Okafor"],
        "area_code": ["E09000028", "E09000022"],
        "is_active": [True, False],
    }


def test_a_borough_user_must_have_a_borough(client_for) -> None:
    client = client_for(Role.SECRETARIAT)
    response = client.post(
        "/accounts/users/new/",
        {"username": "nobody", "role": Role.BOROUGH_USER},
    )
    assert b"must belong to a borough" in response.content
    assert not User.objects.filter(username="nobody").exists()


def test_deactivated_users_cannot_sign_in(make_user) -> None:
    make_user(Role.BOARD_MEMBER, username="gone", is_active=False)
    assert sign_in(Client(), "gone").status_code == 200


def test_empty_fields_are_listed_in_the_error_summary(db) -> None:
    response = Client().post("/accounts/sign-in/", {"username": "", "password": ""})
    html = response.content.decode()
    assert "There is a problem" in html
    assert 'href="#id_username">User name: This field is required.' in html
    assert 'href="#id_password">Password: This field is required.' in html
    assert "autofocus" not in html
