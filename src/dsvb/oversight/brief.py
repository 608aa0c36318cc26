"""The commissioning brief: what the board asks a borough to report on, per meeting.

:func:`build_brief` makes the brief as a :class:`~dsvb.oversight.document.Document`
(``render`` draws it as HTML, PDF and DOCX):

* **Section A**, administration: the meeting, when the brief went out and when the draft and
  final reports are due (from :func:`dsvb.oversight.deadlines.brief_dates`, each adjustable
  on the brief), the length limit, the contacts; then the template's notes.
* **B1**, data: the template's questions, then the borough's figures for the period from the
  typed assessment (every indicator of each family the brief covers, beside the force's),
  and by equality strand from the equality analysis (counts, rates and ratios to the
  reference group with their intervals, disproportionality called after the correction for
  multiple comparisons).
* **B2–B5** and the **equality and diversity** section from the year's template
  (:mod:`.brief_template`); the equality section adds the differences the data find.

**Published or internal.** A brief the board publishes (``BriefInputs.published``) shows its
figures through the one disclosure-control policy (:mod:`dsvb.reports.disclosure`): the
headline indicators a statistical release publishes (the others stay internal, for the
reasons :mod:`dsvb.reports.publication` gives), controlled together across every borough
and the families of the brief, and the tables by strand as :func:`dsvb.equality.publication.
publish` controls them; ranks are left out (a rank places a withheld rate between two shown
ones). The policy and its version are printed in the footer. An internal brief is marked
"OFFICIAL – internal" and shows exact figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from dsvb.equality import sentences
from dsvb.equality.analysis import RECORDED_NOTE, EqualityAnalysis, EqualityRow
from dsvb.equality.publication import PublishedEquality, publish
from dsvb.equality.strands import MEASURES, PER, group_label, strand_of_cut
from dsvb.indicators import formatting
from dsvb.indicators.assessment import Assessment, Figure, ScorecardRow
from dsvb.indicators.periods import months_label
from dsvb.indicators.results import FORCE_CODE, IndicatorResult
from dsvb.oversight.brief_template import load_template
from dsvb.oversight.deadlines import brief_dates
from dsvb.oversight.document import Block, Document, FieldList, Paragraph, Section, Table
from dsvb.reports import disclosure
from dsvb.reports.publication import headline, shown

__all__ = [
    "BRIEF_MEASURES",
    "BRIEF_STRANDS",
    "INTERNAL_MARKING",
    "PUBLISHED_MARKING",
    "BriefInputs",
    "build_brief",
    "date_text",
]

INTERNAL_MARKING = "OFFICIAL – internal"
PUBLISHED_MARKING = "OFFICIAL"
#: The strands B1 shows by default: the victim's, as the 2010 brief asks ("the identity of
#: survivors … age, gender, disability, race … sexual orientation").
BRIEF_STRANDS = (
    "victim_sex",
    "victim_age_band",
    "victim_ethnicity",
    "victim_disability",
    "victim_lgbt",
)
#: The measures B1 shows by strand: who is recorded as a victim, and the detection rate.
BRIEF_MEASURES = ("victims_per_1000", "sd_rate")
DASH = formatting.DASH
DISPROPORTIONATE_MARK = "*"


def date_text(day: dt.date) -> str:
    """A date as the board's papers write it: 16 November 2010."""
    return f"{day.day} {day:%B %Y}"


