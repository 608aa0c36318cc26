"""The inputs the secretariat writes: findings by theme, success factors, borough outcomes.

:class:`AnnualReportInputs` is everything the report is made from, the figures with the
secretariat's own texts, which are printed as given; it checks the findings' themes when
made. Separate because the web app builds these inputs and needs only this contract, not the
report's layout.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from dsvb.oversight import themes
from dsvb.oversight.annual_report.figures import Figures
from dsvb.oversight.recommendations import Recommendation
from dsvb.reports.disclosure import Policy

#: The themes of the board's findings, in the report's order (one list: :mod:`themes`).
THEMES = themes.THEMES


@dataclass(frozen=True)
class Outcome:
    """One agreed finding as the board's letter worded it (``text``, which may carry the
    borough's exact counts: "60.4% (638 of 1,056)") and as a published report may word it
    (``public_text``: no figure, e.g. the finding's theme). The published report prints only
    ``public_text``: a borough's count of 1-9 below force level is outside disclosure control,
    and every number in published prose is written from data."""

    text: str
    public_text: str


_DIGIT = re.compile(r"\d")


def published_wording(item: str | Outcome, area: str) -> str:
    """How a published report words one finding: its public text (a plain string is its own),
    refused if it carries a figure -- a number in the words of a finding is not one the
    disclosure control has passed."""
    words = item.public_text if isinstance(item, Outcome) else item
    if _DIGIT.search(words):
        raise ValueError(
            f"the finding for {area} {words!r} carries a figure, and a published report prints "
            "no number that is not written from controlled data: word it without figures"
        )
    return words


def theme_wording(theme: str) -> str:
    """A finding's figure-free wording for a published report: its theme's title (a
    finding with no theme: "Other matters raised at its session")."""
    return themes.title(theme) if theme else "Other matters raised at its session"


def internal_wording(item: str | Outcome) -> str:
    """How an internal (exact) draft words one finding: as the letter did."""
    return item.text if isinstance(item, Outcome) else item


@dataclass(frozen=True)
class BoroughOutcome:
    """What the board commended a borough for and asked it to follow up on (after its
    session's letter was sent). Each item is a plain text (printed as given, refused in a
    published report if it carries a figure) or an :class:`Outcome`."""

    area: str
    commended: tuple[str | Outcome, ...] = ()
    follow_up: tuple[str | Outcome, ...] = ()

    def worded(self, published: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(commended, follow_up) as the report prints them: in a published report the
        figure-free wordings, each once."""
        if not published:
            return (
                tuple(internal_wording(i) for i in self.commended),
                tuple(internal_wording(i) for i in self.follow_up),
            )
        return (
            tuple(dict.fromkeys(published_wording(i, self.area) for i in self.commended)),
            tuple(dict.fromkeys(published_wording(i, self.area) for i in self.follow_up)),
        )


@dataclass(frozen=True)
class SuccessFactor:
    """Good practice worth copying: "Lambeth: partnership working", its text and points."""

    title: str
    text: str = ""
    points: tuple[str, ...] = ()


@dataclass(frozen=True)
class AnnualReportInputs:
    """Everything the report is made from. ``findings`` maps a theme (:data:`THEMES`) to its
    paragraphs; ``recommendations`` may hold every year's (this year's are numbered in the
    report, last year's shown with their progress). ``policy`` None makes an internal draft
    with exact figures."""

    year: int
    figures: Figures
    policy: Policy | None = field(default_factory=Policy)
    findings: Mapping[str, Sequence[str]] = field(default_factory=dict)
    recommendations: Sequence[Recommendation] = ()
    boroughs: Sequence[BoroughOutcome] = ()
    success_factors: Sequence[SuccessFactor] = ()
    board: str = "Domestic and Sexual Violence Board"
    force_name: str = "MPS"
    synthetic: bool = False

    def __post_init__(self) -> None:
        unknown = sorted(set(self.findings) - {key for key, _ in THEMES})
        if unknown:
            raise ValueError(
                f"unknown finding theme(s) {', '.join(unknown)}: the themes are "
                + ", ".join(key for key, _ in THEMES)
            )
