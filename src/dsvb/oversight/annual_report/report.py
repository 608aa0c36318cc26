"""The board's annual report: data commentary, findings, recommendations, under the policy.

After the 2010 report (``shared/seeds/001_…``): a commentary on the data with the pan-force
tables it prints (headline figures; domestic violence by borough; sexual offences by borough
and investigating unit) and charts; the board's findings by theme; its numbered
recommendations; critical success factors; last year's recommendations with their progress;
and, per borough, what the board commended and asked it to follow up.

**Every number in the prose is written from data.** The sentences of the commentary are made
by functions (:func:`dv_sentence`, :func:`caution_sentences`, …) from the figures, written
with dsvb's formatting; the secretariat's own texts (findings, success factors, what a
borough was commended for) are inputs and are printed as given.

**Under the publication policy** (``docs/decisions/0031-annual-report.md``). Every figure the
report prints — table, chart or sentence, force or borough — is read from one table made by
the same call a statistical release makes for the same figures
(:func:`dsvb.reports.publication.public_results` then :func:`dsvb.reports.disclosure.apply`,
audited), so the report shows a subset of what the release of its period shows, cell for
cell, and the two together give nothing away that the release alone does not. For the same
reason the report prints no charges by borough (the releases leave them out: beside sanction
detections and cautions they give "other" sanction detections by subtraction). The policy
and its version are in the footer. :func:`tables_csv` writes every figure the report prints
in the public download format (what the outsider of ``tests/attack`` reads).

With ``policy=None`` the report shows exact figures: an internal draft, marked as not for
publication on every page.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dsvb.indicators import formatting
from dsvb.indicators.definitions import FAMILIES, INDICATORS
from dsvb.indicators.model import Period
from dsvb.indicators.periods import months_label
from dsvb.indicators.results import FORCE_CODE, IndicatorResult
from dsvb.oversight import themes
from dsvb.oversight.document import (
    BulletList,
    Chart,
    Document,
    Paragraph,
    Section,
    Table,
)
from dsvb.oversight.recommendations import Recommendation, progress, status_label
from dsvb.reports import disclosure, publication
from dsvb.reports.disclosure import Policy, PublishedCell, PublishedTable
from dsvb.reports.spreadsheets import defused

if TYPE_CHECKING:
    from dsvb.indicators.assessment import Assessment
    from dsvb.ingest.returns import PublishedReturn

__all__ = [
    "THEMES",
    "AnnualReportInputs",
    "BoroughOutcome",
    "Figures",
    "Printed",
    "SuccessFactor",
    "build_annual_report",
    "build_with_download",
    "caution_sentences",
    "controlled_table",
    "dv_sentence",
    "figures_from_assessments",
    "figures_from_returns",
    "incidents_sentence",
    "printed",
    "sexual_sentence",
    "tables_csv",
    "volume_sentence",
]

#: The themes of the board's findings, in the report's order (one list: :mod:`themes`).
THEMES = themes.THEMES
NOT_FOR_PUBLICATION = "NOT FOR PUBLICATION: exact figures, no disclosure control"
CHARGES_NOTE = (
    "Charges are not published by borough: beside sanction detections and cautions they "
    "would give the other sanction detections by subtraction, which are small on most "
    "boroughs (as in the statistical releases)."
)


# --- the figures --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """Exact figures for the report's period: one row per area (and a force row, ``ALL``),
    family and indicator. ``units`` are the codes of rows that are investigating units
    rather than boroughs (SCD2, …: in published returns; the store has none)."""

    period: Period
    results: tuple[IndicatorResult, ...]
    units: tuple[str, ...] = ()
    source: str = "police records held by the board (dsvb)"


def figures_from_assessments(assessments: Iterable[Assessment]) -> Figures:
    """The figures of typed assessments (:func:`dsvb.indicators.assessment.assess_store`, one
    per family, one period): each area's and the force's numerator and denominator."""
    results: list[IndicatorResult] = []
    period: Period | None = None
    for judged in assessments:
        if period is not None and judged.period.period != period:
            raise ValueError("the assessments of an annual report are of one period")
        period = judged.period.period
        for ia in judged.indicators:
            for figure in (*ia.areas, ia.force):
                results.append(
                    IndicatorResult(
                        figure.area_code,
                        figure.area_name,
                        judged.family,
                        ia.info.id,
                        figure.numerator,
                        figure.denominator,
                        is_rate=ia.info.is_rate,
                    )
                )
    if period is None:
        raise ValueError("an annual report needs at least one family's assessment")
    return Figures(period, tuple(results))


def figures_from_returns(returns: Iterable[PublishedReturn]) -> Figures:
    """The figures of published returns of one period (the force's tables, read with
    :func:`dsvb.ingest.returns.read_return`): borough rows, investigating units as rows of
    their own, the force total; subtotals (borough total, non-borough total) are left out
    (they are sums of rows shown)."""
    import datetime as dt

    from dsvb.indicators.from_returns import indicators_from_return

    results: list[IndicatorResult] = []
    sources: list[str] = []
    units: list[str] = []
    period: Period | None = None
    for ret in returns:
        if ret.period_start is None or ret.period_end is None:
            raise ValueError(f"{ret.source_name}: the return's period is not known")
        this = Period(ret.period_start, ret.period_end + dt.timedelta(days=1))
        if period is not None and this != period:
            raise ValueError(
                f"{ret.source_name}: the returns of an annual report are of one period"
            )
        period = this
        for r in indicators_from_return(ret):
            if r.indicator not in INDICATORS or any(k not in ("unit",) for k, _ in r.cuts):
                continue
            if r.numerator is None:  # a rate printed without its counts: no figure to show
                continue
            unit = r.cut("unit")
            if r.family not in FAMILIES:
                continue
            if unit in (None, "BOROUGH") and r.area_code != FORCE_CODE:
                results.append(_uncut(r, r.area_code, r.area_name))
            elif unit in (None, "ALL") and r.area_code == FORCE_CODE:
                results.append(_uncut(r, FORCE_CODE, r.area_name))
            elif unit not in (None, "BOROUGH", "ALL", "SPECIALIST"):
                if unit not in units:
                    units.append(unit)
                results.append(_uncut(r, unit, r.area_name))
            else:
                continue
            sources.append(ret.source_name)
    if period is None:
        raise ValueError("an annual report needs at least one return")
    # a figure printed twice (in one return, or in two) must agree: never pick one silently
    unique: dict[tuple, tuple[IndicatorResult, str]] = {}
    for r, source in zip(results, sources, strict=True):
        seen = unique.setdefault(r.key(), (r, source))
        if (seen[0].numerator, seen[0].denominator) != (r.numerator, r.denominator):
            raise ValueError(
                f"{r.indicator} ({r.family}) for {r.area_name} is {seen[0].numerator}/"
                f"{seen[0].denominator} in {seen[1]} but {r.numerator}/{r.denominator} in "
                f"{source}"
            )
    kept = tuple(r for r, _ in unique.values())
    return Figures(period, kept, tuple(units), "published returns")


def _uncut(r: IndicatorResult, code: str, name: str) -> IndicatorResult:
    return IndicatorResult(code, name, r.family, r.indicator, r.numerator, r.denominator, r.is_rate)


def controlled_table(figures: Figures, policy: Policy | None) -> PublishedTable:
    """The one table every figure of the report is read from.

    Under a policy: the figures a release publishes (:func:`publication.public_results`),
    controlled together by :func:`disclosure.apply` — the call a release of the same figures
    makes, so the same cells are withheld — and audited; a table the audit faults is refused.
    With no policy: every figure exact (an internal draft)."""
    chosen = publication.public_results(list(figures.results))
    if policy is None:
        return PublishedTable(Policy(), tuple(_exact(r) for r in chosen))
    table = disclosure.apply(chosen, policy)
    found = disclosure.audit(chosen, table)
    if found:
        raise disclosure.DisclosureError(
            f"the annual report's tables would give {len(found)} small figure(s) away: "
            + "; ".join(d.describe() for d in found[:3])
        )
    return table


def _whole(value: float | None) -> int | None:
    return None if value is None else round(value)


def _exact(r: IndicatorResult) -> PublishedCell:
    indicator = INDICATORS[r.indicator]
    return PublishedCell(
        r.family,
        r.indicator,
        r.area_code,
        r.area_name,
        indicator.denominator is not None,
        _whole(r.numerator),
        _whole(r.denominator) if indicator.denominator is not None else None,
        r.numerator is None or (indicator.denominator is not None and r.denominator is None),
        r.area_code == FORCE_CODE,
    )


class Printed:
    """The controlled table as the report reads it (:func:`printed`); remembers every cell
    it shows, so that :func:`tables_csv` writes exactly what the report printed."""

    def __init__(self, table: PublishedTable, figures: Figures, force_name: str) -> None:
        self.table = table
        self.figures = figures
        self.force_name = force_name
        self.used: dict[tuple[str, str, str], PublishedCell] = {}

    def cell(self, family: str, indicator: str, area: str = FORCE_CODE) -> PublishedCell | None:
        found = self.table.get(family, indicator, area)
        if found is not None:
            self.used[(family, indicator, area)] = found
        return found

    def count(self, family: str, indicator: str, area: str = FORCE_CODE) -> int | None:
        """The numerator of ``indicator`` (a count, or a rate's part): None when withheld or
        not held."""
        c = self.cell(family, indicator, area)
        return None if c is None else c.numerator

    def denominator(self, family: str, indicator: str, area: str = FORCE_CODE) -> int | None:
        c = self.cell(family, indicator, area)
        return None if c is None else c.denominator

    def rate(self, family: str, indicator: str, area: str = FORCE_CODE) -> float | None:
        c = self.cell(family, indicator, area)
        return None if c is None or c.suppressed else c.value

    def areas(self, family: str, *, units: bool = True) -> list[tuple[str, str]]:
        """(code, name) of the rows below force level: boroughs by name, then units."""
        rows = {
            (c.area_code, c.area_name)
            for c in self.table.cells
            if c.family == family and not c.force_level
        }
        boroughs = sorted((a for a in rows if a[0] not in self.figures.units), key=lambda a: a[1])
        unit_rows = [a for u in self.figures.units for a in rows if a[0] == u]
        return boroughs + (unit_rows if units else [])

    def families(self) -> list[str]:
        return self.table.families()


def printed(figures: Figures, policy: Policy | None, force_name: str = "MPS") -> Printed:
    """The figures as the report prints them: under ``policy`` (exact when None)."""
    return Printed(controlled_table(figures, policy), figures, force_name)


def _count_text(value: int | None) -> str:
    return disclosure.SUPPRESSED if value is None else formatting.count(value)


def _cell_text(cell: PublishedCell | None) -> str:
    return publication.shown(cell).text


def _part_text(view: Printed, family: str, indicator: str, area: str) -> str:
    """A count as a table prints it: the count, [c] when withheld, – when not held (a
    return that does not print it, or prints it garbled)."""
    cell = view.cell(family, indicator, area)
    return formatting.DASH if cell is None else _count_text(cell.numerator)


# --- sentences: every number from the figures ------------------------------------------------


def _family_words(family: str) -> str:
    return FAMILIES[family].label.lower()


def dv_sentence(view: Printed, family: str = "dv") -> str | None:
    """ "The MPS recorded 49,883 domestic violence offences in the 12 months to November 2010,
    of which 48.9% (24,406) were sanction detected; 45.6% of those were cautions.\""""
    offences = view.count(family, "offences")
    if offences is None:
        return None
    text = (
        f"The {view.force_name} recorded {formatting.count(offences)} {_family_words(family)} "
        f"offences in the {months_label(view.figures.period)}"
    )
    sd_rate, sds = view.rate(family, "sd_rate"), view.count(family, "sd_rate")
    if sd_rate is None or sds is None:
        return text + "."
    text += (
        f", of which {formatting.percent(sd_rate)} ({formatting.count(sds)}) were sanction detected"
    )
    share = view.rate(family, "caution_share")
    if share is not None:
        text += f"; {formatting.percent(share)} of those were cautions"
    return text + "."


def incidents_sentence(view: Printed, family: str = "dv") -> str | None:
    """Incidents and how many became offences (crime conversion)."""
    incidents = view.count(family, "incidents")
    conversion = view.rate(family, "crime_conversion")
    if incidents is None or conversion is None:
        return None
    offences = view.count(family, "crime_conversion")
    return (
        f"{formatting.count(incidents)} {_family_words(family)} incidents were reported to the "
        f"{view.force_name}; {formatting.percent(conversion)} of them "
        f"({formatting.count(offences)}) were recorded as offences."
    )


def sexual_sentence(view: Printed) -> str | None:
    """All sexual offences, the serious ones among them, and their sanction detection rate."""
    offences = view.count("sexual", "offences")
    if offences is None:
        return None
    text = (
        f"The {view.force_name} recorded {formatting.count(offences)} sexual offences in the "
        f"{months_label(view.figures.period)}"
    )
    serious = view.count("serious_sexual", "offences")
    if serious is not None:
        text += (
            f", {formatting.count(serious)} of them serious sexual offences "
            f"({formatting.percent(serious / offences if offences else None)})"
        )
    rate = view.rate("sexual", "sd_rate")
    if rate is not None:
        text += (
            f"; the sanction detection rate for all sexual offences was {formatting.percent(rate)}"
        )
    return text + "."


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _names(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def caution_sentences(
    view: Printed, family: str = "dv", highest: int = 2, lowest: int = 3
) -> list[str]:
    """The boroughs whose sanction detections were most and least made up of cautions, with
    their sanction detection rates (the 2010 report's "Newham's overall Sanction Detection
    rate (which was 47%) was made up of 60% cautions"). Boroughs whose figures are withheld
    are not named."""
    rows = []
    for code, name in view.areas(family, units=False):
        share, sd_rate = (
            view.rate(family, "caution_share", code),
            view.rate(family, "sd_rate", code),
        )
        if share is not None and sd_rate is not None:
            rows.append((share, name, sd_rate))
    if len(rows) < highest + lowest:
        return []
    rows.sort(key=lambda r: (-r[0], r[1]))
    top, bottom = rows[:highest], sorted(rows[-lowest:], key=lambda r: (r[0], r[1]))
    first, *rest = top
    words = _family_words(family)
    high = (
        f"Of the boroughs, cautions made up the largest share of {words} sanction detections in "
        f"{first[1]}: {_possessive(first[1])} sanction detection rate "
        f"({formatting.percent(first[2])}) was made up of {formatting.percent(first[0])} cautions"
    )
    high += "".join(
        f", and {_possessive(name)} ({formatting.percent(rate)}) of {formatting.percent(share)}"
        for share, name, rate in rest
    )
    low = (
        f"At the other end, {_names([r[1] for r in bottom])} had the smallest shares of cautions: "
        f"{_names([formatting.percent(r[0]) for r in bottom])} of their sanction detections "
        f"(sanction detection rates {_names([formatting.percent(r[2]) for r in bottom])})."
    )
    force = view.rate(family, "caution_share")
    force_text = (
        f" Across the {view.force_name} the share was {formatting.percent(force)}."
        if force is not None
        else ""
    )
    return [high + "." + force_text, low]


def volume_sentence(view: Printed, family: str = "sexual", top: int = 2) -> str | None:
    """The boroughs recording the most offences of the family, with their incidents."""
    rows = []
    for code, name in view.areas(family, units=False):
        offences, incidents = (
            view.count(family, "offences", code),
            view.count(family, "incidents", code),
        )
        if offences is not None and incidents is not None:
            rows.append((offences, name, incidents))
    if len(rows) < top:
        return None
    rows.sort(key=lambda r: (-r[0], r[1]))
    parts = [
        f"{name} ({formatting.count(incidents)} incidents of which {formatting.count(offences)} "
        "were offences)"
        for offences, name, incidents in rows[:top]
    ]
    return f"The most {_family_words(family)} were recorded in {_names(parts)}."


# --- tables ----------------------------------------------------------------------------------


def headline_table(view: Printed) -> Table | None:
    """Force-level incidents, offences and sanction detection rate, by family (the 2010
    report's "headline figures"); other sexual offences are all minus serious."""
    rows = []
    for family in ("dv", "serious_sexual", "sexual"):
        if family not in view.families():
            continue
        rows.append(
            (
                FAMILIES[family].label,
                _count_text(view.count(family, "incidents")),
                _count_text(view.count(family, "offences")),
                _cell_text(view.cell(family, "sd_rate")),
            )
        )
    if {"serious_sexual", "sexual"} <= set(view.families()):
        parts = [
            (view.count("sexual", i), view.count("serious_sexual", i))
            for i in ("incidents", "offences")
        ]
        sds = view.count("sexual", "sd_rate"), view.count("serious_sexual", "sd_rate")
        diffs = [None if a is None or b is None else a - b for a, b in parts]
        other_sds = None if None in sds else sds[0] - sds[1]  # type: ignore[operator]
        if other_sds is None or diffs[1] is None:
            rate = disclosure.SUPPRESSED
        else:
            rate = formatting.percent(other_sds / diffs[1]) if diffs[1] else formatting.DASH
        rows.insert(-1, (FAMILIES["other_sexual"].label, *(_count_text(d) for d in diffs), rate))
    if not rows:
        return None
    return Table(
        f"{view.force_name} headline figures, {months_label(view.figures.period)}",
        ("Family", "Incidents", "Offences", "Sanction detection rate"),
        tuple(rows),
        numeric=(False, True, True, True),
    )


def dv_table(view: Printed, family: str = "dv") -> Table | None:
    if family not in view.families():
        return None
    rows = []
    for code, name in [*view.areas(family), (FORCE_CODE, f"{view.force_name} total")]:
        rows.append(
            (
                name,
                _part_text(view, family, "incidents", code),
                _part_text(view, family, "offences", code),
                _part_text(view, family, "sd_rate", code),
                _part_text(view, family, "caution_share", code),
                _cell_text(view.cell(family, "sd_rate", code)),
                _cell_text(view.cell(family, "caution_share", code)),
            )
        )
    return Table(
        f"{FAMILIES[family].label} by borough, {months_label(view.figures.period)}",
        (
            "Borough",
            "Incidents",
            "Offences",
            "Sanction detections",
            "Cautions",
            "Sanction detection rate",
            "Cautions as a share of sanction detections",
        ),
        tuple(rows),
        numeric=(False, True, True, True, True, True, True),
        notes=(CHARGES_NOTE,),
    )


def sexual_table(view: Printed) -> Table | None:
    if "sexual" not in view.families():
        return None
    rows = []
    for code, name in [*view.areas("sexual"), (FORCE_CODE, f"{view.force_name} total")]:
        rows.append(
            (
                name,
                _part_text(view, "sexual", "incidents", code),
                _part_text(view, "sexual", "offences", code),
                _part_text(view, "sexual", "sd_rate", code),
                _part_text(view, "sexual", "caution_share", code),
                _cell_text(view.cell("sexual", "sd_rate", code)),
            )
        )
    label = "borough and investigating unit" if view.figures.units else "borough"
    notes = (
        ()
        if view.figures.units
        else (
            "The store holds sexual offences by the borough they were recorded in, whatever unit "
            "investigated them.",
        )
    )
    return Table(
        f"Sexual offences by {label}, {months_label(view.figures.period)}",
        (
            "Borough or unit" if view.figures.units else "Borough",
            "Incidents",
            "Offences",
            "Sanction detections",
            "Cautions",
            "Sanction detection rate",
        ),
        tuple(rows),
        numeric=(False, True, True, True, True, True),
        notes=(*notes, f"{formatting.DASH} means the figure is not held."),
    )


# --- charts ----------------------------------------------------------------------------------

FONT = "Arial, Helvetica, sans-serif"  # as the pages' charts (dsvb.web.performance.charts)
TEXT = "#0b0c0c"
GREY = "#505a5f"
CAUTIONS = "#d55e00"  # Okabe-Ito: distinguishable with every common colour-vision deficiency
OTHER_SDS = "#0072b2"


def _render(chart: Any, caption: str, alt: str) -> Chart:
    """Altair → Vega-Lite → SVG and PNG (vl_convert: no browser, no network)."""
    import vl_convert

    spec = (
        chart.configure(font=FONT)
        .configure_axis(labelColor=TEXT, titleColor=TEXT, domainColor=GREY, tickColor=GREY)
        .configure_legend(labelColor=TEXT, titleColor=TEXT, orient="bottom")
        .configure_view(stroke=None)
        .to_dict()
    )
    return Chart(
        caption, vl_convert.vegalite_to_svg(spec), alt, vl_convert.vegalite_to_png(spec, scale=2)
    )


def sd_chart(view: Printed, family: str = "dv") -> Chart | None:
    """Each borough's sanction detection rate as two parts: cautions and the rest (so the
    share of cautions is seen beside the rate), from the published counts only."""
    import altair as alt

    rows, withheld = [], []
    for code, name in view.areas(family, units=False):
        offences = view.count(family, "offences", code)
        sds, cautions = (
            view.count(family, "sd_rate", code),
            view.count(family, "caution_share", code),
        )
        if not offences or sds is None or cautions is None:
            withheld.append(name)
            continue
        rows.append({"area": name, "part": "Cautions", "rate": cautions / offences})
        rows.append(
            {"area": name, "part": "Other sanction detections", "rate": (sds - cautions) / offences}
        )
    if not rows:
        return None
    order = sorted({r["area"] for r in rows})
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_bar()
        .encode(
            y=alt.Y("area:N", sort=order, title=None),
            x=alt.X(
                "rate:Q",
                stack="zero",
                title="Share of offences",
                axis=alt.Axis(format=".0%", tickCount=6),
            ),
            color=alt.Color(
                "part:N",
                title=None,
                scale=alt.Scale(
                    domain=["Other sanction detections", "Cautions"], range=[OTHER_SDS, CAUTIONS]
                ),
            ),
            order=alt.Order("part:N", sort="descending"),
        )
        .properties(width=420, height=14 * len(order))
    )
    caption = (
        f"{FAMILIES[family].label}: sanction detection rate by borough, cautions and other "
        f"sanction detections, {months_label(view.figures.period)}"
    )
    shares = [(r["rate"], r["area"]) for r in rows if r["part"] == "Cautions"]
    most = max(shares)[1]
    alt_text = (
        f"Bar chart of {len(order)} boroughs' sanction detection rates split into cautions and "
        f"other sanction detections; the figures are in the table above. Cautions are the "
        f"largest share of offences in {most}."
        + (f" Not shown (figures withheld): {', '.join(withheld)}." if withheld else "")
    )
    return _render(chart, caption, alt_text)


def volume_chart(view: Printed, family: str = "sexual") -> Chart | None:
    """Offences by borough (and unit), largest first."""
    import altair as alt

    rows, withheld = [], []
    for code, name in view.areas(family):
        offences = view.count(family, "offences", code)
        if offences is None:
            withheld.append(name)
        else:
            rows.append({"area": name, "offences": offences})
    if not rows:
        return None
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_bar(color=OTHER_SDS)
        .encode(
            y=alt.Y("area:N", sort="-x", title=None),
            x=alt.X("offences:Q", title="Offences"),
        )
        .properties(width=420, height=14 * len(rows))
    )
    top = max(rows, key=lambda r: r["offences"])
    where = "borough and investigating unit" if view.figures.units else "borough"
    caption = f"{FAMILIES[family].label} by {where}, {months_label(view.figures.period)}"
    alt_text = (
        f"Bar chart of offences in {len(rows)} boroughs or units, largest first; the figures "
        f"are in the table above. The most were in {top['area']} "
        f"({formatting.count(top['offences'])})."
        + (f" Not shown (figures withheld): {', '.join(withheld)}." if withheld else "")
    )
    return _render(chart, caption, alt_text)


# --- the inputs the secretariat writes ---------------------------------------------------------


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


# --- the report ------------------------------------------------------------------------------


def _report(inputs: AnnualReportInputs) -> tuple[Document, Printed]:
    view = printed(inputs.figures, inputs.policy, inputs.force_name)
    table = view.table
    period = months_label(inputs.figures.period)
    this_year = sorted(
        (r for r in inputs.recommendations if r.year == inputs.year), key=lambda r: r.number
    )
    rec_items = tuple(f"{r.number}. {r.text} (Owner: {r.owner}.)" for r in this_year)

    summary = [s for s in (dv_sentence(view), sexual_sentence(view)) if s]
    executive = Section(
        "Executive summary",
        (
            *(Paragraph(s) for s in summary),
            *(
                (
                    Paragraph(
                        f"The board makes {len(this_year)} recommendations for {inputs.year}:"
                    ),
                    BulletList(rec_items),
                )
                if this_year
                else ()
            ),
        ),
        key="summary",
    )

    data_sections = []
    headline = headline_table(view)
    if headline is not None:
        data_sections.append(
            Section(
                f"{inputs.force_name} data, {period}: headline figures",
                (headline,),
                level=3,
                key="headline",
            )
        )
    if "dv" in view.families():
        blocks: list[Any] = [
            Paragraph(s) for s in (dv_sentence(view), incidents_sentence(view)) if s
        ]
        table_dv = dv_table(view)
        if table_dv is not None:
            blocks.append(table_dv)
        chart = sd_chart(view)
        if chart is not None:
            blocks.append(chart)
        data_sections.append(
            Section("Domestic violence volume and performance", tuple(blocks), level=3, key="dv")
        )
        cautions = caution_sentences(view)
        if cautions:
            data_sections.append(
                Section(
                    "Performance targets and cautions",
                    tuple(Paragraph(s) for s in cautions),
                    level=3,
                    key="cautions",
                )
            )
    if "sexual" in view.families():
        blocks = [Paragraph(s) for s in (sexual_sentence(view), volume_sentence(view)) if s]
        table_sx = sexual_table(view)
        if table_sx is not None:
            blocks.append(table_sx)
        chart = volume_chart(view)
        if chart is not None:
            blocks.append(chart)
        data_sections.append(
            Section("Sexual violence volume and performance", tuple(blocks), level=3, key="sexual")
        )
    data = Section(
        "Reported violence against women: a commentary on the data",
        (
            Paragraph(
                f"The figures are for the {period} ({_day(inputs.figures.period.start)} to "
                f"{_day(inputs.figures.period.end, last=True)}), from {inputs.figures.source}."
            ),
        ),
        tuple(data_sections),
        key="data",
    )

    themes = []
    for key, title in THEMES:
        texts = tuple(Paragraph(t) for t in inputs.findings.get(key, ()))
        made = [r for r in this_year if r.theme == key]
        if made:  # as the 2010 report: each theme's recommendations beneath its findings
            texts += (
                Paragraph("Board recommendation:" if len(made) == 1 else "Board recommendations:"),
                BulletList(tuple(f"{r.number}. {r.text}" for r in made)),
            )
        if texts:
            themes.append(Section(title, texts, level=3, key=f"theme-{key}"))
    findings = Section(f"{inputs.board} findings", (), tuple(themes), key="findings")
    recommendations = Section(
        "Recommendations",
        (BulletList(rec_items),) if rec_items else (Paragraph("No recommendations this year."),),
        key="recommendations",
    )
    factors = Section(
        "Critical success factors: best practice",
        (),
        tuple(
            Section(
                f.title,
                (
                    *((Paragraph(f.text),) if f.text else ()),
                    *((BulletList(f.points),) if f.points else ()),
                ),
                level=3,
                key=f"csf-{k}",
            )
            for k, f in enumerate(inputs.success_factors, start=1)
        ),
        key="success_factors",
    )
    shown = progress(inputs.recommendations, inputs.year)
    previous = Section(
        f"Update on recommendations from {inputs.year - 1}",
        (
            Paragraph(
                f"The {inputs.year - 1} annual report made {len(shown)} recommendations. Their "
                "progress, as the force reports it:"
            ),
        )
        if shown
        else (Paragraph(f"There were no recommendations in {inputs.year - 1}."),),
        tuple(
            Section(
                f"{p.recommendation.number}. {p.recommendation.text}",
                (
                    Paragraph(
                        f"Owner: {p.recommendation.owner}. Status: {status_label(p.status)}."
                    ),
                    *(Paragraph(f"{_day(u.on)}: {u.text}") for u in p.updates),
                ),
                level=3,
                key=f"progress-{p.recommendation.number}",
            )
            for p in shown
        ),
        key="progress",
    )
    boroughs = Section(
        "Boroughs: commended and asked to follow up",
        (),
        tuple(
            Section(
                b.area,
                (
                    *(
                        (Paragraph(f"{b.area} were commended for:"), BulletList(b.commended))
                        if b.commended
                        else ()
                    ),
                    *(
                        (
                            Paragraph(f"{b.area} were asked to follow up on:"),
                            BulletList(b.follow_up),
                        )
                        if b.follow_up
                        else ()
                    ),
                ),
                level=3,
                key=f"borough-{k}",
            )
            for k, b in enumerate(inputs.boroughs, start=1)
        ),
        key="boroughs",
    )
    document = Document(
        kind="annual_report",
        title=f"{inputs.board}: annual report {inputs.year}",
        subtitle=f"Data for the {period}",
        sections=(executive, data, findings, recommendations, factors, previous, boroughs),
        marking=NOT_FOR_PUBLICATION if inputs.policy is None else "",
        footer=_footer(inputs, table),
        metadata=(("year", str(inputs.year)), ("period", period)),
    )
    return document, view


def _day(day: Any, last: bool = False) -> str:
    import datetime as dt

    if last:
        day = day - dt.timedelta(days=1)
    return f"{day.day} {day:%B %Y}"


def _footer(inputs: AnnualReportInputs, table: PublishedTable) -> tuple[str, ...]:
    if inputs.policy is None:
        control = (
            "Disclosure control: none. Exact figures for authorised readers; not for publication."
        )
    else:
        policy = table.policy
        control = (
            f"Disclosure control: {policy.describe()}. Policy version {policy.version}. "
            f"{disclosure.SUPPRESSED} marks a figure withheld; rates are percentages with one "
            "decimal place."
        )
    lines = [control, f"Source: {inputs.figures.source}."]
    if inputs.synthetic:
        lines.append("Synthetic data: the figures are made up for the demonstration.")
    return tuple(lines)


def build_annual_report(inputs: AnnualReportInputs) -> Document:
    """The annual report as a :class:`Document` (render it with ``dsvb.oversight.render``)."""
    return _report(inputs)[0]


def tables_csv(inputs: AnnualReportInputs) -> str:
    """Every figure the report prints (tables, charts and sentences), in the public download
    format (:data:`dsvb.reports.publication.COLUMNS`): what an outsider can read from it."""
    return build_with_download(inputs)[1]


def build_with_download(inputs: AnnualReportInputs) -> tuple[Document, str]:
    """The report and its figures as a download (:func:`tables_csv`), made once."""
    document, view = _report(inputs)
    return document, _download(inputs, view)


def _download(inputs: AnnualReportInputs, view: Printed) -> str:
    policy = view.table.policy
    period = inputs.figures.period
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(publication.COLUMNS)
    for (family, indicator, _), cell in sorted(view.used.items()):
        if cell.suppressed:
            value: Any = disclosure.SUPPRESSED
        elif cell.is_rate:
            value = disclosure.NOT_APPLICABLE if cell.zero_denominator else cell.value
        else:
            value = cell.numerator
        record = {
            "area_code": cell.area_code,
            "area_name": publication.FORCE_LABEL if cell.force_level else cell.area_name,
            "geography_level": "force" if cell.force_level else "area",
            "family": family,
            "family_label": FAMILIES[family].label,
            "indicator": indicator,
            "indicator_label": INDICATORS[indicator].label,
            "period_start": period.start.isoformat(),
            "period_end": _iso_last(period),
            "numerator": _count_text_csv(cell.numerator),
            "denominator": (
                disclosure.NOT_APPLICABLE if not cell.is_rate else _count_text_csv(cell.denominator)
            ),
            "value": value,
            "disclosure_policy": "none" if inputs.policy is None else policy.describe(),
            "disclosure_policy_version": "" if inputs.policy is None else policy.version,
            "caveat": "",
            "release": f"annual report {inputs.year}",
        }
        writer.writerow([_csv_value(record[c]) for c in publication.COLUMNS])
    return out.getvalue()


def _iso_last(period: Period) -> str:
    import datetime as dt

    return (period.end - dt.timedelta(days=1)).isoformat()


def _count_text_csv(value: int | None) -> Any:
    return disclosure.SUPPRESSED if value is None else value


def _csv_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6f}".rstrip("0").rstrip(".")
    return str(value) if isinstance(value, int) else defused(str(value))
