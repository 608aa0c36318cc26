"""The pages' selection (family and period) and its assessment, cached per store version.

The analysis is :mod:`dsvb.indicators.assessment` (plain Python, typed); this module only
chooses what a page asks for and keeps the answer: the engine's results come from
:func:`dsvb.web.performance.data.results` (the same queries the import job warms), and the
:class:`~dsvb.indicators.assessment.Assessment` of a family and period is kept in the Django
cache under a key carrying the store version, so an import makes it stale at once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache

from django.core.cache import cache

from dsvb import reference
from dsvb.indicators import assessment as assessment_mod
from dsvb.indicators.assessment import Assessment
from dsvb.indicators.definitions import FAMILIES
from dsvb.indicators.model import Period
from dsvb.indicators.periods import ReportingPeriod, reporting_periods
from dsvb.web.performance import data

CACHE_SECONDS = 6 * 60 * 60
CACHE_VERSION = 7  # part of the key: change it when the assessment's objects change
FAMILY_CHOICES = [(f.id, f.label) for f in FAMILIES.values()]
DEFAULT_FAMILY = "dv"


def borough_names() -> dict[str, str]:
    """The areas pages compare (the boroughs of the force), code -> name, by name."""
    return reference.boroughs()


@dataclass(frozen=True)
class Selection:
    """What a page shows: the store's state, a family and a reporting period."""

    current: data.StoreState
    family: str
    choice: ReportingPeriod

    @property
    def period(self) -> Period:
        return self.choice.period

    @property
    def previous(self) -> Period:
        return self.choice.previous

    @property
    def has_previous(self) -> bool:
        """The previous period lies wholly within the months the store holds."""
        return self.choice.has_previous(self.current.first_month)

    @property
    def family_label(self) -> str:
        return FAMILIES[self.family].label

    @property
    def previous_label(self) -> str:
        return self.choice.previous_label

    @property
    def key(self) -> str:
        return f"{self.current.token}:{self.family}:{self.choice.key}"


@lru_cache(maxsize=16)
def period_choices(current: data.StoreState) -> tuple[ReportingPeriod, ...]:
    """The periods to choose from, once per store state."""
    return reporting_periods(current.first_month, current.last_month)


def select(family: str | None, period_key: str | None) -> Selection | None:
    """The family and period asked for (defaults for unknown values); None without data."""
    current = data.state()
    choices = period_choices(current)
    if not choices:
        return None
    choice = next((c for c in choices if c.key == period_key), choices[0])
    if family not in FAMILIES:
        family = DEFAULT_FAMILY
    return Selection(current, family, choice)


def _cache_key(sel: Selection) -> str:
    return f"dsvb:perf:v{CACHE_VERSION}:{sel.key}:assessment"


_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _building_lock(key: str) -> threading.Lock:
    with _locks_guard:
        if len(_locks) > 256:
            _locks.clear()
        return _locks.setdefault(key, threading.Lock())


_RECENT_SIZE = 8  # assessments kept in this process, unpickled (a family at London scale)
_recent: OrderedDict[str, Assessment] = OrderedDict()


def _remember(key: str, value: Assessment) -> Assessment:
    with _locks_guard:
        _recent[key] = value
        _recent.move_to_end(key)
        while len(_recent) > _RECENT_SIZE:
            _recent.popitem(last=False)
    return value


def assessment(sel: Selection) -> Assessment:
    """The assessment of the selection's family and period (cached per store version: in
    the shared cache, and the latest few in this process, so a page that reads it more
    than once, or the next page of the same family, does not unpickle it again)."""
    key = _cache_key(sel)
    recent = _recent.get(key)
    if recent is not None:
        return recent
    hit = cache.get(key)
    if hit is not None:
        return _remember(key, hit)
    with _building_lock(key):  # threads of a worker wait for one derivation, not repeat it
        hit = cache.get(key)
        if hit is not None:
            return _remember(key, hit)
        built = build(sel)
        cache.set(key, built, CACHE_SECONDS)
        return _remember(key, built)


def build(sel: Selection) -> Assessment:
    """Assess the selection from the cached engine results (no page cache read or written)."""
    by_area, previous, by_month = assessment_mod.queries(sel.choice, sel.has_previous)
    return assessment_mod.assess(
        sel.family,
        sel.choice,
        sel.current.first_month,
        by_area=data.results(by_area, sel.current),
        previous=data.results(previous, sel.current) if previous is not None else None,
        by_month=data.results(by_month, sel.current),
        areas=borough_names(),
    )
