"""Prepare the pages when the data change, so that no page's first view does the work.

The import job, ``dsvb demo`` and ``dsvb serve`` (at start, after emptying the cache) call
:func:`prepare`: it computes the engine's results the pages read (:func:`data.warm`), the
assessment of every family for the latest 12 months and the latest quarter, and renders the
overview (default indicator and order) and every borough's scorecard for each, both as the
board sees them (with the menu of boroughs) and as a borough user does. Charts are kept by
their own cache. Other choices (an older period, another indicator or order) are computed on
their first view and kept from then on (docs/benchmarks.md has the timings).
"""

from __future__ import annotations

from collections.abc import Callable

from dsvb.indicators.definitions import FAMILIES
from dsvb.web.performance import data, figures, views


def _quiet(message: str) -> None:
    return None


def latest_periods(current: data.StoreState) -> list:
    """The periods the menus open on: the latest 12 months and the latest quarter."""
    choices = figures.period_choices(current)
    return [c for c in choices if c.key.startswith("12m-")][:1] + [
        c for c in choices if c.key.startswith("3m-")
    ][:1]


def prepare(say: Callable[[str], None] = _quiet, *, scorecards: bool = True) -> int:
    """Compute and cache what the pages' first views need; returns the pages prepared."""
    data.forget_state()
    current = data.state(fresh=True)
    if not current.has_data:
        return 0
    data.warm(current)
    prepared = 0
    for family in FAMILIES:
        for choice in latest_periods(current):
            sel = figures.Selection(current, family, choice)
            figures.assessment(sel)
            views.overview_fragment(sel, views.default_indicator(sel))
            prepared += 1
            if not scorecards:
                continue
            for code in figures.borough_names():
                for choose_area in (True, False):
                    views.scorecard_fragment(sel, code, choose_area)
                prepared += 1
        say(f"Prepared the {FAMILIES[family].label.lower()} pages")
    # the equality page's analysis (tens of seconds on a large store) for the choice it
    # opens on: the default family, latest 12 months; other choices are computed on view
    from dsvb.web.performance import equality

    opening = latest_periods(current)[:1]
    for choice in opening:
        equality.analysis(figures.Selection(current, figures.DEFAULT_FAMILY, choice))
        say(f"Prepared the equality analysis ({FAMILIES[figures.DEFAULT_FAMILY].label.lower()})")
    return prepared
