"""The demo's partnership cases: written as interchange files and imported, then what the
interchange format does not carry added through the models and the domain.

``dsvb demo`` (``make run``) calls :func:`load_cases` so a new user can try every cases
screen as each demo role (``dsvb.web.demo.ACCOUNTS``: idva, marac, police, children). The
cases come in the way a real agency's would: :func:`dsvb.demo.cases.write_demo_cases` writes
a folder in the interchange format to ``DATA_DIR/demo-cases/`` and
:func:`dsvb.web.cases.importer.import_cases` reads, checks and stores it -- one path for demo
and real imports. Then, because the format has no place for them:

- an emergency (break glass) view by the Children's Services demo account of a Lambeth IDVA
  case not shared with it, for the setting's number of hours, with the owner's alert and
  the audit entry (so the alert and the emergency banner can be seen);
- Victims' Code events on the police cases and the contacts they owe, the deadlines from
  :mod:`dsvb.cases.vcop` (never computed here), most made, some late, some overdue.

Added once: nothing is added when any case exists.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dsvb.cases import sharing, vcop
from dsvb.demo.cases import CHILDREN, POLICE, write_demo_cases
from dsvb.web.audit.recorder import cli_actor, record_as
from dsvb.web.cases import grants
from dsvb.web.cases.audit import BREAK_GLASS, VCOP_RECORDED
from dsvb.web.cases.importer import import_cases
from dsvb.web.cases.models import (
    Agency,
    Case,
    VcopEvent,
    VictimContact,
)

DEMO_SEED = 2010
LONDON = ZoneInfo("Europe/London")
BREAK_GLASS_REASON = (
    "Out of hours: a child of the household was brought to the emergency department; "
    "checking for a safeguarding concern before the case is shared"
)

# the events of each police case in turn: (kind, days after the case opened, hour)
SCHEDULES: tuple[tuple[tuple[vcop.EventKind, int, int], ...], ...] = (
    (
        (vcop.EventKind.ARREST, 0, 11),
        (vcop.EventKind.INTERVIEW, 0, 16),
        (vcop.EventKind.BAIL, 1, 10),
        (vcop.EventKind.SUSPECT_CHARGED, 21, 15),
    ),
    (  # no arrest: monthly updates are owed
        (vcop.EventKind.SUPPORT_REFERRAL, 1, 12),
    ),
    (
        (vcop.EventKind.ARREST, 1, 9),
        (vcop.EventKind.INTERVIEW, 1, 14),
        (vcop.EventKind.RELEASED_UNDER_INVESTIGATION, 2, 10),
        (vcop.EventKind.DECISION_NOT_TO_CHARGE, 45, 11),
    ),
    (
        (vcop.EventKind.ARREST, 0, 20),
        (vcop.EventKind.BAIL, 1, 11),
        (vcop.EventKind.BAIL_CHANGE, 14, 10),
        (vcop.EventKind.SUPPORT_REFERRAL, 2, 12),
    ),
)


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=LONDON)


def load_cases(today: dt.date | None = None) -> str:
    """Write and import the demo's cases and add the break glass and the Victims' Code
    contacts; a line saying what was done. Nothing is added when any case exists."""
    if Case.objects.exists():
        return f"Partnership cases: {Case.objects.count()} already stored (none added)."
    today = today or timezone.localdate()
    folder = Path(settings.DATA_DIR) / "demo-cases"
    extract = Path(settings.DATA_DIR) / "demo-extract"  # some cases share its people
    written = write_demo_cases(
        folder,
        today=today,
        seed=DEMO_SEED,
        extract=extract if (extract / "people.csv").is_file() else None,
    )
    with transaction.atomic():
        imported = import_cases(folder, new_agencies=True)
        grants = _break_glass(written.break_glass_case)
        events, contacts, overdue = _victims_code(written.police_cases, today)
    totals = imported.totals()
    return (
        f"Partnership cases: {Case.objects.count()} cases of {Agency.objects.count()} "
        f"agencies imported from {folder} ({totals.created} records); "
        f"{grants} emergency view; {events} Victims' Code events owing {contacts} contacts "
        f"({overdue} overdue)."
    )


def _break_glass(case_id: str) -> int:
    """The Children's Services demo account's emergency view of a case not shared with it,
    lasting the dated setting's hours, with the owner's alert and the audit entry. Needs
    the ``children`` demo account (none made without it)."""
    from dsvb.web.accounts.models import User

    user = User.objects.filter(username="children").first()
    case = Case.objects.filter(agency__name="Lambeth IDVA service", external_id=case_id).first()
    if user is None or case is None:
        return 0
    grant = grants.open_grant(case, user, CHILDREN, sharing.check_reason(BREAK_GLASS_REASON))
    summary, fields = grants.audit_entry(grant)
    record_as(user, BREAK_GLASS, summary, **fields)
    return 1


def _victims_code(case_ids: tuple[str, ...], today: dt.date) -> tuple[int, int, int]:
    """Events on the police cases and the contacts they owe (deadlines from
    :mod:`dsvb.cases.vcop`): most made in time, some late, and some not made -- overdue once
    their deadline has passed. Returns (events, contacts, overdue)."""
    rng = random.Random(DEMO_SEED)
    now = timezone.now()
    events = contacts = 0
    cases = {
        c.external_id: c for c in Case.objects.filter(agency__name=POLICE, external_id__in=case_ids)
    }
    for i, case_id in enumerate(case_ids):
        case = cases[case_id]
        opened = _at(case.opened_on, 8)
        VcopEvent.objects.create(
            case=case, kind=vcop.EventKind.INVESTIGATION_OPENED.value, occurred_at=opened
        )
        events += 1
        owed: list[tuple[VcopEvent | None, vcop.Owed]] = []
        arrested = None
        for kind, days, hour in SCHEDULES[i % len(SCHEDULES)]:
            at = _at(case.opened_on + dt.timedelta(days=days), hour)
            if at > now:
                continue
            event = VcopEvent.objects.create(case=case, kind=kind.value, occurred_at=at)
            events += 1
            if kind == vcop.EventKind.ARREST:
                arrested = at
            owed += [(event, o) for o in vcop.owed(kind, at, enhanced=case.enhanced_service)]
        # monthly updates while no arrest: stored as the web's Victims' Code part stores them
        # (no event; the edition of the update rule in force on the day each fell due)
        updates = vcop.vc.update_rules()
        for due in vcop.monthly_updates(opened, arrested, None, now):
            edition = updates.rule(timezone.localtime(due).date()).edition
            owed.append((None, vcop.Owed(vcop.UPDATE, due, edition)))
        for n, (event, o) in enumerate(owed):
            made_at = None
            roll = rng.random()
            latest = n == len(owed) - 1
            if o.due_at < now and not (latest and i % 3 == 1):  # a third left overdue
                if roll < 0.85:
                    made_at = o.due_at - dt.timedelta(hours=rng.randrange(2, 20))
                else:
                    made_at = o.due_at + dt.timedelta(days=rng.randrange(1, 4))  # late
                made_at = min(made_at, now)
            VictimContact.objects.create(
                case=case,
                event=event,
                reason=o.reason,
                edition=o.edition,
                due_at=o.due_at,
                made_at=made_at,
                note="" if made_at is None else "Spoke to the victim by phone",
            )
            contacts += 1
    rows = [
        vcop.ContactRow(case_id=c.case_id, reason=c.reason, due_at=c.due_at, made_at=c.made_at)
        for c in VictimContact.objects.filter(case__external_id__in=case_ids)
    ]
    overdue = len(vcop.overdue(rows, now))
    record_as(
        cli_actor(),
        VCOP_RECORDED,
        f"Demo: {events} Victims' Code events and {contacts} contacts on {len(cases)} cases",
        object_type="import",
        object_id="demo-cases",
    )
    return events, contacts, overdue
