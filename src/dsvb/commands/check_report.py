"""``dsvb check-report FILE``: every figure a borough's report states, checked.

Without ``--area`` the figures are checked against each other only (consistent,
inconsistent or unchecked). With ``--area`` and a period (``--from/--to`` or ``--period``,
as ``dsvb assess`` takes them; by default the latest 12 months held) they are also compared
with dsvb's own figures for that borough from the store's records, and with the published
returns the store holds for that borough and period (``dsvb import-returns``); a store that
holds only returns is compared with the returns.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click


def _build() -> click.Command:
    """The command, built with the CLI's shared options (``cli.py`` registers the cycle's
    commands after defining them)."""
    from dsvb.cli import _period_options, _store_option

    @click.command("check-report")
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    @_store_option
    @_period_options
    @click.option(
        "--format", "fmt", type=click.Choice(("csv", "json")), default="csv", show_default=True
    )
    def check_report(
        file: Path,
        store_path: Path | None,
        family: str,
        period_key: str | None,
        date_from: str | None,
        date_to: str | None,
        area_code: str | None,
        fmt: str,
    ) -> None:
        """Check every figure a borough's report FILE (.txt, .md, .docx, .pdf) states: a
        percentage against the counts it is stated with, a part against its whole, a
        breakdown against its total, and -- with --area and a period -- each figure against
        dsvb's own figures for that borough and period (and published returns in the
        store). One row per figure: line, text, figure, recomputed, data, difference,
        verdict (consistent, inconsistent, matches_data, differs_from_data, unchecked) and
        an explanation."""
        from dsvb.cli import _fail, _period_dates
        from dsvb.oversight.reading import DocumentError, read_document
        from dsvb.oversight.report_check import check_report as check

        if area_code is None and (period_key or date_from or date_to or store_path):
            raise click.UsageError(
                "--store, --period, --from and --to compare the report with a borough's "
                "figures: give --area CODE too"
            )
        if area_code == "ALL":
            raise click.UsageError("a borough's report: give its borough code as --area")
        start, end = _period_dates(period_key, date_from, date_to)
        try:
            lines = read_document(file)
        except DocumentError as exc:
            _fail(str(exc))
        data = None
        if area_code is not None:
            data = _comparison_data(store_path, family, period_key, start, end, area_code)
        result = check(lines, data=data)
        click.echo(result.to_json() if fmt == "json" else result.to_csv(), nl=False)

    return check_report


def _comparison_data(
    store_path: Path | None,
    family: str,
    period_key: str | None,
    start: dt.date | None,
    end: dt.date | None,
    area_code: str,
) -> Any:
    """The borough's figures for the period: dsvb's computation where the store holds
    records for it, and the published returns it holds for the same borough and period."""
    import ibis

    from dsvb import reference
    from dsvb.cli import _fail, _open_store, _reporting_period
    from dsvb.indicators.engine import data_period
    from dsvb.ingest.returns import list_returns, load_return
    from dsvb.oversight.report_check import ComparisonData, from_assessment, from_returns

    boroughs = reference.boroughs()
    if area_code not in boroughs:
        raise click.UsageError(f"unknown area {area_code!r}: give a borough code (E09000021)")
    con = _open_store(store_path, read_only=True)
    notes: list[str] = []
    figures = []
    try:
        backend = ibis.duckdb.from_connection(con)
        held = data_period(backend)
        within = held is not None and (
            (start is None and end is None)
            or (
                (start or held.start) >= held.start
                and (end or held.end) <= held.end
                and (start or held.start) < (end or held.end)
            )
        )
        if within:
            from dsvb.indicators import assessment  # with SciPy: only when there is data

            chosen, held_months = _reporting_period(backend, family, period_key, start, end)
            judged = assessment.assess_store(backend, family, chosen, held_months.start)
            figures.extend(from_assessment(judged, area_code))
            start, end = chosen.period.start, chosen.period.end
        else:
            if start is None or end is None:
                _fail(
                    "the store holds no records for that period: give --from and --to to "
                    "compare with the published returns it holds"
                )
            notes.append(
                f"the store holds no records for {start} to {end - dt.timedelta(days=1)}: "
                "compared with published returns only"
            )
        returns = [load_return(con, s.return_id) for s in list_returns(con)]
    finally:
        con.close()
    published = from_returns(returns, area_code, family, start, end)
    if not published:
        notes.append("no published return in the store for this borough and period")
    figures.extend(published)
    if not figures:
        notes.append("nothing to compare with: every figure is checked by its arithmetic only")
    return ComparisonData(
        area_code, boroughs[area_code], family, start, end, tuple(figures), tuple(notes)
    )


def __getattr__(name: str) -> Any:
    """``check_report``, the command, built on first use: it takes its options from
    ``dsvb.cli``, which registers it, so it is built when asked for rather than at import
    (either module may be imported first)."""
    if name == "check_report":
        command = _build()
        globals()["check_report"] = command
        return command
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
