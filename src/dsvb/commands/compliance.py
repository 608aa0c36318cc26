"""``dsvb compliance-list LIST --store PATH``: one of the managers' compliance lists
(:mod:`dsvb.cases.compliance`) for a period, as CSV or JSON, for a manager who works in a
spreadsheet. The records are those the indicator counts as not compliant, so the number of
rows is the scorecard's denominator minus its numerator for the same area and period."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import click

from dsvb.commands import whole_date


@click.command("compliance-list")
@click.argument("list_id", metavar="LIST")
@click.option(
    "--store",
    "store_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The analytical store to read (default: DSVB_STORE, else var/store.duckdb).",
)
@click.option("--area", "area_code", help="One area's records only (an ONS borough code).")
@click.option("--from", "date_from", help="Period start (inclusive), YYYY-MM-DD.")
@click.option("--to", "date_to", help="Period end (exclusive), YYYY-MM-DD.")
@click.option(
    "--format", "fmt", type=click.Choice(("csv", "json")), default="csv", show_default=True
)
def compliance_list(
    list_id: str,
    store_path: Path | None,
    area_code: str | None,
    date_from: str | None,
    date_to: str | None,
    fmt: str,
) -> None:
    """The records of one compliance list (default period: the latest 12 months held).

    LIST: no_risk_form, risk_form_not_supervised, suspect_present_no_arrest,
    no_crime_report_or_reason or repeat_cautions."""
    from dsvb import reference, store
    from dsvb.cases import compliance
    from dsvb.indicators.engine import data_period
    from dsvb.indicators.model import add_months

    if list_id not in compliance.LISTS:
        raise click.BadParameter(
            f"no list {list_id!r}; choose from {', '.join(compliance.LISTS)}", param_hint="LIST"
        )

    if area_code is not None and area_code not in {a.code for a in reference.areas()}:
        raise click.BadParameter(f"no area has the code {area_code!r}", param_hint="--area")
    store_path = store.resolve_store_path(store_path)
    if not store_path.exists():
        raise click.ClickException(f"{store_path}: no such store")
    start, end = whole_date(date_from, "--from"), whole_date(date_to, "--to")
    con = store.connect(store_path, read_only=True)
    try:
        if start is None or end is None:
            held = data_period(con)
            if held is None:
                raise click.ClickException(f"{store_path} holds no records")
            end = end or held.end
            start = start or max(held.start, add_months(end, -12))
        if end <= start:
            raise click.BadParameter("the period must end after it starts", param_hint="--to")
        found = compliance.records(con, list_id, start=start, end=end, area=area_code)
    finally:
        con.close()
    item = compliance.LISTS[list_id]
    if fmt == "json":
        document = {
            "list": item.id,
            "title": item.title,
            "indicator": item.indicator,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "area": area_code,
            "count": len(found),
            "records": [
                {
                    "kind": r.kind,
                    "id": r.id,
                    "area_code": r.area_code,
                    "unit": r.unit,
                    "dates": [d.isoformat() for d in r.dates],
                    "crime_ids": list(r.crime_ids),
                    "fields": dict(r.fields),
                }
                for r in found
            ],
        }
        click.echo(json.dumps(document, indent=2))
        return
    header, rows = compliance.table(item.id, found)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
