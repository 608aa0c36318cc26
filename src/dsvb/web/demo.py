"""Load demonstration data and accounts into an empty installation.

One year of synthetic, London-calibrated case records (12 months to November 2010, at the
real volume of about 135,000 incidents), a synthetic population of the boroughs (labelled
synthetic; ``dsvb.demo.population``), the board's published tables, and one account per
role, and one for each of four partner agencies (an IDVA service, a MARAC's coordinator,
a police CSU, children's services), each landing on its caseload of the demo's partnership
cases (``dsvb.web.cases.demo``). Passwords are generated, written to
``<data dir>/demo-accounts.txt`` (readable by the owner only) and printed. Refuses to run
on a production (HTTPS) installation.

The roles that must sign in with a second factor (``roles.SECOND_FACTOR_ROLES``) get an
authenticator app already set up: its key is written to the same file and printed, so it can
be added to a real authenticator app, and ``dsvb demo-code USERNAME`` prints the code it shows
now (:func:`current_code`, which refuses an HTTPS installation and any account that is not a
demo account with its key in the file). The second factor itself is never switched off.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from django.conf import settings

from dsvb.web.accounts.roles import SECOND_FACTOR_ROLES, Role

DEMO_INCIDENTS = 135_312  # real DV + sexual-offence incidents, 12 months to November 2010
DEMO_SEED = 2010


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    first_name: str
    last_name: str
    area_code: str = ""
    agency: str = ""


ACCOUNTS = (
    DemoAccount("secretariat", Role.SECRETARIAT, "Sam", "Secretariat"),
    DemoAccount("board", Role.BOARD_MEMBER, "Bola", "Member"),
    DemoAccount("analyst", Role.FORCE_ANALYST, "Ana", "Lyst"),
    DemoAccount("lambeth", Role.BOROUGH_USER, "Lee", "Lambeth", area_code="E09000022"),
    DemoAccount("idva", Role.PARTNER, "Ida", "Advocate", agency="Lambeth IDVA service"),
    DemoAccount("marac", Role.PARTNER, "Mara", "Coordinator", agency="Lambeth MARAC"),
    DemoAccount("police", Role.PARTNER, "Pat", "Constable", agency="Lambeth Police CSU"),
    DemoAccount("children", Role.PARTNER, "Chris", "Social", agency="Lambeth Children's Services"),
    DemoAccount("auditor", Role.AUDITOR, "Audra", "Auditor"),
)


def accounts_file() -> Path:
    return Path(settings.DATA_DIR) / "demo-accounts.txt"


class DemoCodeRefused(Exception):
    """``dsvb demo-code`` will not give a code for this account or installation."""


def _read_file() -> dict[str, list[str]]:
    """username -> [password, role label, authenticator key (base32, or empty)]."""
    path = accounts_file()
    if not path.exists():
        return {}
    entries = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if len(fields) >= 3:
            entries[fields[0]] = [*fields[1:3], fields[3] if len(fields) > 3 else ""]
    return entries


def _write_file(entries: dict[str, list[str]]) -> None:
    """Rewrite the accounts file, readable by its owner only from the first byte."""
    path = accounts_file()
    partial = path.with_name(path.name + ".new")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        for username, fields in entries.items():
            f.write("\t".join([username, *fields]) + "\n")
    partial.replace(path)


def _enrol(user: object) -> str:
    """A confirmed authenticator app for a demo account; returns its key in base32."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="Demo authenticator app", confirmed=True)
    return base64.b32encode(device.bin_key).decode()


def create_accounts() -> list[tuple[DemoAccount, str]]:
    """Create the demo accounts that do not exist yet; return them with their passwords.

    Demo accounts whose role must use a second factor get an authenticator app, including
    those created by an earlier version of ``dsvb demo`` (listed in the file, without a key).
    """
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from dsvb.web.accounts.models import User

    entries = _read_file()
    created = []
    changed = False
    for account in ACCOUNTS:
        needs_key = Role(account.role) in SECOND_FACTOR_ROLES
        existing = User.objects.filter(username=account.username).first()
        if existing is not None:
            entry = entries.get(account.username)
            if (
                needs_key
                and entry is not None
                and not entry[2]
                and not TOTPDevice.objects.filter(user=existing, confirmed=True).exists()
            ):
                entry[2] = _enrol(existing)
                changed = True
            continue
        password = "-".join(secrets.token_urlsafe(4) for _ in range(3))
        user = User(
            username=account.username,
            role=account.role,
            first_name=account.first_name,
            last_name=account.last_name,
            area_code=account.area_code,
            agency=account.agency,
        )
        user.full_clean(exclude=["password"])
        user.set_password(password)
        user.save()
        key = _enrol(user) if needs_key else ""
        label = Role(account.role).label + (f" ({account.agency})" if account.agency else "")
        entries[account.username] = [password, label, key]
        created.append((account, password))
        changed = True
    if changed:
        _write_file(entries)
    return created


def account_lines() -> list[str]:
    """The demo accounts as ``dsvb demo`` and ``dsvb serve`` print them."""
    entries = _read_file()
    lines = []
    for username, (password, label, key) in entries.items():
        lines.append(f"  {username:<12} {password:<22} {label:<26} {key}".rstrip())
    if any(key for _, _, key in entries.values()):
        lines.append(
            "The accounts with a key sign in with a code from an authenticator app too: "
            "'dsvb demo-code USERNAME' prints the current one (or add the key to an "
            "authenticator app)."
        )
    return lines


