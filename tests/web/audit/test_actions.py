"""The audit's actions are a registry in code: one added later is recorded without a
migration, a name nobody registered is refused, and entries can be made outside a request
(the command line, a background job) with the outcome and the reason."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from dsvb.access import UnknownName
from dsvb.web.accounts.roles import Role
from dsvb.web.audit import chain
from dsvb.web.audit.models import ACTIONS, Action, AuditEvent, register_action
from dsvb.web.audit.recorder import SYSTEM_ROLE, cli_actor, job_actor, record, record_as
from tests.web.audit.helpers import witness  # noqa: F401  (a fixture)

pytestmark = pytest.mark.usefixtures("witness")


@pytest.fixture
def new_action():
    """An action a later package registers at run time (forgotten afterwards)."""
    name = register_action("case.shared", "Partnership case shared with another agency")
    yield name
    ACTIONS.remove(name)


def no_migration_needed() -> str:
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)  # exits 1 on changes
    return out.getvalue()


def test_an_action_registered_at_run_time_is_recorded_shown_and_searchable(
    transactional_db, new_action, client_for
) -> None:
    event = record(None, new_action, "Case 12 shared with Galop", username="sam")
    assert AuditEvent.objects.get(pk=event.pk).action == "case.shared"
    assert event.get_action_display() == "Partnership case shared with another agency"
    assert chain.verify().intact
    auditor = client_for(Role.AUDITOR)
    page = auditor.get("/audit/", {"action": "case.shared"}).content.decode()
    assert '<option value="case.shared" selected>' in page
    assert "Partnership case shared with another agency" in page
    assert "Case 12 shared with Galop" in page
    assert no_migration_needed().strip() == "No changes detected"


def test_the_models_need_no_migration(db) -> None:
    assert no_migration_needed().strip() == "No changes detected"


def test_an_action_nobody_registered_is_refused_and_nothing_is_written(db) -> None:
    with pytest.raises(UnknownName, match="no audit action is named 'sign_inn'"):
        record(None, "sign_inn", "a typo", username="sam")
    with pytest.raises(UnknownName):
        record_as(cli_actor(), "case.shared", "not registered here")
    assert AuditEvent.objects.count() == 0


def test_an_old_entry_of_an_action_no_longer_registered_still_reads(db, new_action) -> None:
    event = record(None, new_action, "shared", username="sam")
    ACTIONS.remove(new_action)
    assert AuditEvent.objects.get(pk=event.pk).get_action_display() == "case.shared"
    register_action(new_action, "Partnership case shared with another agency")


def test_a_system_actor_records_outside_a_request_with_outcome_and_reason(
    transactional_db,
) -> None:
    event = record_as(
        job_actor("import", 7),
        Action.ACCESS_DENIED,
        "Refused to run import job 7",
        object_type="import_job",
        object_id=7,
        outcome="refused",
        reason="a borough user of Lambeth may not import extracts",
        submitted_by="bea",
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.actor_id, stored.actor_username, stored.actor_role) == (
        None,
        "job:import:7",
        SYSTEM_ROLE,
    )
    assert stored.ip_address is None and stored.object_id == "7"
    assert stored.details == {
        "submitted_by": "bea",
        "outcome": "refused",
        "reason": "a borough user of Lambeth may not import extracts",
    }
    assert cli_actor().startswith("cli:") and len(cli_actor()) > 4
    assert chain.verify().intact


def test_a_user_as_actor_outside_a_request_is_named_with_their_role(make_user) -> None:
    user = make_user(Role.FORCE_ANALYST, second_factor=False)
    event = record_as(user, Action.EXPORTED, "exported from a job", outcome="allowed")
    assert (event.actor_id, event.actor_username, event.actor_role) == (
        user.pk,
        user.username,
        Role.FORCE_ANALYST,
    )
    assert event.details == {"outcome": "allowed"}


def test_registering_a_name_again_with_another_meaning_is_refused(new_action) -> None:
    assert register_action(new_action, ACTIONS.get(new_action)) == new_action  # harmless
    with pytest.raises(ValueError, match="already registered, differently"):
        register_action(new_action, "Something else")
    with pytest.raises(ValueError, match="at most 40 characters"):
        register_action("x" * 41, "too long for the column")
