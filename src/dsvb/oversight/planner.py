"""The review planner: which boroughs the board should invite to its coming meetings, and why.

The board reviews every borough once per cycle (32 boroughs, two a meeting, six meetings a
year: about three years; DOMAIN.md, "The board's cycle"). Which borough comes next weighs two
things: how long since it was last reviewed, and what the data say about it now. The planner
proposes an order; the secretariat accepts or changes it (the web app stores that).

The order, in three tiers, each by score (highest first), ties by name:

1. boroughs never reviewed;
2. boroughs reviewed before the current cycle began (so not yet in this cycle);
3. boroughs already reviewed in this cycle -- only after every other borough.

The score is ``months since the last review + CONCERN_WEIGHT x concerns``: whole months up to
the first coming meeting (for a borough never reviewed, since the cycle began), and one
concern for each indicator outside the funnel's 99.8% limits, each significant change for the
worse, each missed target, and each follow-up request the findings rules draft
(:func:`concerns_from`). With the weight at 6, one concern brings a borough forward as far as
six more months of waiting would. Every proposal carries its reasons in words, so the
secretariat can see why a borough is where it is and disagree with it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from dsvb import reference
from dsvb.indicators import formatting
from dsvb.indicators.assessment import Assessment, indicator_info
from dsvb.oversight.findings import Findings

__all__ = [
    "CONCERN_KINDS",
    "CONCERN_WEIGHT",
    "SLOTS_PER_MEETING",
    "Concern",
    "Coverage",
    "Meeting",
    "Plan",
    "Proposal",
    "Review",
    "concerns_from",
    "coverage",
    "months_between",
    "propose",
]

CONCERN_WEIGHT = 6.0  # months of waiting one concern in the data is worth
SLOTS_PER_MEETING = 2  # boroughs invited to a meeting (DOMAIN.md)
#: kind -> how a group of them reads in a reason ("2 indicators outside the 99.8% limits")
CONCERN_KINDS = {
    "outlier": ("indicator outside the 99.8% limits", "indicators outside the 99.8% limits"),
    "worse": ("significant change for the worse", "significant changes for the worse"),
    "missed_target": ("target missed", "targets missed"),
    "follow_up": ("follow-up request drafted from the data", "follow-up requests drafted"),
}


@dataclass(frozen=True)
class Review:
    """A borough's past review: the meeting it presented at."""

    area_code: str
    meeting: dt.date


@dataclass(frozen=True)
class Meeting:
    """A coming meeting and how many boroughs it can take."""

    date: dt.date
    slots: int = SLOTS_PER_MEETING


@dataclass(frozen=True)
class Concern:
    """One thing in the data about a borough the board may want to ask about."""

    area_code: str
    kind: str  # outlier | worse | missed_target | follow_up
    what: str  # 'caution share, above' / the rule id: the detail a reason lists


@dataclass(frozen=True)
class Proposal:
    """A borough proposed for a meeting (or, in :attr:`Plan.order`, its place in the queue)."""

    meeting_date: dt.date | None
    area_code: str
    area_name: str
    score: float
    reasons: tuple[str, ...]
    tier: int  # 1 never reviewed, 2 not yet this cycle, 3 already this cycle


@dataclass(frozen=True)
class Coverage:
    """The current cycle: who has been reviewed in it (with when) and who has not."""

    cycle_start: dt.date
    reviewed: tuple[tuple[str, str, dt.date], ...]  # code, name, latest review in the cycle
    not_yet: tuple[tuple[str, str], ...]  # code, name: by name

    @property
    def complete(self) -> bool:
        return not self.not_yet

    def describe(self) -> str:
        total = len(self.reviewed) + len(self.not_yet)
        return (
            f"{len(self.reviewed)} of {total} boroughs reviewed since the cycle began on "
            f"{self.cycle_start:%-d %B %Y}; {len(self.not_yet)} not yet"
        )


@dataclass(frozen=True)
class Plan:
    """The proposal: a borough for each slot of the coming meetings, in meeting order, and
    the whole queue (``order``) so the secretariat sees who would come next."""

    coverage: Coverage
    slots: tuple[Proposal, ...]
    order: tuple[Proposal, ...]
    weight: float


