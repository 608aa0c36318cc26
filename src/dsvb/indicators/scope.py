"""Which indicators a query leaves out, and why: cuts that do not apply to an indicator's
source, and indicators of another family.

These are rules of the engine (a cut is a column of some sources only: ``reason`` is a
Victims' Code contact's, victim cuts are not cautioned offenders', suspect cuts not victims'),
so they live beside it; the CLI, the pages and any later caller say the same thing by asking
here. A query that would leave out every indicator asked for is refused
(:class:`NothingToCompute`); one that leaves out some gets notes naming them.
"""

from __future__ import annotations

from dsvb.indicators import definitions as defs
from dsvb.indicators.engine import IndicatorQuery
from dsvb.indicators.model import Indicator
from dsvb.indicators.sources import SOURCES

__all__ = ["NothingToCompute", "left_out", "other_families"]


class NothingToCompute(ValueError):
    """Every indicator asked for is left out by the query (its cuts or its families)."""


def other_families(query: IndicatorQuery, asked: list[Indicator]) -> list[str]:
    """Notes naming indicators asked for by id that none of the query's families has (the
    risk form is a domestic violence measure); :class:`NothingToCompute` when that is every
    one named."""
    if query.indicators is None:
        return []
    kept = {i.id for i in asked}
    other = [i for i in query.selected() if i.id not in kept]
    if not other:
        return []
    family = " or ".join(query.families)
    if not asked:
        raise NothingToCompute(
            "; ".join(
                f"{i.id} does not apply to the {family} family (it applies to: "
                f"{', '.join(i.families)})"
                for i in other
            )
        )
    ids = ", ".join(i.id for i in other)
    return [f"note: left out, as they do not apply to the {family} family: {ids}"]


def left_out(query: IndicatorQuery) -> list[str]:
    """Notes naming the indicators asked for that the query leaves out (another family, or a
    cut that does not apply to the source of their counts); :class:`NothingToCompute` when
    it leaves out every one."""
    asked = [i for i in query.selected() if any(i.applies_to(f) for f in query.families)]
    notes = other_families(query, asked)
    why_out: dict[str, str] = {}
    for indicator in asked:
        sources = dict.fromkeys(
            defs.COUNTS[c].source for c in (indicator.numerator, indicator.denominator) if c
        )
        reasons = []
        for source in sources:
            cuts = [c for c in query.by if c not in SOURCES[source].cuts]
            if cuts:
                reasons.append(f"{source} by {', '.join(cuts)}")
        if reasons:
            why_out[indicator.id] = "; ".join(reasons)
    groups: dict[str, list[str]] = {}
    for indicator_id, why in why_out.items():
        groups.setdefault(why, []).append(indicator_id)
    lines = [
        f"the cut does not apply to their source ({why}): {', '.join(ids)}"
        for why, ids in groups.items()
    ]
    if asked and len(why_out) == len(asked):
        raise NothingToCompute(
            f"every indicator asked for is left out under --by {','.join(query.by)}, as "
            + "; ".join(lines)
        )
    return notes + [f"note: left out, as {line}" for line in lines]
