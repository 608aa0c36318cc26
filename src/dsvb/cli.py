"""The dsvb command line.

Every command that reads or writes the analytical store takes ``--store PATH`` (default:
the ``DSVB_STORE`` environment variable, else ``var/store.duckdb``).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from dsvb import __version__, store

FORMATS = ("csv", "json", "table")


def _store_option(func):  # noqa: ANN001 - click decorator
    return click.option(
        "--store",
        "store_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Analytical store (DuckDB file). Default: $DSVB_STORE, else var/store.duckdb.",
    )(func)


class _Progress:
    """Stage messages on stderr with elapsed time (silent with --quiet)."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.start = time.perf_counter()

    def __call__(self, message: str) -> None:
        if not self.quiet:
            click.echo(f"[{time.perf_counter() - self.start:7.1f}s] {message}", err=True)


@click.group()
@click.version_option(__version__, prog_name="dsvb")
def main() -> None:
    """dsvb: oversight of the police and partner response to domestic and sexual violence."""


# --- demo data ------------------------------------------------------------------------------


@main.command("demo-data")
@click.option("--incidents", type=click.IntRange(min=100), default=200_000, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option(
    "--start",
    type=click.DateTime(["%Y-%m-%d"]),
    default="2009-12-01",
    show_default=True,
    help="First day of the period the records fall in.",
)
@click.option("--months", type=click.IntRange(1, 240), default=12, show_default=True)
@click.option("--quiet", is_flag=True)
def demo_data(
    incidents: int, seed: int, out: Path, start: dt.datetime, months: int, quiet: bool
) -> None:
    """Write a synthetic extract calibrated to the published London figures."""
    from dsvb.demo.generator import generate_extract

    summary = generate_extract(
        out,
        incidents=incidents,
        seed=seed,
        start=start.date(),
        months=months,
        progress=_Progress(quiet),
    )
    counts = ", ".join(f"{k} {v:,}" for k, v in summary.row_counts.items())
    click.echo(f"Wrote a synthetic extract to {out}: {counts}.")


# --- imports --------------------------------------------------------------------------------


@main.command("import")
@click.argument("folder", type=click.Path(path_type=Path))
@_store_option
@click.option("--quiet", is_flag=True, help="No progress messages.")
def import_(folder: Path, store_path: Path | None, quiet: bool) -> None:
    """Validate an extract FOLDER and load it into the store (all or nothing)."""
    from dsvb.ingest.extract import ExtractError, import_extract

    con = store.connect(store_path)
    try:
        report = import_extract(con, folder, progress=_Progress(quiet))
    except ExtractError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    finally:
        con.close()
    click.echo(report.summary())


@main.command("import-returns")
@click.argument("file", type=click.Path(path_type=Path))
@_store_option
def import_returns(file: Path, store_path: Path | None) -> None:
    """Load a published aggregate table FILE (CSV), reporting what was normalised and every
    reconciliation difference."""
    from dsvb.ingest.returns import ReturnError, import_return

    con = store.connect(store_path)
    try:
        outcome = import_return(con, file)
    except ReturnError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    finally:
        con.close()
    click.echo(outcome.summary())


@main.command("imports")
@_store_option
@click.option("--format", "fmt", type=click.Choice(("table", "json")), default="table")
def imports(store_path: Path | None, fmt: str) -> None:
    """List the import log: when, what, row counts, normalisations, warnings."""
    from dsvb.ingest.extract import read_import_log

    con = store.connect(store_path, read_only=True)
    try:
        log = read_import_log(con)
    finally:
        con.close()
    if fmt == "json":
        click.echo(json.dumps(log, indent=2, default=str))
        return
    if not log:
        click.echo("No imports yet.")
    for entry in log:
        counts = entry["row_counts"] or {}
        click.echo(
            f"#{entry['import_id']} {entry['kind']} {entry['status']} "
            f"{entry['finished_at']:%Y-%m-%d %H:%M} {entry['source']} "
            f"({', '.join(f'{k} {v:,}' for k, v in counts.items())})"
        )
        for note in entry["normalised"] or []:
            click.echo(f"    normalised: {note}")
        for warning in entry["warnings"] or []:
            click.echo(f"    warning: {warning}")


# --- indicators -----------------------------------------------------------------------------


def _date(value: str | None, name: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date like 2010-01-01", param_hint=name
        ) from None


@main.command("indicators")
@click.option(
    "--extract",
    "extract_dir",
    type=click.Path(path_type=Path),
    help="Compute from an extract folder.",
)
@click.option(
    "--returns",
    "returns_file",
    type=click.Path(path_type=Path),
    help="Compute from a published table.",
)
@_store_option
@click.option("--from", "date_from", help="Period start (inclusive), e.g. 2010-01-01.")
@click.option("--to", "date_to", help="Period end (exclusive), e.g. 2011-01-01.")
@click.option(
    "--family",
    type=click.Choice(("dv", "serious_sexual", "sexual", "other_sexual", "all")),
    default="all",
    show_default=True,
)
@click.option(
    "--by",
    default="area",
    show_default=True,
    help="Cuts, comma-separated: area, unit, month, victim_sex, victim_age_band, "
    "victim_ethnicity, victim_disability, suspect_sex (and suspect_*), reason.",
)
@click.option("--indicator", "indicator_ids", help="Only these indicator ids, comma-separated.")
@click.option(
    "--window-months",
    type=click.IntRange(1, 120),
    default=12,
    show_default=True,
    help="Look-back window for repeat victimisation.",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
def indicators(
    extract_dir: Path | None,
    returns_file: Path | None,
    store_path: Path | None,
    date_from: str | None,
    date_to: str | None,
    family: str,
    by: str,
    indicator_ids: str | None,
    window_months: int,
    fmt: str,
    out: Path | None,
) -> None:
    """Compute the board's indicators, by area and other cuts, with a force-wide row."""
    from dsvb.indicators import definitions
    from dsvb.indicators.engine import (
        IndicatorQuery,
        UnknownCut,
        compute_from_extract,
        compute_from_store,
    )

    if extract_dir and returns_file:
        raise click.UsageError("give --extract or --returns, not both")
    if returns_file is not None:
        from dsvb.indicators.from_returns import indicators_from_return
        from dsvb.ingest.returns import ReturnError, read_return

        _refuse_with_returns(click.get_current_context())
        try:
            ret = read_return(returns_file)
            rows = indicators_from_return(ret)
        except ReturnError as exc:
            click.echo(str(exc), err=True)
            sys.exit(1)
        if family != "all":
            rows = [r for r in rows if r.family == family]
        if indicator_ids:
            wanted = set(indicator_ids.split(","))
            rows = [r for r in rows if r.indicator in wanted]
        _emit(rows, fmt, out)
        for note in ret.notes:  # after the output, on stderr: stdout stays CSV/JSON only
            click.echo(str(note), err=True)
        return

    families = definitions.ALL_FAMILIES if family == "all" else (family,)
    try:
        query = IndicatorQuery(
            families=families,
            start=_date(date_from, "--from"),
            end=_date(date_to, "--to"),
            by=tuple(c.strip() for c in by.split(",")) if by else (),
            window_months=window_months,
            indicators=tuple(indicator_ids.split(",")) if indicator_ids else None,
        )
    except (UnknownCut, ValueError) as exc:
        raise click.UsageError(str(exc)) from None

    from dsvb.ingest.extract import ExtractError

    try:
        if extract_dir is not None:
            rows = compute_from_extract(extract_dir, query)
        else:
            rows = compute_from_store(store_path, query)
    except ExtractError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    except FileNotFoundError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    _emit(rows, fmt, out)


#: options of ``indicators`` that a published table cannot honour: it has its own areas,
#: units and period, and no records to cut, window or read from a store
_NOT_WITH_RETURNS = (
    ("by", "--by"),
    ("date_from", "--from"),
    ("date_to", "--to"),
    ("window_months", "--window-months"),
    ("store_path", "--store"),
)


def _refuse_with_returns(ctx: click.Context) -> None:
    given = [
        flag
        for name, flag in _NOT_WITH_RETURNS
        if ctx.get_parameter_source(name) not in (None, click.core.ParameterSource.DEFAULT)
    ]
    if given:
        raise click.UsageError(
            f"{', '.join(given)} {'does' if len(given) == 1 else 'do'} not apply with "
            "--returns: a published table gives the areas, units and period it prints "
            "(use --family and --indicator to choose among them)"
        )


def _emit(rows: list, fmt: str, out: Path | None) -> None:
    from dsvb.indicators import results

    if fmt == "csv":
        text = results.to_csv(rows)
    elif fmt == "json":
        text = results.to_json(rows)
    else:
        text = _table(rows)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {len(rows):,} rows to {out}", err=True)
    else:
        click.echo(text, nl=False)


def _table(rows: list) -> str:
    """A compact human-readable table: one line per area, family and indicator."""
    from dsvb.indicators.results import columns_for

    if not rows:
        return "No results.\n"
    columns = [c for c in columns_for(rows) if c not in ("area_code",)]
    records = []
    for r in rows:
        record = r.as_record()
        value = record["value"]
        if value is not None and r.is_rate:
            record["value"] = (
                f"{value:.1%}" if r.indicator != "offences_per_repeat_victim" else f"{value:.2f}"
            )
        records.append({c: "" if record.get(c) is None else str(record.get(c)) for c in columns})
    widths = {c: max(len(c), *(len(rec[c]) for rec in records)) for c in columns}
    lines = ["  ".join(c.ljust(widths[c]) for c in columns)]
    lines += ["  ".join(rec[c].ljust(widths[c]) for c in columns) for rec in records]
    return "\n".join(lines) + "\n"


@main.command("definitions")
@click.option("--format", "fmt", type=click.Choice(("table", "json")), default="table")
def definitions_(fmt: str) -> None:
    """List every indicator with its numerator, denominator and families."""
    from dsvb.indicators import definitions as defs

    records = [
        {
            "indicator": i.id,
            "label": i.label,
            "numerator": defs.COUNTS[i.numerator].description,
            "denominator": defs.COUNTS[i.denominator].description if i.denominator else "",
            "families": ", ".join(i.families) or "all",
        }
        for i in defs.INDICATORS.values()
    ]
    if fmt == "json":
        click.echo(json.dumps(records, indent=2))
        return
    for r in records:
        click.echo(f"{r['indicator']}: {r['label']} [{r['families']}]")
        click.echo(f"    numerator:   {r['numerator']}")
        if r["denominator"]:
            click.echo(f"    denominator: {r['denominator']}")


# --- web application --------------------------------------------------------------------------


def _django() -> None:
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dsvb.web.settings")
    import django

    django.setup()


@main.command(
    "manage",
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    add_help_option=False,
)
@click.pass_context
def manage(ctx: click.Context) -> None:
    """Run a Django management command (e.g. dsvb manage migrate)."""
    import os

    from django.core.management import execute_from_command_line

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dsvb.web.settings")
    execute_from_command_line(["dsvb manage", *ctx.args])


@main.command("demo")
@click.option(
    "--incidents",
    type=click.IntRange(min=1000),
    default=None,
    help="Size of the demo extract (default: the real London volume, about 135,000).",
)
def demo(incidents: int | None) -> None:
    """Load demo data and accounts into an empty installation (steps already done are skipped)."""
    _django()
    from dsvb.web import demo as demo_data

    demo_data.load(
        say=lambda m: click.echo(m, err=True), **({"incidents": incidents} if incidents else {})
    )
    click.echo("Demo accounts (user name, password, role):")
    for line in demo_data.account_lines():
        click.echo(line)


def _exposure_problems(host: str, settings: Any, environ: Mapping[str, str]) -> list[str]:
    """What makes serving on ``host`` unsafe (nothing when only this machine can connect)."""
    import ipaddress

    name = host.strip("[]")
    if name == "localhost":
        return []
    try:
        if ipaddress.ip_address(name).is_loopback:
            return []
    except ValueError:
        pass  # a host name other than localhost: reachable from elsewhere
    problems = []
    if not settings.HTTPS:
        problems.append(
            "DSVB_HTTPS is not set, so passwords and session cookies would cross the network "
            "unencrypted"
        )
    if not environ.get("DSVB_SECRET_KEY"):
        problems.append("DSVB_SECRET_KEY is not set (sessions would be signed with a key "
                        "kept in the data folder)")  # fmt: skip
    return problems


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8000, show_default=True)
@click.option("--workers", type=int, default=2, show_default=True, help="gunicorn worker processes")
@click.option("--threads", type=int, default=4, show_default=True, help="threads per worker")
@click.option(
    "--allow-insecure",
    is_flag=True,
    help="Serve on a non-local address without HTTPS or without DSVB_SECRET_KEY (never for "
    "real data).",
)
def serve(host: str, port: int, workers: int, threads: int, allow_insecure: bool) -> None:
    """Start the web application (gunicorn) after applying migrations.

    On an address other than this machine's own, it refuses to start unless served over
    HTTPS (DSVB_HTTPS=1, usually behind a TLS proxy) with its own DSVB_SECRET_KEY: the data
    are special-category personal data."""
    import os

    _django()
    from django.conf import settings
    from django.core.management import call_command

    from dsvb.web import demo as demo_data

    unsafe = _exposure_problems(host, settings, os.environ)
    if unsafe and not allow_insecure:
        raise click.UsageError(
            f"not serving on {host}: " + "; ".join(unsafe) + ". Set them (see the README's "
            "Configuration), serve on 127.0.0.1 behind a TLS proxy, or pass --allow-insecure "
            "for a throw-away demonstration."
        )
    for problem in unsafe:
        click.echo(f"WARNING: {problem}", err=True)

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    from django.core.cache import cache

    cache.clear()  # pages and charts of a previous run may describe another store
    click.echo(f"dsvb is running at http://{host}:{port}/  (stop with Ctrl+C)")
    lines = demo_data.account_lines()
    if lines:
        click.echo(
            f"Demo accounts (user name, password, role), also in {demo_data.accounts_file()}:"
        )
        for line in lines:
            click.echo(line)
    click.echo(
        f"Application database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]};"
        f" analytical store: {settings.DSVB_STORE}"
    )
    args = [
        sys.executable,
        "-m",
        "gunicorn",
        "dsvb.web.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread",
        "--access-logfile",
        "-",
        "--timeout",
        "120",
        "--no-control-socket",  # gunicorn's default socket path is shared by every server
        "--config",
        "python:dsvb.web.gunicorn_conf",
    ]
    os.execv(sys.executable, args)