def months_between(earlier: dt.date, later: dt.date) -> int:
    """Whole months from ``earlier`` to ``later`` (0 when later is not later)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    if later.day < earlier.day:
        months -= 1
    return max(0, months)


def concerns_from(
    assessment: Assessment, findings: Iterable[Findings] = ()
) -> dict[str, tuple[Concern, ...]]:
    """The concerns in an assessment, per borough: each indicator outside the 99.8% funnel
    limits, each significant change for the worse, each missed target; and each follow-up
    request in ``findings`` (the findings rules' drafts)."""
    out: dict[str, list[Concern]] = defaultdict(list)
    for assessed in assessment.indicators:
        label = assessed.info.label.lower()
        for figure in assessed.areas:
            code = figure.area_code
            if figure.flag in ("above_998", "below_998"):
                side = "above" if figure.flag == "above_998" else "below"
                out[code].append(Concern(code, "outlier", f"{label}, {side}"))
            if figure.assessment == "worse":
                out[code].append(Concern(code, "worse", label))
            if figure.target_met is False and assessed.target is not None:
                value = formatting.value(figure.value, assessed.info.kind)
                target = formatting.value(assessed.target.value, assessed.info.kind)
                out[code].append(
                    Concern(code, "missed_target", f"{label} {value} against {target}")
                )
    for drafted in findings:
        for finding in drafted.follow_ups:
            what = ", ".join(
                f"{b.label.lower()} {formatting.value(b.figure.value, _kind_of(b.indicator))}"
                for b in finding.figures
            )
            out[finding.area_code].append(Concern(finding.area_code, "follow_up", what))
    return {code: tuple(items) for code, items in out.items()}


def _kind_of(indicator: str) -> str:
    return indicator_info(indicator).kind


def _concern_reasons(concerns: Sequence[Concern]) -> list[str]:
    reasons = []
    for kind, (one, many) in CONCERN_KINDS.items():
        items = [c.what for c in concerns if c.kind == kind]
        if items:
            noun = one if len(items) == 1 else many
            reasons.append(f"{len(items)} {noun}: {'; '.join(items)}")
    return reasons


def propose(
    boroughs: Mapping[str, str] | None,
    reviews: Iterable[Review],
    cycle_start: dt.date,
    meetings: Sequence[Meeting],
    concerns: Mapping[str, Sequence[Concern]] | None = None,
    *,
    weight: float = CONCERN_WEIGHT,
) -> Plan:
    """The proposed order of boroughs for ``meetings`` (see the module's docstring).

    ``boroughs`` is code -> name (the force's boroughs by default). Months are counted to the
    first coming meeting. Raises ValueError for a review of an unknown borough, a review on
    or after the first coming meeting, meetings out of order or on one date, or a negative
    weight or slot count."""
    names = dict(reference.boroughs() if boroughs is None else boroughs)
    concerns = concerns or {}
    if weight < 0:
        raise ValueError(f"the weight of a concern must not be negative (it is {weight})")
    dates = [m.date for m in meetings]
    if dates != sorted(set(dates)):
        raise ValueError("the coming meetings must be in date order, one per date")
    for m in meetings:
        if m.slots < 0:
            raise ValueError(f"the meeting on {m.date} has {m.slots} slots")
    as_of = dates[0] if dates else cycle_start
    last: dict[str, dt.date] = {}
    for review in reviews:
        if review.area_code not in names:
            raise ValueError(f"a review of {review.area_code!r}, which is not a borough here")
        if dates and review.meeting >= as_of:
            raise ValueError(
                f"a review of {names[review.area_code]} on {review.meeting} is not before the "
                f"first coming meeting ({as_of})"
            )
        if review.area_code not in last or review.meeting > last[review.area_code]:
            last[review.area_code] = review.meeting
    unknown = sorted(set(concerns) - set(names))
    if unknown:
        raise ValueError(f"concerns about {', '.join(unknown)}, which are not boroughs here")

    queue = []
    for code, name in names.items():
        found = tuple(concerns.get(code, ()))
        reviewed = last.get(code)
        if reviewed is None:
            months = months_between(cycle_start, as_of)
            tier = 1
            reasons = [f"never reviewed (the cycle began {months} months ago)"]
        else:
            months = months_between(reviewed, as_of)
            tier = 3 if reviewed >= cycle_start else 2
            since = f"{reviewed:%B %Y} ({months} months)"
            if tier == 3:
                reasons = [f"already reviewed in this cycle, in {since}"]
            else:
                reasons = [f"not reviewed since {since}"]
        reasons.extend(_concern_reasons(found))
        if not found:
            reasons.append("no concerns in the data")
        score = months + weight * len(found)
        queue.append(Proposal(None, code, name, score, tuple(reasons), tier))
    queue.sort(key=lambda p: (p.tier, -p.score, p.area_name, p.area_code))

    slots = []
    waiting = iter(queue)
    for meeting in meetings:
        for _ in range(meeting.slots):
            proposal = next(waiting, None)
            if proposal is None:
                break
            slots.append(
                Proposal(
                    meeting.date,
                    proposal.area_code,
                    proposal.area_name,
                    proposal.score,
                    proposal.reasons,
                    proposal.tier,
                )
            )
    return Plan(coverage(names, last, cycle_start), tuple(slots), tuple(queue), weight)


def coverage(
    boroughs: Mapping[str, str], last: Mapping[str, dt.date], cycle_start: dt.date
) -> Coverage:
    """Who has been reviewed since ``cycle_start`` (from each borough's latest review,
    ``last``) and who has not: the one judgement of the cycle's coverage, for the planner,
    its page and the cycle's home page."""
    in_cycle = {c: d for c, d in last.items() if d >= cycle_start and c in boroughs}
    return Coverage(
        cycle_start,
        tuple(
            (c, boroughs[c], in_cycle[c])
            for c in sorted(in_cycle, key=lambda c: (in_cycle[c], boroughs[c]))
        ),
        tuple((c, n) for c, n in sorted(boroughs.items(), key=lambda i: i[1]) if c not in in_cycle),
    )
