"""Indicator results for the web pages: computed from the analytical store, cached.

Pages never query DuckDB directly. They ask :func:`results` for an
:class:`IndicatorQuery`; the answer is cached in the transactional database, keyed by the
query and the store's *version* (the latest import), so every web worker shares it and an
import makes every older answer stale at once. The store is opened read-only and briefly.
Imports never write the store file itself: they write a copy and rename it over the store
(``dsvb.store.writer``), so a page never waits for an import and always reads the last good
store, however long the import takes. Only a store left with a journal by an older dsvb is
ever opened for writing in place (briefly, to apply the journal); a page then waits at most
:data:`LOCK_WAIT_SECONDS` before answering "busy".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import ibis
from django.conf import settings
from django.core.cache import cache

from dsvb import store
from dsvb.indicators.engine import IndicatorQuery, compute
from dsvb.indicators.model import RECORDED
from dsvb.indicators.periods import ReportingPeriod, choose, reporting_periods
from dsvb.indicators.results import IndicatorResult
from dsvb.indicators.sources import months_held_sql
from dsvb.web.performance.models import ComputedResult

log = logging.getLogger(__name__)

VERSION_CACHE_SECONDS = 5
LOCK_WAIT_SECONDS = 2


class StoreBusy(Exception):
    """The store is being written (an import is running); try again shortly."""


class StoreUnreadable(Exception):
    """The file at DSVB_STORE is not a dsvb store: a fault of configuration, not of the
    data, for the service team (logged) to put right; it is never written to."""


@dataclass(frozen=True)
class StoreState:
    version: int  # latest import id; 0 for an empty or missing store
    first_month: dt.date | None
    last_month: dt.date | None  # first day of the last month with data
    # what cache keys use: the latest import's id and content hash, so a store rebuilt
    # from scratch to the same import id with other data never meets the old entries
    token: str = "0"

    @property
    def has_data(self) -> bool:
        return self.first_month is not None


def store_path() -> Path:
    return Path(settings.DSVB_STORE)


def _connect_read_only() -> duckdb.DuckDBPyConnection | None:
    """Open the store read-only (waiting briefly in the one case where a writer holds it)."""
    path = store_path()
    if not path.exists():
        return None
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        try:
            return store.connect(path, read_only=True)
        except store.NotAStoreError as exc:
            log.error("DSVB_STORE cannot be read: %s", exc)
            raise StoreUnreadable(str(exc)) from exc
        except (duckdb.IOException, duckdb.ConnectionException) as exc:
            # another process holds the write lock (IOException), or this process has the
            # store open for writing (ConnectionException: "different configuration")
            text = str(exc).lower()
            busy = "lock" in text or "different configuration" in text
            if not busy or time.monotonic() > deadline:
                raise StoreBusy(str(exc)) from exc
            time.sleep(0.2)


@contextmanager
def read_only() -> Iterator[duckdb.DuckDBPyConnection | None]:
    """The store opened read-only for one piece of work, closed after it (None: no store
    file). Raises :class:`StoreBusy` or :class:`StoreUnreadable` as every page's reads do."""
    con = _connect_read_only()
    try:
        yield con
    finally:
        if con is not None:
            con.close()


def state(*, fresh: bool = False) -> StoreState:
    """The store's version and the months it covers (cached for a few seconds)."""
    if not fresh:
        cached = cache.get("dsvb:store-state")
        if cached is not None:
            return cached
    con = _connect_read_only()
    if con is None:
        result = StoreState(0, None, None)
    else:
        try:
            latest = con.execute(
                "SELECT import_id, content_hash FROM import_log WHERE status = 'imported' "
                "ORDER BY import_id DESC LIMIT 1"
            ).fetchone()
            version, content_hash = latest or (0, "")
            # the months the indicators compute on: records outside the plausible range
            # (stored by an older dsvb) are left out, as they are from every figure
            first, last = con.execute(months_held_sql()).fetchone()
        finally:
            con.close()
        result = StoreState(version, first, last, f"{version}-{content_hash[:16]}")
    cache.set("dsvb:store-state", result, VERSION_CACHE_SECONDS)
    return result


def forget_state() -> None:
    """Call after an import so the next page sees the new version at once."""
    cache.delete("dsvb:store-state")


# --- periods ------------------------------------------------------------------------------------


def period_choices(current: StoreState | None = None) -> list[ReportingPeriod]:
    """The reporting periods the store's months offer (:func:`periods.reporting_periods`)."""
    current = current or state()
    return list(reporting_periods(current.first_month, current.last_month))


def choose_period(key: str | None, current: StoreState | None = None) -> ReportingPeriod | None:
    """The period for a key from a URL; the latest 12 months when the key is unknown."""
    return choose(key, tuple(period_choices(current)))


# --- results ------------------------------------------------------------------------------------


def _key(query: IndicatorQuery, token: str) -> str:
    text = json.dumps(
        {
            "store": str(store_path()),
            "v": token,
            "families": query.families,
            "start": query.start.isoformat() if query.start else None,
            "end": query.end.isoformat() if query.end else None,
            "by": query.by,
            "window": query.window_months,
            "indicators": query.indicators,
            "people": query.people,
        },
        sort_keys=True,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _to_json(rows: list[IndicatorResult]) -> list[list]:
    return [
        [
            r.area_code,
            r.area_name,
            r.family,
            r.indicator,
            r.numerator,
            r.denominator,
            r.is_rate,
            [list(c) for c in r.cuts],
        ]
        for r in rows
    ]


def _from_json(data: list[list]) -> list[IndicatorResult]:
    return [
        IndicatorResult(a, n, f, i, num, den, rate, cuts=tuple(tuple(c) for c in cuts))
        for a, n, f, i, num, den, rate, cuts in data
    ]


def results(query: IndicatorQuery, current: StoreState | None = None) -> list[IndicatorResult]:
    """The query's results from the cache, computing and caching them when missing.

    Counts by recorded person only: the cache's version token follows imports, not link
    runs or splits, so figures by linked person kept here would go stale unseen. The
    pages that show them (the linkage summary) compute them from the store each time."""
    if query.people != RECORDED:
        raise ValueError(
            f"the results cache holds figures by recorded person only (asked: {query.people}); "
            "compute figures by linked person from the store (dsvb.indicators.linked)"
        )
    current = current or state()
    if not current.has_data:
        return []
    key = _key(query, current.token)
    hit = cache.get(f"dsvb:results:{key}")
    if hit is not None:
        return hit
    row = ComputedResult.objects.filter(key=key).only("payload").first()
    if row is not None:
        rows = _from_json(row.payload)
    else:
        con = _connect_read_only()
        if con is None:
            return []
        try:
            rows = compute(ibis.duckdb.from_connection(con), query)
        finally:
            con.close()
        ComputedResult.objects.update_or_create(
            key=key,
            defaults={"store_version": current.version, "payload": _to_json(rows)},
        )
    cache.set(f"dsvb:results:{key}", rows, 600)
    return rows


def warm(current: StoreState | None = None) -> int:
    """Compute the results the main pages need for the latest periods; returns how many."""
    from dsvb.indicators.assessment import queries

    current = current or state(fresh=True)
    choices = period_choices(current)
    if not choices:
        return 0
    latest_12 = [c for c in choices if c.key.startswith("12m-")][:1]
    latest_3 = [c for c in choices if c.key.startswith("3m-")][:1]
    n = 0
    for choice in latest_12 + latest_3:
        # the previous period too, held or not (as before: a page asks for it only when held)
        for query in queries(choice, has_previous=True):
            results(query, current)
            n += 1
    ComputedResult.objects.exclude(store_version=current.version).delete()
    return n
