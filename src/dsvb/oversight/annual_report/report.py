"""The report: the whole document from the inputs, and the download of its figures.

:func:`build_annual_report` lays out the commentary, findings, recommendations, success
factors, last year's progress and each borough's outcomes; :func:`tables_csv` writes every
figure it prints in the public download format. Separate from the parts it assembles so the
order and headings of the report are read in one place.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from dsvb.indicators.definitions import FAMILIES, INDICATORS
from dsvb.indicators.model import Period
from dsvb.indicators.periods import months_label
from dsvb.oversight.annual_report.charts import sd_chart, volume_chart
from dsvb.oversight.annual_report.figures import Printed, printed
from dsvb.oversight.annual_report.inputs import THEMES, AnnualReportInputs
from dsvb.oversight.annual_report.sentences import (
    caution_sentences,
    dv_sentence,
    incidents_sentence,
    sexual_sentence,
    volume_sentence,
)
from dsvb.oversight.annual_report.tables import dv_table, headline_table, sexual_table
from dsvb.oversight.document import BulletList, Document, Paragraph, Section
from dsvb.oversight.recommendations import progress, status_label
from dsvb.reports import disclosure, publication
from dsvb.reports.disclosure import PublishedTable
from dsvb.reports.spreadsheets import defused

NOT_FOR_PUBLICATION = "NOT FOR PUBLICATION: exact figures, no disclosure control"


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
    published = inputs.policy is not None
    boroughs = Section(
        "Boroughs: commended and asked to follow up",
        (),
        tuple(
            Section(
                b.area,
                (
                    *(
                        (Paragraph(f"{b.area} were commended for:"), BulletList(commended))
                        if commended
                        else ()
                    ),
                    *(
                        (
                            Paragraph(f"{b.area} were asked to follow up on:"),
                            BulletList(follow_up),
                        )
                        if follow_up
                        else ()
                    ),
                ),
                level=3,
                key=f"borough-{k}",
            )
            for k, b in enumerate(inputs.boroughs, start=1)
            for commended, follow_up in (b.worded(published),)
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