@dataclass(frozen=True)
class BriefInputs:
    """Everything a brief is made from. Dates left None take their defaults from the meeting's
    date; ``template_text`` is the secretariat's edited template for the year (None: the
    held template of the latest year at or before the meeting's).

    ``assessments``: one per family the brief covers (domestic violence; serious sexual
    offences; sexual offences), for the reporting period. ``equality``: the equality analyses
    of those families for the same period (whole, every area: disclosure control needs the
    whole table). ``published_equality``: the same already published (controlling a strand's
    table takes seconds; a caller that has done it passes it in). ``published_figures``: the
    table of a statistical release for the same period, when there is one: the brief then
    shows exactly the cells the public already has, and controlling is not repeated (it takes
    seconds for the sexual-offence families).
    """

    area_code: str
    area_name: str
    meeting: dt.date
    assessments: tuple[Assessment, ...] = ()
    equality: tuple[EqualityAnalysis, ...] = ()
    published: bool = False
    policy: disclosure.Policy = field(default_factory=disclosure.Policy)
    published_equality: tuple[PublishedEquality, ...] = ()
    published_figures: disclosure.PublishedTable | None = None
    strands: tuple[str, ...] = BRIEF_STRANDS
    committee: str = "Domestic and Sexual Violence Board"
    sent: dt.date | None = None
    draft_due: dt.date | None = None
    final_due: dt.date | None = None
    length_limit: str = "15 pages (excluding appendices)"
    contacts: tuple[tuple[str, str], ...] = ()  # (role, name and how to reach them)
    reference: str = ""
    template_text: str | None = None
    footer_notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for cut in self.strands:
            strand_of_cut(cut)  # KeyError naming an unknown strand
        for judged in self.assessments:
            if self.area_code not in dict(judged.areas):
                raise ValueError(
                    f"{self.area_code} ({self.area_name}) is not one of the boroughs of the "
                    f"{judged.family} assessment"
                )
        families = [a.family for a in self.assessments]
        if len(set(families)) != len(families):
            raise ValueError(f"one assessment per family, not {', '.join(families)}")


def build_brief(inputs: BriefInputs) -> Document:
    """The commissioning brief for one borough and meeting."""
    template = load_template(inputs.meeting.year, inputs.template_text)
    dates = brief_dates(inputs.meeting)
    sent = inputs.sent or dates.sent
    draft = inputs.draft_due or dates.draft_due
    final = inputs.final_due or dates.final_due
    if not sent <= draft <= final <= inputs.meeting:
        raise ValueError(
            f"the brief's dates are out of order: sent {sent}, draft due {draft}, final due "
            f"{final}, meeting {inputs.meeting} (each must be on or before the next)"
        )
    published = _Published.make(inputs) if inputs.published else None
    sections = []
    for template_section in template.sections:
        key = template_section.key
        if key == "A":
            sections.append(_section_a(inputs, template_section, sent, draft, final))
        elif key == "B1":
            sections.append(_section_b1(inputs, template_section, published))
        elif key == "EQUALITY":
            sections.append(_section_equality(inputs, template_section, published))
        else:
            sections.append(template_section)
    footer = list(inputs.footer_notes)
    if published is not None:
        footer.insert(0, f"Figures published under {inputs.policy.describe()}.")
        footer.insert(1, f"Disclosure-control policy version {inputs.policy.version}.")
    else:
        footer.insert(0, "Exact figures for the board and the borough: not for publication.")
    if any(a.population_synthetic for a in inputs.equality):
        footer.append("Population estimates: synthetic (demonstration data).")
    period = _period_label(inputs)
    subtitle = f"{inputs.area_name}: {inputs.committee}, {date_text(inputs.meeting)}"
    return Document(
        kind="brief",
        title=template.title,
        subtitle=subtitle,
        marking=PUBLISHED_MARKING if inputs.published else INTERNAL_MARKING,
        preamble=template.preamble,
        sections=tuple(sections),
        footer=tuple(footer),
        metadata=(
            ("author", inputs.committee),
            ("description", f"Commissioning brief for {inputs.area_name}, {period}"),
            ("dsvb-area", inputs.area_code),
            ("dsvb-meeting", inputs.meeting.isoformat()),
            ("dsvb-template", template.name),
        ),
    )


def _period_label(inputs: BriefInputs) -> str:
    if inputs.assessments:
        return months_label(inputs.assessments[0].period.period)
    if inputs.equality:
        return inputs.equality[0].period_label
    return "no period"


# --- A ------------------------------------------------------------------------------------------


