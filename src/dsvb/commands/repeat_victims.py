"""``dsvb repeat-victims --store PATH``: repeat victimisation by recorded id and by linked
person side by side, per area and the force (:mod:`dsvb.indicators.linked`), so the board
sees how much repeat victimisation the records hid. An internal figure: counts of people
not put through disclosure control, never to be published as they stand (a note on stderr
says so)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import click

from dsvb.commands import whole_date

INTERNAL = (
    "note: an internal figure (counts of people by linked identity, without small-number "
    "suppression): not for publication"
)


@click.command("repeat-victims")
@click.option(
    "--store",
    "store_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The analytical store to read (default: DSVB_STORE, else var/store.duckdb).",
)
@click.option("--from", "date_from", help="Period start (inclusive), YYYY-MM-DD.")
@click.option("--to", "date_to", help="Period end (exclusive), YYYY-MM-DD.")
@click.option(
    "--family",
    type=click.Choice(("dv", "serious_sexual", "sexual", "other_sexual", "all")),
    default="dv",
    show_default=True,
)
@click.option(
    "--window-months",
    type=click.IntRange(1, 120),
    default=12,
    show_default=True,
    help="Look-back window for repeat victimisation.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("csv", "json", "table")),
    default="csv",
    show_default=True,
)
def repeat_victims(
    store_path: Path | None,
    date_from: str | None,
    date_to: str | None,
    family: str,
    window_months: int,
    fmt: str,
) -> None:
    """Victims, repeat victims, the repeat-victim rate and offences per repeat victim, by
    recorded id and by linked person, per area and for the force; hidden repeat victims =
    linked - recorded. Needs a store whose people were linked (`dsvb link`)."""
    from dsvb import store
    from dsvb.indicators import definitions, linked
    from dsvb.indicators.engine import IndicatorQuery, NoLinks, unlinked_note, unlinked_records

    path = store.resolve_store_path(store_path)
    if not path.exists():
        raise click.ClickException(f"{path}: no such store")
    start, end = whole_date(date_from, "--from"), whole_date(date_to, "--to")
    if start is not None and end is not None and end <= start:
        raise click.BadParameter(
            f"{end} is not after --from {start}: the period is [--from, --to)", param_hint="--to"
        )
    families = definitions.ALL_FAMILIES if family == "all" else (family,)
    query = IndicatorQuery(families=families, start=start, end=end, window_months=window_months)
    try:
        con = store.connect(path, read_only=True)
    except (FileNotFoundError, store.NotAStoreError) as exc:
        raise click.ClickException(str(exc)) from None
    try:
        figures = linked.side_by_side(con, query)
        unlinked = unlinked_records(con)
    except NoLinks as exc:
        raise click.ClickException(str(exc).replace("PATH", str(path))) from None
    finally:
        con.close()
    rows = linked.rows(figures)
    if fmt == "json":
        click.echo(
            json.dumps({"internal": True, "unlinked_records": unlinked, "rows": rows}, indent=2)
        )
    elif fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=linked.COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows({c: "" if r[c] is None else r[c] for c in linked.COLUMNS} for r in rows)
        click.echo(out.getvalue(), nl=False)
    else:
        click.echo(_table(rows), nl=False)
    note = unlinked_note(unlinked, path)
    if note:
        click.echo(note, err=True)
    click.echo(INTERNAL, err=True)


def _table(rows: list[dict[str, object]]) -> str:
    shown = (
        "area_name",
        "family",
        "victims_recorded",
        "victims_linked",
        "repeat_victims_recorded",
        "repeat_victims_linked",
        "hidden_repeat_victims",
        "repeat_victim_rate_recorded",
        "repeat_victim_rate_linked",
    )
    cells = [[("" if r[c] is None else str(r[c])) for c in shown] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(shown)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(shown, widths, strict=True))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(lines) + "\n"
