"""``dsvb import-cases DIR [--dry-run] [--new-agencies]``: an agency's cases, moved from its
spreadsheets.

DIR holds the CSV files of the cases' interchange format (``docs/cases-format.md``). Every
problem is printed, one per line as ``file:line: column: problem``, and then nothing is
stored (exit status 1); a valid folder is stored in one transaction, and importing the same
folder again changes nothing. ``--dry-run`` checks and counts without storing.
``--new-agencies`` allows agencies not yet in dsvb to be created; without it an agency name
that matches no stored agency (ignoring case and spacing) is a problem, so a misspelt name
never becomes a second agency.
"""

from __future__ import annotations

from pathlib import Path

import click


@click.command("import-cases")
@click.argument("folder", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check and count; store nothing.")
@click.option(
    "--new-agencies",
    is_flag=True,
    help="Create the agencies of agencies.csv not yet in dsvb (else each is a problem).",
)
def import_cases(folder: Path, dry_run: bool, new_agencies: bool) -> None:
    """Import partnership cases from DIR: CSV files in the format of docs/cases-format.md
    (agencies.csv, people.csv, cases.csv, ...). Every problem is printed as
    file:line: column: problem, and then nothing is stored."""
    from dsvb.web.commands import setup

    setup()
    from dsvb.cases.interchange_read import InterchangeError
    from dsvb.web.cases import importer

    try:
        summary = importer.import_cases(folder, dry_run=dry_run, new_agencies=new_agencies)
    except InterchangeError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(exc.problems)} problem(s) in {folder}: nothing was imported.", err=True)
        raise SystemExit(1) from None
    for line in summary.lines():
        click.echo(line)
    totals = summary.totals()
    done = "would be" if dry_run else "were"
    click.echo(
        f"{totals.created} record(s) {done} created, {totals.updated} updated, "
        f"{totals.unchanged} unchanged" + (" (dry run: nothing stored)" if dry_run else "")
    )
