"""Page views of figures and records are audited: every one, once, naming what was shown."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from dsvb.web.accounts.roles import Role
from dsvb.web.audit.models import Action, AuditEvent
from dsvb.web.audit.recorder import record
from dsvb.web.imports.models import ImportJob
from tests.web.test_permissions import JOB, MATRIX, USER

# Signed-in views that show no figures and no case, import or audit records, with the reason.
EXEMPT = {
    "accounts:account": "the person's own account settings",
    "accounts:change-password": "a form for the person's own password",
    "accounts:second-factor": "the sign-in code form",
    "accounts:second-factor-setup": "the person's own authenticator set-up",
    "accounts:second-factor-remove": "the person's own authenticator removal (audited itself)",
    "accounts:users": "the list of accounts (changes to them are audited)",
    "accounts:user-new": "a form to invite a user (the invitation is audited)",
    "accounts:user-edit": "a form to change a user (changes are audited)",
    "accounts:user-invite": "sends a new invitation (audited itself)",
    "accounts:user-unlock": "unlocks an account (audited itself)",
    "imports:upload-extract": "an upload form (the import it starts is audited)",
    "imports:upload-return": "an upload form (the import it starts is audited)",
    "imports:status": "polled every few seconds by the job page, which is audited",
    "public:policy-change": "the disclosure-control settings form (changes are audited)",
}

# who requests each page in the test below: the first of these roles allowed to
PREFERENCE = (
    Role.SECRETARIAT,
    Role.FORCE_ANALYST,
    Role.AUDITOR,
    Role.BOARD_MEMBER,
    Role.PARTNER,
    Role.BOROUGH_USER,
)


@pytest.fixture
def job(make_user) -> ImportJob:
    """A finished import whose report has a problem (so its CSV download exists)."""
    analyst = make_user(Role.FORCE_ANALYST, username="job-owner")
    problem = {"file": "crimes.csv", "row": 2, "column": "crime_id", "value": "", "count": 1}
    return ImportJob.objects.create(
        kind="extract",
        status="failed",
        created_by=analyst,
        created_by_username=analyst.username,
        file_names=["crimes.csv"],
        summary="1 problem",
        report={"problems": [{**problem, "message": "A crime needs an id"}], "notes": []},
    )


def _views(patterns: list, namespace: str = "") -> dict[str, object]:
    found: dict[str, object] = {}
    for p in patterns:
        if isinstance(p, URLResolver):
            inner = f"{namespace}:{p.namespace}" if namespace and p.namespace else p.namespace
            found |= _views(p.url_patterns, inner or namespace)
        elif isinstance(p, URLPattern):
            found[f"{namespace}:{p.name}" if namespace else str(p.name)] = p.callback
    return found


def test_every_signed_in_view_is_audited_or_exempt_with_a_reason() -> None:
    views = _views(get_resolver().url_patterns)
    signed_in = {name for name, view in views.items() if hasattr(view, "dsvb_policy")}
    audited = {name for name, view in views.items() if hasattr(view, "dsvb_audited")}
    assert signed_in, "policy_required no longer marks the views it guards"
    assert signed_in - audited - set(EXEMPT) == set(), "audit these views, or exempt them"
    assert set(EXEMPT) - signed_in == set(), "these exemptions name no signed-in view"
    assert audited & set(EXEMPT) == set(), "these views are audited: drop the exemption"
    assert audited <= signed_in, "an audited view that anyone may reach"


def _audited_cases() -> list[tuple[str, object]]:
    views = _views(get_resolver().url_patterns)
    return [
        (name, case)
        for name, cases in MATRIX.items()
        if hasattr(views[name], "dsvb_audited")
        for case in cases
        if case.method == "get"  # (an act by POST records its own typed entry)
        and case.allowed  # (a row nobody may reach: its refusal is audited by the guard)
    ]


@pytest.mark.parametrize(("name", "case"), _audited_cases(), ids=lambda v: getattr(v, "path", v))
def test_each_view_of_an_audited_page_makes_one_entry_naming_it(
    name, case, client_for, job, demo_store, page_objects
) -> None:
    role = next(r for r in PREFERENCE if r in case.allowed)
    client = client_for(role)
    path = case.path.replace(JOB, str(job.pk)).replace(USER, str(client.user.pk))
    for placeholder, value in page_objects.items():
        path = path.replace(placeholder, str(value))
    before = AuditEvent.objects.count()
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    new = list(AuditEvent.objects.filter(id__gt=last))
    assert AuditEvent.objects.count() == before + 1, [e.summary for e in new]
    (entry,) = new
    assert entry.actor_id == client.user.pk and entry.actor_role == role
    assert entry.details["path"] == path
    if name.startswith("performance:"):
        assert {"family", "period"} <= set(entry.details), entry.details
    area = re.search(r"/scorecard/(E\d{8})/", path)
    if area:
        assert entry.details["area"] == area.group(1)


def test_an_overview_entry_names_the_indicator_family_and_period_shown(
    client_for, demo_store
) -> None:
    from dsvb.web.performance import figures

    client = client_for(Role.BOARD_MEMBER)
    sel = figures.select("sexual", None)  # the latest period, as the page chooses it
    page = client.get("/performance/", {"family": "sexual", "indicator": "sd_rate"})
    assert page.status_code == 200
    entry = AuditEvent.objects.filter(action=Action.PAGE_VIEWED).get()
    assert entry.details["family"] == "sexual" and entry.details["indicator"] == "sd_rate"
    assert entry.details["period"] == sel.choice.key and entry.details["area"] == "ALL"
    assert entry.object_id == "/performance/"
    assert "overview" in entry.summary and entry.actor_username == client.user.username


def test_a_refused_page_is_recorded_as_a_refusal_only(client_for, demo_store) -> None:
    client = client_for(Role.BOROUGH_USER)
    assert client.get("/performance/scorecard/E09000028/").status_code == 403
    assert not AuditEvent.objects.filter(action=Action.PAGE_VIEWED).exists()
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED).count() == 1


def test_the_audit_log_lists_every_entry_it_counts(client_for) -> None:
    client = client_for(Role.AUDITOR)
    for n in range(3):
        record(None, Action.SETTING_CHANGED, f"Threshold change number {n}", username="sam")
    total = AuditEvent.objects.count()
    oldest = AuditEvent.objects.order_by("id").first()
    html = client.get("/audit/").content.decode()
    rows = re.findall(r'<tr class="govuk-table__row">\s*<td', html)
    assert f"{total} entries" in html
    assert len(rows) == total
    # the rows are the entries counted: the oldest is there, and the entry this view makes
    # (written after the page was read) has not pushed it off
    assert oldest.summary in html
    assert "Read the audit log" not in html
    # the next view shows the entry the previous one made, and counts it
    html = client.get("/audit/").content.decode()
    assert f"{total + 1} entries" in html
    assert len(re.findall(r'<tr class="govuk-table__row">\s*<td', html)) == total + 1
