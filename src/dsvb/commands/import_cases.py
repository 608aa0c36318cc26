"""``dsvb import-cases DIR [--dry-run]``: an agency's cases, moved from its spreadsheets.

DIR holds the CSV files of the cases' interchange format (``docs/cases-format.md``). Every
problem is printed, one per line as ``file:line: column: problem``, and then nothing is
stored (exit status 1); a valid folder is stored in one transaction, and importing the same
folder again changes nothing. ``--dry-run`` checks and counts without storing.
"""

from __future__ import annotations

from pathlib import Path

import click


@click.command("import-cases")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check and count; store nothing.")
def import_cases(folder: Path, dry_run: bool) -> None:
    """Import partnership cases from FOLDER (agencies.csv, people.csv, cases.csv, ...)."""
    from dsvb.commands import django_setup

    django_setup.setup()
    from dsvb.cases.interchange_read import InterchangeError
    from dsvb.web.cases import importer

    try:
        summary = importer.import_cases(folder, dry_run=dry_run)
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
