"""The board's recommendations to the force: numbered per year, owned, updated, tracked.

The annual report makes recommendations ("2010/3": the third of 2010) and the next year's
report prints last year's with their progress (the 2010 report's "Update on recommendations
from annual report 09-10", each with "Ongoing"). A recommendation is a frozen value; every
change of status is an :class:`Update` (dated, with the force's words), and
:meth:`Recommendation.with_update` returns a new recommendation, so the history is kept and
a status can only move as the rules below allow:

- updates are in date order (one dated before the last is refused: it would rewrite what
  the last report said);
- a status moves only as :mod:`dsvb.oversight.states` allows (the one list of moves, which the
  web app uses too): a complete recommendation goes back only to ongoing, and only *reopened*
  with a reason (``reopened_because``), so a report never shows "complete" one year and
  "ongoing" the next without saying why. An update may keep the status (news, no move).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from dsvb.oversight.states import InvalidMove, RecommendationStatus, move

__all__ = [
    "Progress",
    "Recommendation",
    "RecommendationError",
    "Status",
    "Update",
    "number_next",
    "parse_reference",
    "progress",
    "status_label",
]


Status = RecommendationStatus  # one definition, with its moves: dsvb.oversight.states


def status_label(status: Status) -> str:
    """ "Ongoing", as the report prints a status."""
    return status.value.capitalize()


class RecommendationError(InvalidMove):
    """A change a recommendation's history does not allow (or a malformed reference)."""


@dataclass(frozen=True)
class Update:
    """What the force reported on a date, and the status it leaves the recommendation in.
    ``reopened_because`` is required when a complete recommendation goes back to open or
    ongoing."""

    on: dt.date
    text: str
    status: Status
    reopened_because: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", Status(self.status))
        if not self.text.strip():
            raise RecommendationError(f"the update of {self.on:%-d %B %Y} says nothing")


@dataclass(frozen=True)
class Recommendation:
    """One recommendation: ``year`` and ``number`` make its reference ("2010/3")."""

    year: int
    number: int
    text: str
    owner: str
    status: Status = Status.OPEN
    updates: tuple[Update, ...] = ()
    theme: str = ""  # the finding theme it comes from (annual_report.THEMES), if any

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", Status(self.status))
        if self.number < 1:
            raise RecommendationError(f"recommendation numbers start at 1, not {self.number}")
        if not self.text.strip():
            raise RecommendationError(f"recommendation {self.year}/{self.number} has no text")
        if not self.owner.strip():
            raise RecommendationError(f"recommendation {self.reference} has no owner")

    @property
    def reference(self) -> str:
        return f"{self.year}/{self.number}"

    @property
    def last_update(self) -> Update | None:
        return self.updates[-1] if self.updates else None

    def with_update(self, update: Update) -> Recommendation:
        """The recommendation after ``update``: its status becomes the update's.

        Refused when the update is dated before the last one, or when it moves a complete
        recommendation back without saying why it is reopened."""
        last = self.last_update
        if last is not None and update.on < last.on:
            raise RecommendationError(
                f"recommendation {self.reference}: an update of {update.on:%-d %B %Y} is "
                f"dated before the last one ({last.on:%-d %B %Y})"
            )
        if update.status is not self.status:
            try:
                move(self.status, update.status, reason=update.reopened_because)
            except InvalidMove as exc:
                raise RecommendationError(f"recommendation {self.reference}: {exc}") from exc
        return replace(self, status=update.status, updates=(*self.updates, update))


_REFERENCE = re.compile(r"\s*(\d{4})\s*/\s*(\d+)\s*")


def parse_reference(text: str) -> tuple[int, int]:
    """``"2010/3"`` → ``(2010, 3)``."""
    match = _REFERENCE.fullmatch(text)
    if not match:
        raise RecommendationError(f"{text!r} is not a recommendation reference (year/number)")
    return int(match[1]), int(match[2])


def number_next(existing: Iterable[Recommendation], year: int) -> int:
    """The number the next recommendation of ``year`` takes: one more than the highest of
    that year (numbering starts again each year; a gap left by a withdrawn one is kept, so
    a number is never given to two recommendations)."""
    return max((r.number for r in existing if r.year == year), default=0) + 1


@dataclass(frozen=True)
class Progress:
    """A previous year's recommendation as this year's report shows it: its latest status,
    and its updates up to the report's date."""

    recommendation: Recommendation
    status: Status
    updates: tuple[Update, ...]


def progress(
    recommendations: Sequence[Recommendation], year: int, *, as_of: dt.date | None = None
) -> list[Progress]:
    """Last year's recommendations (those of ``year - 1``), in number order, with their
    status and updates as they stood on ``as_of`` (the report's date; every update when
    None)."""
    out = []
    for rec in sorted((r for r in recommendations if r.year == year - 1), key=lambda r: r.number):
        updates = tuple(u for u in rec.updates if as_of is None or u.on <= as_of)
        if len(updates) == len(rec.updates):
            status = rec.status
        else:  # as it stood then: the last update by that date (open before the first)
            status = updates[-1].status if updates else Status.OPEN
        out.append(Progress(rec, status, updates))
    return out
