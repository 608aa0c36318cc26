"""The permission matrix: every role, and the public, against every URL and export.

Every URL pattern of the application must appear in MATRIX (a new page without an entry
fails the completeness test), with the roles allowed to use it. "Allowed" means the page or
file is served (200, or a redirect that is not to the sign-in page); "refused" means a 403
for a signed-in person and a redirect to sign in for the public.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from dsvb.access import AgencyRef, AreaRef, Decision, Resource
from dsvb.access import permissions as can
from dsvb.web.accounts import memberships
from dsvb.web.accounts.roles import Role
from dsvb.web.imports.models import ImportJob
from tests.web.cases.matrix import CASES_MATRIX
from tests.web.conftest import LAMBETH, SOUTHWARK
from tests.web.linkage.matrix import LINKAGE_MATRIX
from tests.web.oversight.case import Case
from tests.web.oversight.matrix import CYCLE_MATRIX

PUBLIC = None  # the public: no sign-in
EVERYONE = frozenset({PUBLIC, *Role})
SIGNED_IN = frozenset(Role)
ALL_AREAS = frozenset({Role.SECRETARIAT, Role.BOARD_MEMBER, Role.FORCE_ANALYST})
PERFORMANCE = ALL_AREAS | {Role.BOROUGH_USER}
IMPORTERS = frozenset({Role.FORCE_ANALYST})
IMPORT_READERS = frozenset({Role.FORCE_ANALYST, Role.SECRETARIAT})
AUDITORS = frozenset({Role.SECRETARIAT, Role.AUDITOR})
SECRETARIAT = frozenset({Role.SECRETARIAT})


JOB = "{job}"  # replaced by a real import job's id
USER = "{user}"  # replaced by the requesting user's id
OTHER = "{other}"  # replaced by another user's id (the import job's owner)

MATRIX: dict[str, list[Case]] = {
    "home": [Case("/", EVERYONE)],
    "accessibility": [Case("/accessibility/", EVERYONE)],
    "glossary": [Case("/glossary/", EVERYONE)],
    "health": [Case("/health/", EVERYONE)],
    "accounts:sign-in": [Case("/accounts/sign-in/", EVERYONE)],
    "accounts:sign-out": [Case("/accounts/sign-out/", EVERYONE, method="post")],
    "accounts:signed-out": [Case("/accounts/signed-out/", EVERYONE)],
    "accounts:account": [Case("/accounts/", SIGNED_IN)],
    "accounts:change-password": [Case("/accounts/password/", SIGNED_IN)],
    "accounts:second-factor": [Case("/accounts/second-factor/", SIGNED_IN)],
    "accounts:second-factor-setup": [Case("/accounts/second-factor/set-up/", SIGNED_IN)],
    "accounts:second-factor-remove": [
        Case("/accounts/second-factor/remove/", SIGNED_IN, method="post")
    ],
    "accounts:users": [Case("/accounts/users/", SECRETARIAT)],
    "accounts:user-new": [Case("/accounts/users/new/", SECRETARIAT)],
    "accounts:user-edit": [Case(f"/accounts/users/{USER}/", SECRETARIAT)],
    "accounts:user-invite": [
        Case(f"/accounts/users/{OTHER}/invite/", SECRETARIAT, method="post"),
    ],
    "accounts:user-unlock": [
        Case(f"/accounts/users/{OTHER}/unlock/", SECRETARIAT, method="post", note="no reason"),
    ],
    "accounts:invitation": [
        Case("/accounts/invitation/MQ/1-abc/", EVERYONE, note="a link that does not work"),
    ],
    "audit:search": [Case("/audit/", AUDITORS)],
    "audit:export": [Case("/audit/export.csv", AUDITORS)],
    "performance:overview": [
        Case("/performance/", ALL_AREAS),
        Case("/performance/?family=sexual&indicator=sd_rate&sort=value", ALL_AREAS),
    ],
    "performance:export": [
        Case(f"/performance/export/{table}.{fmt}", ALL_AREAS)
        for table in ("summary", "areas", "funnel", "trend")
        for fmt in ("csv", "xlsx")
    ],
    "performance:scorecard": [Case("/performance/scorecard/", PERFORMANCE)],
    "performance:scorecard-area": [
        Case(f"/performance/scorecard/{LAMBETH}/", PERFORMANCE, note="the borough user's own"),
        Case(f"/performance/scorecard/{SOUTHWARK}/", ALL_AREAS, note="another borough"),
    ],
    "performance:scorecard-export": [
        *(
            Case(f"/performance/scorecard/{LAMBETH}/export/{table}.{fmt}", PERFORMANCE)
            for table in ("scorecard", "monthly", "notes")
            for fmt in ("csv", "xlsx")
        ),
        Case(f"/performance/scorecard/{SOUTHWARK}/export/scorecard.csv", ALL_AREAS),
        Case(f"/performance/scorecard/{SOUTHWARK}/export/notes.xlsx", ALL_AREAS),
    ],
    "performance:equality": [Case("/performance/equality/", PERFORMANCE)],
    "performance:equality-area": [
        Case(f"/performance/equality/{LAMBETH}/", PERFORMANCE, note="the borough user's own"),
        Case(f"/performance/equality/{SOUTHWARK}/", ALL_AREAS, note="another borough"),
    ],
    "performance:equality-export": [
        Case(f"/performance/equality/{LAMBETH}/export/ratios.csv", PERFORMANCE),
        Case(f"/performance/equality/{LAMBETH}/export/recording.xlsx", PERFORMANCE),
        Case(f"/performance/equality/{SOUTHWARK}/export/ratios.xlsx", ALL_AREAS),
        Case("/performance/equality/ALL/export/recording.csv", ALL_AREAS, note="London"),
    ],
    "imports:list": [Case("/imports/", IMPORT_READERS)],
    "imports:upload-extract": [Case("/imports/extract/", IMPORTERS)],
    "imports:upload-return": [Case("/imports/return/", IMPORTERS)],
    "imports:job": [Case(f"/imports/{JOB}/", IMPORT_READERS)],
    "imports:status": [Case(f"/imports/{JOB}/status/", IMPORT_READERS)],
    "imports:report": [Case(f"/imports/{JOB}/report/", IMPORT_READERS)],
    "imports:report-csv": [Case(f"/imports/{JOB}/report.csv", IMPORT_READERS)],
    "public:home": [Case("/published/", EVERYONE)],
    "public:download": [Case(f"/published/download.{fmt}", EVERYONE) for fmt in ("csv", "xlsx")],
    "public:family": [
        Case(f"/published/families/{family}/", EVERYONE)
        for family in ("dv", "serious_sexual", "sexual")
    ],
    "public:family-download": [
        Case(f"/published/families/dv/download.{fmt}", EVERYONE) for fmt in ("csv", "xlsx")
    ],
    "public:area": [Case(f"/published/areas/{SOUTHWARK}/", EVERYONE)],
    "public:area-download": [
        Case(f"/published/areas/{SOUTHWARK}/download.{fmt}", EVERYONE) for fmt in ("csv", "xlsx")
    ],
    "public:release-download": [
        Case(f"/published/releases/1/download.{fmt}", EVERYONE) for fmt in ("csv", "xlsx")
    ],
    "public:publish": [Case("/published/publish/", SECRETARIAT)],
    "public:policy": [Case("/published/disclosure-control/", EVERYONE)],
    "public:policy-change": [Case("/published/disclosure-control/change/", SECRETARIAT)],
}


MATRIX.update(CYCLE_MATRIX)
MATRIX.update(CASES_MATRIX)
MATRIX.update(LINKAGE_MATRIX)


def _url_names(patterns: list, namespace: str = "") -> list[str]:
    names = []
    for p in patterns:
        if isinstance(p, URLResolver):
            inner = f"{namespace}:{p.namespace}" if namespace and p.namespace else p.namespace
            names += _url_names(p.url_patterns, inner or namespace)
        elif isinstance(p, URLPattern):
            names.append(f"{namespace}:{p.name}" if namespace else str(p.name))
    return names


def test_every_url_is_in_the_matrix() -> None:
    names = set(_url_names(get_resolver().url_patterns))
    assert names - set(MATRIX) == set(), "add these URLs to the permission matrix"
    assert set(MATRIX) - names == set(), "these matrix entries name no URL"


ROLES = [PUBLIC, *Role]


@pytest.fixture
def job(make_user) -> ImportJob:
    analyst = make_user(Role.FORCE_ANALYST, username="job-owner")
    return ImportJob.objects.create(
        kind="return",
        status="failed",
        created_by=analyst,
        created_by_username=analyst.username,
        file_names=["table.csv"],
        summary="Could not be read",
        report={"problems": [], "notes": []},
    )


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "public")
def test_permission_matrix(role, client_for, job, published_store, page_objects) -> None:
    client = client_for(role) if role else Client()
    user_id = client.user.pk if role else 0
    wrong = []
    for name, cases in MATRIX.items():
        for case in cases:
            path = case.path.replace(JOB, str(job.pk)).replace(USER, str(user_id))
            path = path.replace(OTHER, str(job.created_by_id))
            for placeholder, value in page_objects.items():
                path = path.replace(placeholder, str(value))
            response = getattr(client, case.method)(path)
            location = response.get("Location", "")
            to_sign_in = response.status_code == 302 and location.startswith("/accounts/sign-in/")
            allowed = response.status_code == 200 or (
                response.status_code in (301, 302) and not to_sign_in
            )
            refused = response.status_code == 403 if role else to_sign_in
            expected = role in case.allowed
            if (expected and not allowed) or (not expected and not refused):
                wrong.append(
                    f"{name} {case.method.upper()} {path} ({case.note or 'default'}): "
                    f"got {response.status_code} {location}, expected "
                    f"{'allowed' if expected else 'refused'}"
                )
            if case.path == "/accounts/sign-out/" and role:
                client = client_for(role, username=f"again-{role}")  # signed out: sign in again
                user_id = client.user.pk
    assert not wrong, "\n".join(wrong)


# --- object level: who may see which area, agency and owned object, and why ------------------

OWN_AGENCY = "Lambeth IDVA service"  # the partner's (ROLE_FIELDS)
OTHER_AGENCY = "Southwark IDVA service"
OBJECTS = {
    "own area": AreaRef(LAMBETH),  # the borough user's
    "another area": AreaRef(SOUTHWARK),
    "own agency": AgencyRef(OWN_AGENCY),  # the partner's
    "another agency": AgencyRef(OTHER_AGENCY),
    "own area's brief": Resource("brief", "1", owner_area=LAMBETH),
    "another area's brief": Resource("brief", "2", owner_area=SOUTHWARK),
    "own agency's case": Resource("case", "3", owner_agency=OWN_AGENCY, owner_area=LAMBETH),
    "another agency's case": Resource("case", "4", owner_agency=OTHER_AGENCY),
}
ACTION_FOR = {AreaRef: can.VIEW_AREA, AgencyRef: can.VIEW_AGENCY, Resource: can.VIEW_RESOURCE}

# who is allowed each object (every other role is refused; with no membership, everyone is)
OBJECT_MATRIX = {
    "own area": PERFORMANCE,
    "another area": ALL_AREAS,
    "own agency": {Role.SECRETARIAT, Role.PARTNER},
    "another agency": {Role.SECRETARIAT},
    "own area's brief": PERFORMANCE,
    "another area's brief": ALL_AREAS,
    "own agency's case": {Role.PARTNER},  # need to know: not even the secretariat
    "another agency's case": frozenset(),
}

# the reasons given to the people an area or agency applies to
REASONS = {
    (Role.BOROUGH_USER, "own area"): "a borough user of Lambeth may see Lambeth",
    (Role.BOROUGH_USER, "another area"): (
        "a borough user of Lambeth may see Lambeth only, not Southwark"
    ),
    (Role.BOROUGH_USER, "own agency"): (
        "a borough user of Lambeth belongs to no agency, so not to Lambeth IDVA service"
    ),
    (Role.PARTNER, "own area"): "a partner agency user of Lambeth IDVA service sees no area's "
    "performance data",
    (Role.PARTNER, "own agency"): (
        "a partner agency user of Lambeth IDVA service may see Lambeth IDVA service"
    ),
    (Role.PARTNER, "another agency"): (
        "a partner agency user of Lambeth IDVA service may see Lambeth IDVA service only, "
        "not Southwark IDVA service"
    ),
    (Role.PARTNER, "own agency's case"): "Lambeth IDVA service owns case 3 of Lambeth IDVA service",
    (Role.SECRETARIAT, "own agency's case"): (
        "case 3 of Lambeth IDVA service is Lambeth IDVA service's, not shared with a board "
        "secretariat"
    ),
    (Role.AUDITOR, "another area"): "an auditor sees no area's performance data",
}


@pytest.mark.parametrize("role", list(Role))
def test_object_level_permission_matrix(role, make_user) -> None:
    """Each role against its own and another area and agency, and objects they own; then
    the same person with no membership at all."""
    user = make_user(role, second_factor=False)
    wrong = []
    for name, obj in OBJECTS.items():
        decision = memberships.decide(user, ACTION_FOR[type(obj)], obj)
        expected = role in OBJECT_MATRIX[name]
        if decision.allowed != expected or not decision.reason:
            wrong.append(f"{name}: got {decision}, expected allowed={expected}")
        if (role, name) in REASONS and decision.reason != REASONS[role, name]:
            wrong.append(f"{name}: reason {decision.reason!r}, expected {REASONS[role, name]!r}")
    user.memberships.all().delete()
    memberships.forget(user)
    for name, obj in OBJECTS.items():
        decision = memberships.decide(user, ACTION_FOR[type(obj)], obj)
        if decision != Decision(False, f"{user.username} holds no membership"):
            wrong.append(f"{name} with no membership: got {decision}")
    assert not wrong, "\n".join(wrong)


def test_every_object_row_is_in_the_matrix() -> None:
    assert set(OBJECTS) == set(OBJECT_MATRIX)
    assert {name for _, name in REASONS} <= set(OBJECTS)
