"""`dsvb publish` audits as the command line (``cli:<user>``), outside any request; a refused
release is audited with its reason."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from dsvb.cli import main
from dsvb.reports.publication import ReleaseRefused
from dsvb.web.audit.models import Action, AuditEvent
from dsvb.web.audit.recorder import SYSTEM_ROLE, cli_actor
from dsvb.web.public import releases


def test_dsvb_publish_is_audited_as_the_command_line(demo_store, db, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["publish", "--store", str(demo_store), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output
    (event,) = AuditEvent.objects.filter(action=Action.RELEASE_PUBLISHED)
    assert (event.actor_id, event.actor_username, event.actor_role) == (
        None,
        cli_actor(),
        SYSTEM_ROLE,
    )
    assert event.details["published_by"].startswith("command line (")
    assert event.object_id == "1"


def test_a_refused_release_is_audited_with_its_reason(db) -> None:
    refused = ReleaseRefused("there are no figures for 12 months to November 2010")
    releases.audit_refusal(refused, actor=cli_actor(), dry_run=True)
    (event,) = AuditEvent.objects.filter(action=Action.RELEASE_REFUSED)
    assert event.actor_username == cli_actor() and event.actor_role == SYSTEM_ROLE
    assert event.summary == (
        "Refused to publish the next release: there are no figures for 12 months to November 2010"
    )
    assert event.details == {
        "disclosures": [],
        "dry_run": True,
        "outcome": "refused",
        "reason": "there are no figures for 12 months to November 2010",
    }
