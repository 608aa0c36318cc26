"""Borough reports, checked: every figure a report states, found and judged.

One call, :func:`check_report`, on a document's lines
(:func:`dsvb.oversight.reading.read_document`) gives a :class:`ReportCheck`: one
:class:`CheckedFigure` per figure found, in the order of the document, each with a verdict:

``consistent``
    it agrees with the other figures it is stated with (a percentage with its counts, a part
    with its whole, a breakdown with its total);
``inconsistent``
    it does not: the report contradicts itself (every figure in the failed check is marked);
``matches_data``
    it is dsvb's own figure for the borough and period (or the published return's);
``differs_from_data``
    it is not, by ``difference``;
``unchecked``
    nothing could be checked: no figure to check it against, a force average or target, or
    words that name nothing dsvb computes.

Precedence when several apply: ``inconsistent`` > ``differs_from_data`` > ``matches_data``
> ``consistent`` > ``unchecked``. An arithmetic inconsistency is never hidden behind a data
match; a difference from the data is shown over an arithmetic agreement; ``explanation``
always says every check the figure took part in. Without :class:`ComparisonData` (no
borough, period or store given) a figure can only be consistent, inconsistent or unchecked.

The types here are the web application's and the command line's: frozen, their fields
documented, :data:`COLUMNS` the export's columns (``dsvb check-report``).

The package is split by what it does: :mod:`figures` finds the figures (sentences,
label/value lines, tables), :mod:`labels` names what they count, :mod:`arithmetic` checks
them against each other, :mod:`against_data` against dsvb's figures.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

from dsvb.oversight.reading import Line
from dsvb.oversight.report_check.against_data import (
    ComparisonData,
    DataFigure,
    compare,
    from_assessment,
    from_returns,
)
from dsvb.oversight.report_check.arithmetic import Check, check_arithmetic
from dsvb.oversight.report_check.figures import CHANGE, COMPARATOR, StatedFigure, find_figures

__all__ = [
    "COLUMNS",
    "CONSISTENT",
    "DIFFERS_FROM_DATA",
    "INCONSISTENT",
    "MATCHES_DATA",
    "UNCHECKED",
    "VERDICTS",
    "CheckedFigure",
    "ComparisonData",
    "DataFigure",
    "ReportCheck",
    "check_report",
    "from_assessment",
    "from_returns",
]

CONSISTENT = "consistent"
INCONSISTENT = "inconsistent"
MATCHES_DATA = "matches_data"
DIFFERS_FROM_DATA = "differs_from_data"
UNCHECKED = "unchecked"
#: every verdict, strongest first (the precedence when several apply)
VERDICTS = (INCONSISTENT, DIFFERS_FROM_DATA, MATCHES_DATA, CONSISTENT, UNCHECKED)

#: the columns of :meth:`ReportCheck.to_csv` and of each row of :meth:`ReportCheck.to_json`
COLUMNS = (
    "line",
    "page",
    "text",
    "figure",
    "kind",
    "counts",
    "indicator",
    "recomputed",
    "data",
    "difference",
    "verdict",
    "explanation",
)


@dataclass(frozen=True)
class CheckedFigure:
    """One figure of the report, judged.

    ``line`` (and ``page`` for a PDF) is where a reader finds it; ``text`` the sentence,
    label/value line or table row it is stated in; ``figure`` as written; ``kind`` count,
    percentage or rate; ``counts`` what it counts in the report's words; ``indicator`` the
    dsvb indicator or count id ("" when the words name none); ``recomputed`` the figure
    worked out from the others it is stated with ("791 / 1,474 = 53.66%"), else "";
    ``data`` the data's figure it was compared with, else ""; ``difference`` the stated
    figure minus the data's (counts; percentage points for percentages), else "";
    ``verdict`` one of :data:`VERDICTS`; ``explanation`` every check made, in words.
    """

    line: int
    page: int | None
    text: str
    figure: str
    kind: str
    counts: str
    indicator: str
    recomputed: str
    data: str
    difference: str
    verdict: str
    explanation: str

    def record(self) -> dict[str, Any]:
        return {c: getattr(self, c) for c in COLUMNS}


@dataclass(frozen=True)
class ReportCheck:
    """Every figure a report states, judged; ``compared_with`` names the data (borough,
    family, period) or is "" when there was none, and ``notes`` say what data could not be
    had."""

    figures: tuple[CheckedFigure, ...]
    compared_with: str = ""
    notes: tuple[str, ...] = ()

    def count(self, verdict: str) -> int:
        return sum(f.verdict == verdict for f in self.figures)

    def on_line(self, line: int) -> tuple[CheckedFigure, ...]:
        return tuple(f for f in self.figures if f.line == line)

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        for f in self.figures:
            writer.writerow(["" if v is None else v for v in f.record().values()])
        return out.getvalue()

    def to_json(self) -> str:
        document = {
            "compared_with": self.compared_with or None,
            "notes": list(self.notes),
            "verdicts": {v: self.count(v) for v in VERDICTS},
            "columns": list(COLUMNS),
            "rows": [f.record() for f in self.figures],
        }
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def check_report(lines: list[Line], *, data: ComparisonData | None = None) -> ReportCheck:
    """Find every figure the lines state and judge it (see the module's documentation)."""
    found = find_figures(lines)
    checks = check_arithmetic(found)
    involved: dict[int, list[Check]] = {}
    for c in checks:
        for figure_id in c.judges:
            involved.setdefault(figure_id, []).append(c)
    rows = [_judge(f, involved.get(f.id, []), data) for f in found.figures]
    return ReportCheck(
        tuple(rows),
        compared_with=data.label if data is not None else "",
        notes=data.notes if data is not None else (),
    )


def _judge(f: StatedFigure, checks: list[Check], data: ComparisonData | None) -> CheckedFigure:
    if f.kind == "count":  # a count's own checks first: part of, total
        checks = sorted(checks, key=lambda c: c.kind == "percentage")
    own = [c for c in checks if c.figures[0] == f.id and c.kind == "percentage"] or checks
    failed = [c for c in checks if not c.holds]
    indicator = f.indicator or next((c.indicator for c in own if c.indicator), None)
    explanation: list[str] = []
    recomputed = ""
    if checks:
        shown = (failed or own)[0]
        recomputed = shown.recomputed
        explanation.extend(c.explanation for c in (failed or checks))
    arithmetic = INCONSISTENT if failed else CONSISTENT if checks else None
    data_text = difference = ""
    data_verdict = None
    if f.role == COMPARATOR:
        explanation.append("a force average or target the report compares with, not checked")
    elif f.role == CHANGE:
        explanation.append("a change or a difference between periods, not checked")
    elif data is not None and indicator is not None:
        period = "" if data.is_report_period(f.own_period) else f.own_period
        figure = data.find(indicator, period)
        result = compare(f, figure) if figure is not None else None
        if result is not None:
            data_text, difference = result.data.shown(), result.difference
            data_verdict = MATCHES_DATA if result.matches else DIFFERS_FROM_DATA
            explanation.append(result.explanation)
        elif period:
            explanation.append(
                f"stated for a period of its own ({period}): no data for that period to "
                "compare with"
            )
        else:
            explanation.append(f"no figure for {indicator} in the data to compare with")
    elif data is not None and indicator is None and f.kind == "count" and not checks:
        explanation.append("the words name nothing dsvb computes")
    verdict = next(
        (v for v in VERDICTS if v in (arithmetic, data_verdict)),
        UNCHECKED,
    )
    if verdict == UNCHECKED and not explanation:
        explanation.append("stated with no figure it can be checked against")
    return CheckedFigure(
        line=f.line,
        page=f.page,
        text=f.text,
        figure=f.figure,
        kind=f.kind,
        counts=f.counts,
        indicator=indicator or "",
        recomputed=recomputed,
        data=data_text,
        difference=difference,
        verdict=verdict,
        explanation="; ".join(explanation),
    )
