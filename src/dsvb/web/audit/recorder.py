"""Writing audit entries. Every audited action calls :func:`record` (in a web request) or
:func:`record_as` (anywhere: the CLI, background jobs) exactly once.

A view wrapped in :func:`dsvb.web.audit.pageview.audited_view` makes one entry per view: the
entry the view records itself (an export, a search of the log), or else a page view. Either
way the entry carries the page's path and the objects it showed (area, indicator, family,
period), which the view names with :func:`dsvb.web.audit.pageview.viewed`.
"""

from __future__ import annotations

import getpass
import ipaddress
import threading
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.http import HttpRequest
from django.utils import timezone

from dsvb.web.audit import chain
from dsvb.web.audit.models import ACTIONS, Action, AuditEvent

# SQLite lets one connection write at a time, and a writer that finds the database locked
# sleeps in steps of 1, 2, 5, 10 ms and more before trying again: under load, threads of one
# worker colliding over audit entries would wait far longer than the write takes. They queue
# on this lock instead (woken at once); workers still meet at SQLite's own lock.
_SQLITE_WRITER = threading.Lock()

# the request attribute that holds the page an audited view is showing (see pageview.py)
PAGE_VIEW_ATTRIBUTE = "dsvb_page_view"


def client_address(request: HttpRequest | None) -> str | None:
    """The address of the person's machine, as the audit log and the sign-in lock-out see it.

    Behind ``DSVB_PROXY_COUNT`` trusted reverse proxies (each appending the address it was
    reached from to ``X-Forwarded-For``) it is the entry that many from the right: entries
    further left are whatever the client sent, so they are never believed. Without proxies,
    the connection's own address.
    """
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = getattr(settings, "DSVB_PROXY_COUNT", 0)
    if not proxies:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < proxies:
        return remote  # not through all the proxies: keep the address we can vouch for
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def record(
    request: HttpRequest | None,
    action: Action | str,
    summary: str,
    *,
    user: Any = None,
    username: str | None = None,
    object_type: str = "",
    object_id: str | int = "",
    **details: Any,
) -> AuditEvent:
    """Append one entry: who (the request's user unless given), when, what, from where.

    ``action`` must be a registered audit action (``models.ACTIONS``): a name nobody
    registered is refused (``UnknownName``), so a typo never lands in the log."""
    ACTIONS.get(str(action))
    if user is None and request is not None:
        user = getattr(request, "user", None)
    signed_in = user is not None and getattr(user, "is_authenticated", False)
    agent = request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""
    page = getattr(request, PAGE_VIEW_ATTRIBUTE, None)
    if page is not None:  # inside an audited view: name its page and objects, once
        details = {**page.objects, "path": page.path, **details}
        page.recorded = True
    return _insert(
        actor_id=user.pk if signed_in else None,
        actor_username=(user.get_username() if signed_in else (username or ""))[:150],
        actor_role=getattr(user, "role", "") if signed_in else "",
        ip_address=chain.normal_address(client_address(request)),
        user_agent=agent,
        action=str(action),
        object_type=object_type,
        object_id=str(object_id),
        summary=summary[:500],
        details=chain.normal_details(details),
    )


SYSTEM_ROLE = "system"  # the actor_role of entries made by a named system actor


def cli_actor() -> str:
    """The command line, as an actor: ``cli:<the operating-system user>``."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"cli:{user}"


def job_actor(kind: str, job_id: str | int) -> str:
    """A background job, as an actor: ``job:<kind>:<id>``."""
    return f"job:{kind}:{job_id}"


def record_as(
    actor: Any,
    action: Action | str,
    summary: str,
    *,
    object_type: str = "",
    object_id: str | int = "",
    outcome: str = "",
    reason: str = "",
    **details: Any,
) -> AuditEvent:
    """Append one entry outside a web request (the CLI, a background job, a management
    command): ``actor`` is a user, or a named system actor (:func:`cli_actor`,
    :func:`job_actor`). ``outcome`` ("allowed", "refused", "failed") and ``reason`` (a
    refusal's, in words) go into the details when given."""
    extra = {k: v for k, v in (("outcome", outcome), ("reason", reason)) if v}
    if isinstance(actor, str):
        ACTIONS.get(str(action))
        return _insert(
            actor_id=None,
            actor_username=actor[:150],
            actor_role=SYSTEM_ROLE,
            ip_address=None,
            user_agent="",
            action=str(action),
            object_type=object_type,
            object_id=str(object_id),
            summary=summary[:500],
            details=chain.normal_details({**details, **extra}),
        )
    return record(
        None,
        action,
        summary,
        user=actor,
        object_type=object_type,
        object_id=object_id,
        **details,
        **extra,
    )


def _insert(**fields: Any) -> AuditEvent:
    connection = connections[AuditEvent.objects.db]
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        # (inside a transaction the connection may already hold SQLite's lock: no queueing)
        with _SQLITE_WRITER:
            return _append(connection, fields)
    return _append(connection, fields)


def _append(connection: Any, fields: dict[str, Any]) -> AuditEvent:
    """Chain the entry to the newest one, in one transaction that nobody else can chain in.

    SQLite: the transaction begins IMMEDIATE (settings), taking the database's write lock
    before the newest entry is read. PostgreSQL: a transaction-scoped advisory lock, which
    every writer of the log takes first. The witness line is written once the entry commits.
    """
    with transaction.atomic(using=connection.alias):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [chain.ADVISORY_LOCK])
            cursor.execute(
                "SELECT seq, digest FROM audit_auditevent WHERE seq IS NOT NULL "
                "ORDER BY seq DESC LIMIT 1"
            )
            head = cursor.fetchone()
        seq, previous = (head[0] + 1, head[1]) if head else (1, chain.GENESIS)
        at = timezone.now()
        entry_digest = chain.digest({**fields, "seq": seq, "at": at}, previous)
        event = AuditEvent(**fields, at=at, seq=seq, prev_digest=previous, digest=entry_digest)
        event.save()
        # robust: the entry and the caller's work are committed; a witness that cannot be
        # written (disk full, permissions) is logged, and verify reports the gap
        transaction.on_commit(
            lambda: chain.witness_append(seq, entry_digest), using=connection.alias, robust=True
        )
    return event