def _section_a(
    inputs: BriefInputs, template: Section, sent: dt.date, draft: dt.date, final: dt.date
) -> Section:
    items = [
        ("Committee / date", f"{inputs.committee}, {date_text(inputs.meeting)}"),
        ("Borough", f"{inputs.area_name} ({inputs.area_code})"),
    ]
    if inputs.reference:
        items.append(("Reference", inputs.reference))
    items += [
        ("Brief sent", date_text(sent)),
        ("Draft report due", date_text(draft)),
        ("Final report due", date_text(final)),
        ("Maximum report length", inputs.length_limit),
    ]
    if inputs.assessments or inputs.equality:
        items.append(("Period of the figures in B1", _period_label(inputs)))
    items += list(inputs.contacts)
    return Section(
        template.title,
        (FieldList(tuple(items)), *template.blocks),
        template.subsections,
        template.level,
        template.key,
    )


# --- B1 -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Published:
    """The brief's figures after disclosure control."""

    table: disclosure.PublishedTable
    equality: dict[str, PublishedEquality]

    @classmethod
    def make(cls, inputs: BriefInputs) -> _Published:
        table = inputs.published_figures
        if table is None:
            results = [r for a in inputs.assessments for r in _results(a)]
            table = disclosure.apply(results, inputs.policy)
        elif table.policy != inputs.policy:
            raise ValueError(
                f"the published figures were made under {table.policy.name}, not the "
                f"brief's {inputs.policy.name}"
            )
        given = {p.analysis.family: p for p in inputs.published_equality}
        equality = {}
        for analysis in inputs.equality:
            held = given.get(analysis.family)
            if held is not None and held.policy != inputs.policy:
                raise ValueError(
                    f"the published equality tables for {analysis.family} were made under "
                    f"{held.policy.name}, not the brief's {inputs.policy.name}"
                )
            equality[analysis.family] = held or publish(analysis, inputs.policy, inputs.strands)
        return cls(table, equality)


def _results(assessment: Assessment) -> list[IndicatorResult]:
    """The headline figures of every borough and the force, as the engine gave them (the
    table disclosure control runs over: a borough's cell is safe only within the whole)."""
    out = []
    wanted = set(headline(assessment.family))
    for assessed in assessment.indicators:
        if assessed.info.id not in wanted:
            continue
        for figure in (*assessed.areas, assessed.force):
            out.append(
                IndicatorResult(
                    area_code=figure.area_code,
                    area_name=figure.area_name,
                    family=assessment.family,
                    indicator=assessed.info.id,
                    numerator=int(figure.numerator),
                    denominator=None if figure.denominator is None else int(figure.denominator),
                    is_rate=assessed.info.is_rate,
                )
            )
    return out


def _section_b1(inputs: BriefInputs, template: Section, published: _Published | None) -> Section:
    blocks: list[Block] = list(template.blocks)
    subsections = list(template.subsections)
    if inputs.assessments or inputs.equality:
        blocks.append(
            Paragraph(
                f"The figures the Board holds for {inputs.area_name} for the "
                f"{_period_label(inputs)} are set out below. Please check them against the "
                "borough's own records, explain any difference, and give in the report the "
                "information asked for above that they do not cover."
            )
        )
    letters = "abcdefghij"
    for k, assessment in enumerate(inputs.assessments):
        table = (
            _figures_published(inputs, assessment, published)
            if published is not None
            else _figures_internal(inputs, assessment)
        )
        subsections.append(
            Section(
                f"B1 {letters[k]}) {assessment.family_label}: {inputs.area_name}",
                (table,),
                level=3,
                key=f"B1.{assessment.family}",
            )
        )
    for analysis in inputs.equality:
        subsections.append(_by_strand(inputs, analysis, published))
    return Section(template.title, tuple(blocks), tuple(subsections), template.level, template.key)


def _force_name(assessment: Assessment) -> str:
    return assessment.indicators[0].force.area_name if assessment.indicators else "Force"


def _figure_text(row: ScorecardRow, figure: Figure) -> tuple[str, str, str]:
    kind = row.info.kind
    value = formatting.value(figure.value, kind)
    if kind == "count":
        return value, DASH, DASH
    return value, formatting.count(figure.numerator), formatting.count(figure.denominator)


