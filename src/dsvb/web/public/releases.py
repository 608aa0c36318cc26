"""The register of statistical releases: what the public pages show, and publishing the next.

The rules (which period, which figures, disclosure control and its audit, the files) are
:mod:`dsvb.reports.publication`; this module keeps the releases in the application database
(never changed or deleted), makes the next one for the secretariat (web) or ``dsvb publish``
(command line), and records each in the audit log.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from dsvb.indicators.definitions import ALL_FAMILIES
from dsvb.indicators.engine import IndicatorQuery
from dsvb.indicators.model import Period
from dsvb.indicators.results import IndicatorResult
from dsvb.reports import publication
from dsvb.reports.publication import NextPeriod, Release, ReleaseRefused, Source
from dsvb.web.audit.models import Action
from dsvb.web.audit.recorder import record, record_as
from dsvb.web.public import policy as policy_service
from dsvb.web.public.models import Release as StoredRelease

RELEASE_PUBLISHED = Action.RELEASE_PUBLISHED
RELEASE_REFUSED = Action.RELEASE_REFUSED
_CACHE_SECONDS = 24 * 60 * 60


def numbers() -> list[int]:
    """Every release's number, latest first."""
    return list(StoredRelease.objects.order_by("-number").values_list("number", flat=True))


def get(number: int) -> Release | None:
    """One release (cached: a release never changes once made)."""
    key = f"dsvb:release:{number}"
    found = cache.get(key)
    if found is None:
        row = StoredRelease.objects.filter(number=number).only("content").first()
        if row is None:
            return None
        found = row.release
        cache.set(key, found, _CACHE_SECONDS)
    return found


def latest() -> Release | None:
    """The latest release, which the public pages show; None before the first."""
    first = next(iter(numbers()), None)
    return None if first is None else get(first)


def all_releases() -> list[Release]:
    """Every release, latest first."""
    return [r for r in (get(n) for n in numbers()) if r is not None]


def released_periods() -> list[Period]:
    return [
        Period(start, end)
        for start, end in StoredRelease.objects.values_list("period_start", "period_end")
    ]


def plan(source: Source) -> NextPeriod:
    """The period the next release would cover, or why there is none yet."""
    return publication.next_period(source.first_month, source.last_month, released_periods())


def prepare(source: Source, *, published_by: str) -> Release | None:
    """The next release, controlled and audited but not yet stored (None when no period is
    due). Raises :class:`ReleaseRefused` when it would give a small figure away."""
    upcoming = plan(source)
    if upcoming.period is None:
        return None
    released = released_periods()
    return publication.make_release(
        source.results(upcoming.period),
        upcoming.period,
        policy_service.current(),
        number=max(numbers(), default=0) + 1,
        released=released,
        first_month=source.first_month,
        store_version=source.version,
        published_at=timezone.now(),
        published_by=published_by,
    )


def keep(release: Release) -> StoredRelease:
    """Add a release to the register, whole, as it was made."""
    return StoredRelease.objects.create(
        number=release.number,
        period_start=release.period.start,
        period_end=release.period.end,
        policy_version=release.policy.version,
        published_at=release.published_at,
        published_by=release.published_by,
        content=release.to_data(),
    )


def publish(
    source: Source,
    *,
    published_by: str,
    request: HttpRequest | None = None,
    actor: str | None = None,
) -> Release | None:
    """Make and store the next release, audited once; None when no period is due.

    ``actor`` names who publishes outside a web request (``recorder.cli_actor()``): the
    entry is then made by :func:`record_as` under that name."""
    release = prepare(source, published_by=published_by)
    if release is None:
        return None

    def audit(action: str, summary: str, **details: object) -> None:
        if actor is not None:
            record_as(actor, action, summary, published_by=published_by, **details)
        else:
            record(request, action, summary, username=published_by, **details)

    try:
        with transaction.atomic():
            keep(release)
            audit(
                RELEASE_PUBLISHED,
                f"Published release {release.number}: {release.label}",
                object_type="release",
                object_id=release.number,
                period=[release.period.start.isoformat(), release.period.end.isoformat()],
                disclosure_policy_version=release.policy.version,
                suppressed_cells=release.table.suppressed_cells,
                cells=len(release.table.cells),
                store_version=release.store_version,
            )
    except IntegrityError as exc:
        raise ReleaseRefused(
            "another release was published at the same moment; look at the releases and try again"
        ) from exc
    return release


def audit_refusal(exc: ReleaseRefused, *, actor: str, dry_run: bool = False) -> None:
    """Record a release refused by its disclosure audit, with the reason, outside a request
    (``dsvb publish``: the command line is the actor)."""
    record_as(
        actor,
        RELEASE_REFUSED,
        f"Refused to publish the next release: {exc}",
        object_type="release",
        outcome="refused",
        reason=str(exc),
        disclosures=[d.describe() for d in exc.disclosures],
        dry_run=dry_run,
    )


# --- sources --------------------------------------------------------------------------------


def web_source() -> Source:
    """The figures the pages use (the shared results cache over the configured store)."""
    from dsvb.web.performance import data

    current = data.state(fresh=True)

    def results(period: Period) -> list[IndicatorResult]:
        query = IndicatorQuery(ALL_FAMILIES, period.start, period.end, by=("area",))
        return data.results(query, current)

    return Source(current.first_month, current.last_month, current.token, results)
