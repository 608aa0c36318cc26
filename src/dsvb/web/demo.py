"""Load demonstration data and accounts into an empty installation.

One year of synthetic, London-calibrated case records (12 months to November 2010, at the
real volume of about 135,000 incidents), the board's published tables, and one account per
role. Passwords are generated, written to ``<data dir>/demo-accounts.txt`` (readable by the
owner only) and printed. Refuses to run on a production (HTTPS) installation.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from django.conf import settings

from dsvb.web.accounts.roles import Role

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
    DemoAccount("auditor", Role.AUDITOR, "Audra", "Auditor"),
)


def accounts_file() -> Path:
    return Path(settings.DATA_DIR) / "demo-accounts.txt"


def create_accounts() -> list[tuple[DemoAccount, str]]:
    """Create the demo accounts that do not exist yet; return them with their passwords."""
    from dsvb.web.accounts.models import User

    created = []
    for account in ACCOUNTS:
        if User.objects.filter(username=account.username).exists():
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
        created.append((account, password))
    if created:
        path = accounts_file()
        with path.open("a", encoding="utf-8") as f:
            for account, password in created:
                f.write(f"{account.username}\t{password}\t{Role(account.role).label}\n")
        path.chmod(0o600)
    return created


def account_lines() -> list[str]:
    path = accounts_file()
    if not path.exists():
        return []
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        username, password, label = line.split("\t")
        lines.append(f"  {username:<12} {password:<22} {label}")
    return lines


def load(say: Callable[[str], None] = print, incidents: int = DEMO_INCIDENTS) -> None:
    """Everything the demo needs; each step is skipped when already done."""
    from django.core.management import call_command

    from dsvb import store
    from dsvb.demo.generator import generate_extract
    from dsvb.ingest.extract import import_extract
    from dsvb.ingest.returns import import_return
    from dsvb.web.performance import data

    if settings.HTTPS:
        raise SystemExit("Refusing to load demo data and accounts into an HTTPS installation.")
    call_command("migrate", interactive=False, verbosity=0)
    created = create_accounts()
    if created:
        say(f"Created {len(created)} demo accounts.")

    store_path = Path(settings.DSVB_STORE)
    con = store.connect(store_path)
    try:
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
            say(f"Imported: {', '.join(f'{k} {v:,}' for k, v in report.row_counts.items())}.")
        published = resources.files("dsvb.reference").joinpath("published")
        for entry in sorted(published.iterdir(), key=lambda p: p.name):
            if entry.name.endswith(".csv"):
                with resources.as_file(entry) as path:
                    outcome = import_return(con, path)
                if outcome.status == "imported":
                    say(f"Imported the published table {entry.name}.")
    finally:
        con.close()
    data.forget_state()
    say("Computing the indicators for the main pages...")
    data.warm()
    _publish_first_release(say)


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
