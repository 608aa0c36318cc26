"""Tables: the pan-force tables the report prints (headline; by borough and unit).

The headline figures, domestic violence by borough, sexual offences by borough and
investigating unit. Each reads the printed cells of a
:class:`~dsvb.oversight.annual_report.figures.Printed`, so a table never shows more than the
policy lets through. Separate because the tables are the report's longest layout code and
change with the report's design, not with its figures.
"""

from __future__ import annotations

from dsvb.indicators import formatting
from dsvb.indicators.definitions import FAMILIES
from dsvb.indicators.periods import months_label
from dsvb.indicators.results import FORCE_CODE
from dsvb.oversight.annual_report.figures import Printed, _cell_text, _count_text, _part_text
from dsvb.oversight.document import Table
from dsvb.reports import disclosure

CHARGES_NOTE = (
    "Charges are not published by borough: beside sanction detections and cautions they "
    "would give the other sanction detections by subtraction, which are small on most "
    "boroughs (as in the statistical releases)."
)


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