def _figures_internal(inputs: BriefInputs, assessment: Assessment) -> Table:
    force = _force_name(assessment)
    rows = []
    notes = []
    for row in assessment.scorecard(inputs.area_code):
        value, numerator, denominator = _figure_text(row, row.figure)
        rank = (
            f"{formatting.ordinal(row.figure.rank)} of {row.figure.ranked}"
            if row.figure.rank is not None
            else DASH
        )
        force_value = formatting.value(row.force_value, row.info.kind)
        rows.append((row.info.label, value, numerator, denominator, force_value, rank))
        caveat = row.figure.history_caveat_short or row.figure.no_comparison_short
        if caveat:
            notes.append(f"{row.info.label}: {caveat}.")
    notes.append(
        "Numerator and denominator are the counts a rate is made of (– for a count). Rank: "
        "1st is the best of the boroughs where a direction is better, else the highest."
    )
    return Table(
        caption=f"{assessment.family_label}, {months_label(assessment.period.period)}: "
        f"{inputs.area_name} and {force}",
        columns=("Indicator", inputs.area_name, "Numerator", "Denominator", force, "Rank"),
        rows=tuple(rows),
        numeric=(False, True, True, True, True, True),
        notes=tuple(notes),
    )


def _figures_published(inputs: BriefInputs, assessment: Assessment, published: _Published) -> Table:
    force = _force_name(assessment)
    rows = []
    for row in assessment.scorecard(inputs.area_code):
        if row.info.id not in headline(assessment.family):
            continue
        cell = published.table.get(assessment.family, row.info.id, inputs.area_code)
        force_cell = published.table.get(assessment.family, row.info.id, FORCE_CODE)
        value = shown(cell)
        if cell is None or not cell.is_rate:
            numerator, denominator = DASH, DASH
        else:
            numerator, denominator = _count(cell.numerator), _count(cell.denominator)
        rows.append((row.info.label, value.text, numerator, denominator, shown(force_cell).text))
    return Table(
        caption=f"{assessment.family_label}, {months_label(assessment.period.period)}: "
        f"{inputs.area_name} and {force}",
        columns=("Indicator", inputs.area_name, "Numerator", "Denominator", force),
        rows=tuple(rows),
        numeric=(False, True, True, True, True),
        notes=(
            f"{disclosure.SUPPRESSED}: withheld under the disclosure-control policy (a count of "
            f"1 to {inputs.policy.threshold} below force level, or a figure it could be worked "
            "out from). The headline indicators of a statistical release are shown; the "
            "others are given to the borough separately.",
        ),
    )


def _count(value: int | float | None) -> str:
    return disclosure.SUPPRESSED if value is None else formatting.count(value)


# --- B1 by equality strand ------------------------------------------------------------------------


def _ratio_text(row: EqualityRow, hidden: frozenset[str]) -> str:
    if "ratio" in hidden:
        return disclosure.SUPPRESSED
    if row.is_reference:
        return "1.00 (reference)"
    if row.ratio is None:
        return DASH
    low = "–" if row.ratio_lower_95 is None else f"{row.ratio_lower_95:.2f}"
    high = "no limit" if row.ratio_upper_95 is None else f"{row.ratio_upper_95:.2f}"
    mark = f" {DISPROPORTIONATE_MARK}" if row.disproportionate else ""
    return f"{row.ratio:.2f} ({low} to {high}){mark}"


def _rate_text(row: EqualityRow, hidden: frozenset[str]) -> str:
    if "rate" in hidden:
        return disclosure.SUPPRESSED
    if row.rate is None:
        return DASH
    if MEASURES[row.measure].kind == "population_rate":
        return f"{row.rate:.2f}"
    return formatting.percent(row.rate)


def _count_text(row: EqualityRow, hidden: frozenset[str]) -> str:
    numerator = disclosure.SUPPRESSED if "numerator" in hidden else formatting.count(row.numerator)
    if MEASURES[row.measure].kind == "population_rate":
        return numerator
    denominator = (
        disclosure.SUPPRESSED if "denominator" in hidden else formatting.count(row.denominator)
    )
    return f"{numerator} of {denominator}"


_MEASURE_COLUMNS = {
    "victims_per_1000": ("Victims", f"Per {PER:,} residents a year", "Ratio (95% interval)"),
    "sd_rate": ("Sanction detections of offences", "Detection rate", "Ratio (95% interval)"),
}