def current_code(username: str) -> tuple[str, int]:
    """The code a demo account's authenticator app shows now, and the seconds it has left.

    Only for demo accounts (listed in the demo accounts file with a key that is their
    authenticator app's key), and never on an HTTPS installation.
    """
    import time

    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from dsvb.web.accounts.models import User

    if settings.HTTPS:
        raise DemoCodeRefused("refusing to give codes on an HTTPS installation")
    entry = _read_file().get(username)
    if username not in {a.username for a in ACCOUNTS} or entry is None:
        raise DemoCodeRefused(f"{username!r} is not a demo account (see {accounts_file()})")
    if not entry[2]:
        raise DemoCodeRefused(
            f"{username!r} has no demo authenticator app: it signs in with its password alone"
        )
    user = User.objects.filter(username=username).first()
    devices = TOTPDevice.objects.filter(user=user, confirmed=True) if user else []
    key = entry[2]
    device = next((d for d in devices if base64.b32encode(d.bin_key).decode() == key), None)
    if device is None:
        raise DemoCodeRefused(
            f"{username!r}'s authenticator app is no longer the one dsvb demo set up"
        )
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    now = time.time()
    totp.time = now
    left = device.step - int(now - device.t0) % device.step
    return f"{totp.token():0{device.digits}d}", left


def load(say: Callable[[str], None] = print, incidents: int = DEMO_INCIDENTS) -> None:
    """Everything the demo needs; each step is skipped when already done."""
    from django.core.management import call_command

    from dsvb.demo import population as demo_population
    from dsvb.demo.generator import generate_extract
    from dsvb.ingest.extract import import_extract
    from dsvb.ingest.returns import import_return
    from dsvb.store import writer
    from dsvb.web.performance import data
    from dsvb.web.performance.prepare import prepare

    if settings.HTTPS:
        raise SystemExit("Refusing to load demo data and accounts into an HTTPS installation.")
    call_command("migrate", interactive=False, verbosity=0)
    created = create_accounts()
    if created:
        say(f"Created {len(created)} demo accounts.")

    store_path = Path(settings.DSVB_STORE)
    origin = writer.Origin("dsvb demo", writer.DEMO)
    with writer.writing(store_path, origin, progress=say) as write:
        con = write.con
        has_extract = con.execute(
            "SELECT count(*) FROM import_log WHERE kind = 'extract'"
        ).fetchone()[0]
        if not has_extract:
            folder = Path(settings.DATA_DIR) / "demo-extract"
            say(f"Generating one year of demo records ({incidents:,} incidents)...")
            generate_extract(
                folder, incidents=incidents, seed=DEMO_SEED, start=dt.date(2009, 12, 1), months=12
            )
            say("Importing them into the analytical store...")
            report = import_extract(con, folder)
            if report.status == "imported":
                write.record(report.import_id)
            say(f"Imported: {', '.join(f'{k} {v:,}' for k, v in report.row_counts.items())}.")
        made = demo_population.load(
            con, Path(settings.DATA_DIR), start=dt.date(2009, 12, 1), months=12, say=say
        )
        if made is not None:
            write.record(made)
        published = resources.files("dsvb.reference").joinpath("published")
        for entry in sorted(published.iterdir(), key=lambda p: p.name):
            if entry.name.endswith(".csv"):
                with resources.as_file(entry) as path:
                    outcome = import_return(con, path)
                if outcome.status == "imported":
                    write.record(outcome.return_id)
                    say(f"Imported the published table {entry.name}.")
    say("Preparing the main pages (indicators, assessments, overviews)...")
    if settings.DSVB_PREPARE_PAGES:
        # scorecards are prepared by `dsvb serve` as it starts (it empties the cache first)
        prepare(scorecards=False)
    else:
        data.warm()
    _publish_first_release(say)
    _load_cycle(say)
    _load_cases(say)
    _link_people(store_path, say)


def _link_people(store_path: Path, say: Callable[[str], None]) -> None:
    """Link the extract's and the agencies' people (decision 0046) so that the linkage
    pages and the figures by linked person have keys to show: the first demo trains and
    links everything, a later one only the records without a key (incremental)."""
    from dsvb.linkage.run import link
    from dsvb.store import writer
    from dsvb.web.cases.linkage import person_records

    origin = writer.Origin("dsvb demo", writer.DEMO)
    with writer.writing(store_path, origin, progress=say) as write:
        run = link(write.con, extra=person_records(), by="dsvb demo")
        write.changed(f"link run {run.run_id}")
    say(run.summary())


def _load_cycle(say: Callable[[str], None]) -> None:
    """A year of the board's cycle (members, meetings, briefs, reports, minutes, letters, ...)
    so that every page of the board's work has something to show (added once)."""
    from dsvb.web.oversight.demo import load_cycle

    say(load_cycle().line())


def _load_cases(say: Callable[[str], None]) -> None:
    """The partnership cases (agencies, victims, assessments, MARAC meetings, shares, an
    emergency view, Victims' Code contacts) so each partner account has a caseload to try
    (added once; written as interchange files and imported like an agency's)."""
    from dsvb.web.cases.demo import load_cases

    say(load_cases())


def _publish_first_release(say: Callable[[str], None]) -> None:
    """The demo's first statistical release (the latest 12 months), as the secretariat
    would publish it, so that the public pages have something to show."""
    from dsvb.web.public import releases

    if releases.numbers():
        return
    made = releases.publish(releases.web_source(), published_by="dsvb demo")
    if made is not None:
        say(
            f"Published release {made.number} ({made.label}) on the public pages: "
            f"{made.table.suppressed_cells} of {len(made.table.cells)} cells withheld."
        )
