"""``dsvb marac-return --from DATE --to DATE [--marac NAME] --format csv|json``: the MARAC
quarterly return, as SafeLives collects it, from the web's database (where partnership
cases live), counted by the same adapter and rules as the web page
(:mod:`dsvb.web.cases.marac_data`, :mod:`dsvb.cases.marac`). Counts only: no person is named.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click


def _date(ctx: click.Context, param: click.Parameter, value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date: write it as YYYY-MM-DD, e.g. 2026-03-31"
        ) from None


@click.command("marac-return")
@click.option("--from", "start", required=True, callback=_date, help="First day (YYYY-MM-DD)")
@click.option("--to", "end", required=True, callback=_date, help="Last day (YYYY-MM-DD)")
@click.option("--marac", "name", default=None, help="The MARAC's name (default: every MARAC)")
@click.option("--women", type=click.IntRange(min=1), default=None, help="Adult women (16+)")
@click.option(
    "--idva-fte", type=click.FloatRange(min=0, min_open=True), default=None, help="Full-time IDVAs"
)
@click.option(
    "--people",
    type=click.Choice(("recorded", "linked")),
    default="recorded",
    show_default=True,
    help="linked: repeats by linked person too, beside those by recorded victim "
    "(needs `dsvb link`).",
)
@click.option(
    "--store",
    "store_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The analytical store holding the person keys (default: DSVB_STORE).",
)
@click.option(
    "--format", "fmt", type=click.Choice(("csv", "json")), default="csv", show_default=True
)
def marac_return(
    start: dt.date,
    end: dt.date,
    name: str | None,
    women: int | None,
    idva_fte: float | None,
    people: str,
    store_path: Path | None,
    fmt: str,
) -> None:
    """The MARAC return of the cases discussed from --from to --to (both included): cases,
    repeats, children, referrals by agency, police vs partners, victims BME / LGBT /
    disabled / male / 16-17, perpetrators under 18, and the benchmarks."""
    if end < start:
        raise click.BadParameter(f"{end} is before --from {start}", param_hint="'--to'")
    from dsvb.web.commands import setup

    setup()
    from dsvb.cases import marac as rules
    from dsvb.web.cases import marac_data

    every = marac_data.maracs()
    chosen = [m for m in every if name is None or m.name == name]
    if name is not None and not chosen:
        known = ", ".join(m.name for m in every) or "none is set up"
        raise click.BadParameter(
            f"no MARAC is called {name!r} (MARACs: {known})", param_hint="'--marac'"
        )
    keys = None
    if people == "linked":
        from dsvb import store

        path = store.resolve_store_path(store_path) if store_path else None
        try:
            keys = marac_data.person_keys(path)
        except marac_data.NotLinked as exc:
            raise click.ClickException(str(exc)) from None
    ret = marac_data.marac_return(
        chosen, start, end, adult_women=women, idva_fte=idva_fte, keys=keys
    )
    click.echo(rules.as_json(ret) if fmt == "json" else rules.as_csv(ret), nl=fmt == "json")
