"""``dsvb minutes parse FILE``: what importing minutes would find, stored nowhere.

One row per action (``paragraph,owner,task,line,due,form``; several owners joined with
"; "; ``due`` an ISO date or empty: a due stated without a date, "by the next meeting", is
in the JSON's ``due_text``), so a secretary can check an import before making it and a
script can feed the actions elsewhere. Warnings (an action with no owner, a paragraph number
used twice) go to standard error, each naming the file and line, so that the CSV on
standard output stays clean.
"""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import asdict
from pathlib import Path

import click

COLUMNS = ("paragraph", "owner", "task", "line", "due", "form")


@click.group("minutes")
def minutes() -> None:
    """Minutes of the board's meetings."""


@minutes.command("parse")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(("csv", "json")), default="csv", show_default=True
)
def parse(file: Path, fmt: str) -> None:
    """List the actions importing FILE (.txt, .md, .docx, .pdf) would find; stores nothing.

    One CSV row per action (paragraph,owner,task,line,due,form), or with --format json
    the numbered paragraphs, actions, attendance and warnings too."""
    from dsvb.oversight.minutes import parse_minutes
    from dsvb.oversight.reading import DocumentError

    try:
        parsed = parse_minutes(file, file.name)
    except DocumentError as exc:
        raise click.ClickException(str(exc)) from None
    for warning in parsed.warnings:
        click.echo(f"warning: {warning}", err=True)
    if fmt == "json":
        document = {
            "file": parsed.name,
            "title": parsed.title,
            "meeting_date": parsed.meeting_date,
            "numbering": parsed.numbering,
            "attendance": [asdict(g) for g in parsed.attendance],
            "apologies": list(parsed.apologies),
            "paragraphs": [asdict(p) for p in parsed.paragraphs],
            "actions": [asdict(a) for a in parsed.actions],
            "warnings": [
                {"line": w.line, "message": w.message, "text": str(w)} for w in parsed.warnings
            ],
        }
        click.echo(json.dumps(document, indent=2, default=str, ensure_ascii=False))
        return
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(COLUMNS)
    for action in parsed.actions:
        writer.writerow(
            (
                action.paragraph,
                "; ".join(action.owners),
                action.task,
                action.line,
                action.due.isoformat() if action.due else "",
                action.form,
            )
        )