def _hidden_by_row(
    inputs: BriefInputs, analysis: EqualityAnalysis, published: _Published | None
) -> list[tuple[EqualityRow, frozenset[str]]]:
    if published is None:
        return [(r, frozenset()) for r in analysis.for_area(inputs.area_code)]
    controlled = published.equality[analysis.family].only(inputs.area_code)
    return [(p.row, p.suppressed) for p in controlled.rows]


def _by_strand(
    inputs: BriefInputs, analysis: EqualityAnalysis, published: _Published | None
) -> Section:
    rows = [
        (r, h)
        for r, h in _hidden_by_row(inputs, analysis, published)
        if r.measure in BRIEF_MEASURES and r.strand in inputs.strands
    ]
    tables: list[Block] = []
    for cut in inputs.strands:
        role, strand = strand_of_cut(cut)
        measures = [
            m for m in BRIEF_MEASURES if any(r.strand == cut and r.measure == m for r, _ in rows)
        ]
        if not measures:
            continue
        groups = [
            g for g in strand.groups if any(r.strand == cut and r.group == g for r, _ in rows)
        ]
        groups += sorted({r.group for r, _ in rows if r.strand == cut} - set(groups))
        index = {(r.measure, r.group): (r, h) for r, h in rows if r.strand == cut}
        body = []
        for group in groups:
            cells = [group_label(group)]
            for m in measures:
                found = index.get((m, group))
                if found is None:
                    cells += [DASH, DASH, DASH]
                else:
                    r, h = found
                    cells += [_count_text(r, h), _rate_text(r, h), _ratio_text(r, h)]
            body.append(tuple(cells))
        columns = ["Group"]
        for m in measures:
            columns += list(_MEASURE_COLUMNS[m])
        tables.append(
            Table(
                caption=f"{analysis.family_label}: {inputs.area_name} by the "
                f"{role}'s {strand.label.lower()}",
                columns=tuple(columns),
                rows=tuple(body),
                numeric=(False, *([True] * (len(columns) - 1))),
                notes=(f"Ratios compare each group with {strand.why_reference}.",),
            )
        )
    notes = [
        Paragraph(
            f"{DISPROPORTIONATE_MARK} disproportionate: {analysis.correction.describe()}",
        ),
        Paragraph(RECORDED_NOTE),
    ]
    if published is not None:
        notes.append(
            Paragraph(
                f"{disclosure.SUPPRESSED}: withheld under the disclosure-control policy; a "
                "rate or ratio is withheld with a withheld count, or when the reference "
                "group's is."
            )
        )
    title = f"B1 by equality strand: {analysis.family_label}, {analysis.period_label}"
    if not tables:
        return Section(
            title,
            (Paragraph(f"No figures by strand for {inputs.area_name} in this period."),),
            level=3,
            key=f"B1.equality.{analysis.family}",
        )
    return Section(title, (*tables, *notes), level=3, key=f"B1.equality.{analysis.family}")


# --- equality and diversity -----------------------------------------------------------------------


def _section_equality(
    inputs: BriefInputs, template: Section, published: _Published | None
) -> Section:
    blocks: list[Block] = list(template.blocks)
    for analysis in inputs.equality:
        if published is None:
            said = sentences.summary(analysis, inputs.area_code)
        else:
            said = _published_findings(inputs, analysis, published)
        blocks.append(
            Paragraph(f"What the Board's figures show ({analysis.family_label.lower()}):")
        )
        blocks.extend(Paragraph(s) for s in said)
    return Section(
        template.title, tuple(blocks), template.subsections, template.level, template.key
    )


def _published_findings(
    inputs: BriefInputs, analysis: EqualityAnalysis, published: _Published
) -> Sequence[str]:
    """The findings whose figures are published (a ratio shown, so both rates are)."""
    controlled = published.equality[analysis.family].only(inputs.area_code)
    rows = [
        p.row
        for p in controlled.rows
        if p.row.disproportionate
        and p.row.ratio is not None
        and not p.suppressed & {"ratio", "rate", "numerator"}
    ]
    if not rows:
        return [
            f"No published difference between groups in {inputs.area_name} is large enough to "
            "be called disproportionate after the correction for multiple comparisons."
        ]
    return [sentences.sentence(analysis, r) for r in rows]
