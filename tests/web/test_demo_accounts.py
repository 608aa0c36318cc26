"""The demo accounts get past the second factor the way a person would: with a code from an
authenticator app whose key ``dsvb demo`` printed (``dsvb demo-code`` shows the code)."""

from __future__ import annotations

import stat

import pytest
from click.testing import CliRunner
from django.test import Client

from dsvb.cli import main
from dsvb.web import demo
from dsvb.web.accounts.models import User
from dsvb.web.accounts.roles import SECOND_FACTOR_ROLES, Role


@pytest.fixture
def accounts_file(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path / "demo-accounts.txt"


def _entries(path) -> dict[str, list[str]]:
    return {line.split("\t")[0]: line.split("\t")[1:] for line in path.read_text().splitlines()}


def test_demo_accounts_of_roles_that_need_it_have_a_key_in_a_private_file(
    db, accounts_file
) -> None:
    demo.create_accounts()
    assert stat.S_IMODE(accounts_file.stat().st_mode) == 0o600
    entries = _entries(accounts_file)
    for account in demo.ACCOUNTS:
        key = entries[account.username][2] if len(entries[account.username]) > 2 else ""
        assert bool(key) == (Role(account.role) in SECOND_FACTOR_ROLES), account.username
    assert any("dsvb demo-code" in line for line in demo.account_lines())


def test_a_demo_secretary_signs_in_with_the_password_and_the_demo_code(db, accounts_file) -> None:
    demo.create_accounts()
    password = _entries(accounts_file)["secretariat"][0]
    client = Client()
    signed_in = client.post("/accounts/sign-in/", {"username": "secretariat", "password": password})
    assert signed_in["Location"].startswith("/accounts/second-factor/")
    result = CliRunner().invoke(main, ["demo-code", "secretariat"])
    assert result.exit_code == 0, result.output
    code = result.stdout.strip()
    assert len(code) == 6 and code.isdigit()
    verified = client.post(signed_in["Location"], {"code": code})
    assert verified.status_code == 302
    assert client.get("/accounts/users/").status_code == 200


def test_demo_code_refuses_other_accounts_and_https(db, accounts_file, settings, make_user) -> None:
    demo.create_accounts()
    make_user(Role.FORCE_ANALYST, username="real-analyst")  # a real account with a device
    for username, message in (
        ("real-analyst", "not a demo account"),
        ("board", "password alone"),
        ("nobody", "not a demo account"),
    ):
        result = CliRunner().invoke(main, ["demo-code", username])
        assert result.exit_code != 0 and message in result.output, result.output
    settings.HTTPS = True
    result = CliRunner().invoke(main, ["demo-code", "secretariat"])
    assert result.exit_code != 0 and "HTTPS" in result.output


def test_demo_code_refuses_an_account_whose_app_was_replaced(db, accounts_file) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    demo.create_accounts()
    TOTPDevice.objects.filter(user__username="auditor").delete()
    TOTPDevice.objects.create(user=User.objects.get(username="auditor"), confirmed=True)
    with pytest.raises(demo.DemoCodeRefused, match="no longer"):
        demo.current_code("auditor")


def test_an_earlier_demo_installation_gets_its_keys(db, accounts_file) -> None:
    """Accounts made by a dsvb demo from before the second factor (a file of three columns)."""
    User.objects.create_user("secretariat", password="old-pass-word-1", role=Role.SECRETARIAT)
    accounts_file.write_text("secretariat\told-pass-word-1\tBoard secretariat\n")
    demo.create_accounts()
    entries = _entries(accounts_file)
    assert entries["secretariat"][:2] == ["old-pass-word-1", "Board secretariat"]
    assert len(entries["secretariat"][2]) == 32
    assert demo.current_code("secretariat")[0].isdigit()
