"""``dsvb dash-wording FILE``: check an installation's licensed DASH wording before using it.

The official DASH wording is copyright, so dsvb ships short labels of its own; an
installation with a licence points ``DSVB_DASH_WORDING`` at its copy
(``checklist,question_id,wording``). This reads the file as the web will, names the file,
line and column of a mistake, and says how many of each checklist's questions it covers (a
question it does not cover keeps dsvb's label)."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("dash-wording")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def dash_wording(file: Path) -> None:
    """Check a licensed DASH wording FILE (CSV: checklist,question_id,wording) and say how
    many questions of each checklist it covers. Exits 1, naming the line and column, if
    the file cannot be used."""
    from dsvb.cases.dash import DashFileError, checklists, wording_file

    try:
        wording = wording_file(file)
    except DashFileError as exc:
        raise click.ClickException(str(exc)) from None
    for checklist in checklists().values():
        ids = {q.id for q in checklist.questions}
        covered = sum(1 for c, q in wording if c == checklist.id and q in ids)
        missing = len(ids) - covered
        line = f"{checklist.id}: {covered} of {len(ids)} questions worded ({checklist.name})"
        if missing:
            line += f"; {missing} keep dsvb's short label"
        click.echo(line)
    click.echo(f"{file}: {len(wording)} questions in all")
