"""The inputs the secretariat writes: findings by theme, success factors, borough outcomes.

:class:`AnnualReportInputs` is everything the report is made from, the figures with the
secretariat's own texts, which are printed as given; it checks the findings' themes when
made. Separate because the web app builds these inputs and needs only this contract, not the
report's layout.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from dsvb.oversight import themes
from dsvb.oversight.annual_report.figures import Figures
from dsvb.oversight.recommendations import Recommendation
from dsvb.reports.disclosure import Policy

#: The themes of the board's findings, in the report's order (one list: :mod:`themes`).
THEMES = themes.THEMES


@dataclass(frozen=True)
class BoroughOutcome:
    """What the board commended a borough for and asked it to follow up on (after its
    session's letter)."""

    area: str
    commended: tuple[str, ...] = ()
    follow_up: tuple[str, ...] = ()


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
