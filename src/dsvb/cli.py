"""The dsvb command line.

Every command that reads or writes the analytical store takes ``--store PATH`` (default:
the ``DSVB_STORE`` environment variable, else ``var/store.duckdb``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from dsvb import __version__, store
from dsvb.commands import whole_date

if TYPE_CHECKING:
    import duckdb

    from dsvb.indicators.engine import IndicatorQuery
    from dsvb.indicators.model import Period

FORMATS = ("csv", "json", "table")


def _store_option(func):  # noqa: ANN001 - click decorator
    return click.option(
        "--store",
        "store_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Analytical store (DuckDB file). Default: $DSVB_STORE, else var/store.duckdb.",
    )(func)


def _fail(message: str) -> NoReturn:
    """Say what went wrong on stderr and exit 1 (a usage error exits 2, through click)."""
    click.echo(message, err=True)
    sys.exit(1)


def _open_store(path: Path | None, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    """The store, or a clear message and exit 1 when it is missing (to read) or not a store."""
    import duckdb

    resolved = store.resolve_store_path(path)
    try:
        return store.connect(resolved, read_only=read_only)
    except (FileNotFoundError, store.NotAStoreError) as exc:
        _fail(str(exc))
    except duckdb.Error as exc:
        _fail(f"Cannot open the store {resolved}: {exc}")


def _operator_name(by: str | None) -> str:
    """Who makes a command-line import: ``--by``, else the OS user."""
    if by:
        return by
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # no user name in this environment
        return "unknown"


@contextlib.contextmanager
def _writable_store(
    path: Path | None, *, by: str | None, wait: float, progress: Any
) -> Iterator[Any]:
    """The store, to write one import to (``dsvb.store.writer``): waits, with progress on
    stderr, while another import writes it, then gives up with a clear message. A failure
    leaves the store as it was; a store (and folder) this command would have created is not
    left behind."""
    import duckdb

    from dsvb.store import writer

    resolved = store.resolve_store_path(path)
    new_folders = [folder for folder in resolved.parents if not folder.exists()]
    origin = writer.Origin(_operator_name(by), writer.COMMAND_LINE)
    try:
        with writer.writing(resolved, origin, wait=wait, progress=progress) as write:
            yield write
    except (store.NotAStoreError, writer.StoreBusy) as exc:
        _fail(str(exc))
    except duckdb.Error as exc:
        if _CtrlC.pressed:  # DuckDB's report of a Ctrl+C inside a query
            raise KeyboardInterrupt from exc
        _fail(f"Cannot write the store {resolved}: {exc}")
    finally:
        if not resolved.exists():
            for folder in new_folders:  # innermost first
                with contextlib.suppress(OSError):
                    folder.rmdir()


def _wait_option(func):  # noqa: ANN001 - click decorator
    from dsvb.store.writer import WAIT_SECONDS

    return click.option(
        "--wait",
        type=click.FloatRange(min=0),
        default=WAIT_SECONDS,
        show_default=True,
        help="Seconds to wait while another import (command line or web) writes the store.",
    )(func)


def _by_option(func):  # noqa: ANN001 - click decorator
    return click.option(
        "--by",
        default=None,
        help="Who is importing, recorded with the import (default: your user name).",
    )(func)


class _Progress:
    """Stage messages on stderr with elapsed time (silent with --quiet)."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.start = time.perf_counter()

    def __call__(self, message: str) -> None:
        if not self.quiet:
            click.echo(f"[{time.perf_counter() - self.start:7.1f}s] {message}", err=True)


#: commands that change nothing but the store, and the store only by a committed write
_STORE_ONLY = frozenset(
    {"import", "import-returns", "imports", "indicators", "definitions", "compare"}
)


def _interrupted(command: str | None) -> NoReturn:
    """Ctrl+C: one line saying what it left, never a traceback; exit status 130."""
    from dsvb.store import writer

    if writer.commits():
        message = "Interrupted after the import was stored (dsvb imports lists it)."
    elif command in _STORE_ONLY:
        message = "Interrupted; nothing was changed."
    else:
        message = "Interrupted."
    with contextlib.suppress(Exception):
        click.echo(message, err=True)
    sys.exit(130)


#: set to 1 to see the traceback of an unexpected error instead of the one-line message
DEBUG_VAR = "DSVB_DEBUG"


def _unexpected(command: str | None, exc: Exception) -> NoReturn:
    """A fault of dsvb itself, not of the input (every input problem has its own message):
    one line saying what happened and what it left, never a traceback unless asked for;
    exit status 70 (EX_SOFTWARE). A store write that was not committed changed nothing."""
    if os.environ.get(DEBUG_VAR) == "1":
        raise exc
    from dsvb.store import writer

    left = (
        "the import was stored (dsvb imports lists it)"
        if writer.commits()
        else "nothing was changed in the store"
        if command in _STORE_ONLY
        else "see above for what was done"
    )
    text = str(exc).splitlines()[0] if str(exc) else ""
    what = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    click.echo(
        f"dsvb {command or ''}: unexpected error ({what}); {left}. "
        f"Please report it; set {DEBUG_VAR}=1 to see the details.",
        err=True,
    )
    sys.exit(70)


class _CtrlC:
    """Notes that Ctrl+C was pressed, then raises KeyboardInterrupt as Python would.

    DuckDB turns the KeyboardInterrupt raised inside a running query into an error of its own
    (``RuntimeError: Query interrupted``); the note tells that error from a fault."""

    pressed = False

    def __call__(self, signum: int, frame: Any) -> None:
        type(self).pressed = True
        signal.default_int_handler(signum, frame)


class _Main(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        import duckdb

        previous = signal.getsignal(signal.SIGINT)
        noting = previous is signal.default_int_handler and (
            threading.current_thread() is threading.main_thread()
        )
        if noting:
            _CtrlC.pressed = False
            signal.signal(signal.SIGINT, _CtrlC())
        try:
            return super().invoke(ctx)
        except (KeyboardInterrupt, duckdb.InterruptException):
            _interrupted(ctx.invoked_subcommand)
        except click.Abort as exc:
            if isinstance(exc.__context__, KeyboardInterrupt) or _CtrlC.pressed:
                _interrupted(ctx.invoked_subcommand)
            raise
        except (click.ClickException, click.exceptions.Exit, SystemExit):
            raise
        except Exception as exc:
            if _CtrlC.pressed:
                _interrupted(ctx.invoked_subcommand)
            _unexpected(ctx.invoked_subcommand, exc)
        finally:
            if noting:
                signal.signal(signal.SIGINT, previous)


@click.group(cls=_Main)
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
@click.option(
    "--identifiers/--no-identifiers",
    default=True,
    show_default=True,
    help="Write people's synthetic names, dates of birth and postcodes (extract format 2).",
)
@click.option(
    "--truth",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write which true person each person id is (record_id,true_person,hard_case), to "
    "measure linkage; keep it outside the extract folder.",
)
@click.option("--quiet", is_flag=True)
def demo_data(
    incidents: int,
    seed: int,
    out: Path,
    start: dt.datetime,
    months: int,
    identifiers: bool,
    truth: Path | None,
    quiet: bool,
) -> None:
    """Write a synthetic extract calibrated to the published London figures."""
    from dsvb.demo.generator import generate_extract

    if truth is not None and not identifiers:
        raise click.UsageError("--truth is the truth of the identifiers: drop --no-identifiers")
    if truth is not None and truth.resolve().parent == out.resolve():
        raise click.UsageError(
            f"--truth {truth} is inside the extract folder {out}: the truth is not part of "
            "the extract (an import would warn about it); write it elsewhere"
        )
    try:
        summary = generate_extract(
            out,
            incidents=incidents,
            seed=seed,
            start=start.date(),
            months=months,
            progress=_Progress(quiet),
            identifiers=identifiers,
            truth=truth,
        )
    except ValueError as e:  # a period the rules do not cover
        raise click.ClickException(str(e)) from None
    counts = ", ".join(f"{k} {v:,}" for k, v in summary.row_counts.items())
    click.echo(f"Wrote a synthetic extract to {out}: {counts}.")
    if truth is not None:
        click.echo(f"Wrote the true person of each person id to {truth}.")


# --- imports --------------------------------------------------------------------------------


@main.command("import")
@click.argument("folder", type=click.Path(path_type=Path))
@_store_option
@click.option("--quiet", is_flag=True, help="No progress messages.")
@_by_option
@_wait_option
def import_(
    folder: Path, store_path: Path | None, quiet: bool, by: str | None, wait: float
) -> None:
    """Validate an extract FOLDER and load it into the store (all or nothing)."""
    from dsvb.ingest.extract import ExtractError, Problem, import_extract

    if not folder.is_dir():  # before the store is opened, so that none is created
        _fail(str(ExtractError(folder, [Problem(str(folder), "is not a folder")])))
    progress = _Progress(quiet)
    with _writable_store(store_path, by=by, wait=wait, progress=progress) as write:
        try:
            report = import_extract(write.con, folder, progress=progress)
        except ExtractError as exc:
            _fail(str(exc))
        if report.status == "imported":
            write.record(report.import_id)
    click.echo(report.summary())


@main.command("import-returns")
@click.argument("file", type=click.Path(path_type=Path))
@_store_option
@_by_option
@_wait_option
def import_returns(file: Path, store_path: Path | None, by: str | None, wait: float) -> None:
    """Load a published aggregate table FILE (CSV): what was stored on stdout, then its notes
    on stderr, one a line (what was normalised and read, and every reconciliation difference,
    within the table and with the other tables of its report in the store)."""
    from dsvb.ingest.returns import ReturnError, import_return

    progress = _Progress(False)
    with _writable_store(store_path, by=by, wait=wait, progress=progress) as write:
        try:
            outcome = import_return(write.con, file)
        except ReturnError as exc:
            _fail(str(exc))
        if outcome.status == "imported":
            write.record(outcome.return_id)
    click.echo(outcome.summary())
    for line in outcome.notes_text():
        click.echo(line, err=True)


@main.command("import-population")
@click.argument("file", type=click.Path(path_type=Path))
@_store_option
@click.option(
    "--source",
    default=None,
    help="Where the estimates come from, shown with every rate (default: the file name).",
)
@click.option("--synthetic", is_flag=True, help="Label the estimates as made up, not published.")
@_by_option
@_wait_option
def import_population_(
    file: Path,
    store_path: Path | None,
    source: str | None,
    synthetic: bool,
    by: str | None,
    wait: float,
) -> None:
    """Validate population estimates FILE (CSV, docs/population-format.md) and load them into
    the store (all or nothing), replacing what is held for the same areas and years."""
    from dsvb.equality.population import PopulationFormatError, import_population, not_a_file

    if (missing := not_a_file(file)) is not None:  # before a store is opened or made
        _fail(str(missing))
    progress = _Progress(False)
    with _writable_store(store_path, by=by, wait=wait, progress=progress) as write:
        try:
            report = import_population(
                write.con, file, source=source, synthetic=synthetic, progress=progress
            )
        except PopulationFormatError as exc:
            _fail(str(exc))
        if report.status == "imported":
            write.record(report.import_id)
    click.echo(report.summary())


@main.command("imports")
@_store_option
@click.option("--format", "fmt", type=click.Choice(("table", "json")), default="table")
def imports(store_path: Path | None, fmt: str) -> None:
    """List the import log: when, what, row counts, normalisations, warnings."""
    from dsvb.ingest.extract import read_import_log
    from dsvb.store.writer import import_origins

    con = _open_store(store_path, read_only=True)
    try:
        log = read_import_log(con)
        origins = import_origins(con)
    finally:
        con.close()
    for entry in log:
        origin = origins.get(entry["import_id"])
        entry["imported_by"] = origin["imported_by"] if origin else None
        entry["imported_via"] = origin["via"] if origin else None
        entry["job_id"] = origin["job_id"] if origin else None
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
        if entry["imported_by"] is not None:
            job = f", job {entry['job_id']}" if entry["job_id"] is not None else ""
            click.echo(f"    imported by {entry['imported_by']} ({entry['imported_via']}{job})")
        replaced = {k: v for k, v in entry["replaced"].items() if v}
        if replaced:
            click.echo(
                "    replaced records of earlier imports: "
                + ", ".join(f"{k} {v:,}" for k, v in replaced.items())
            )
        for note in entry["normalised"] or []:
            click.echo(f"    normalised: {note}")
        for warning in entry["warnings"] or []:
            click.echo(f"    warning: {warning}")


@main.command("export-parquet")
@_store_option
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write (created; an earlier export there is replaced whole).",
)
def export_parquet(store_path: Path | None, out_dir: Path) -> None:
    """Write the store's indicator tables as Parquet, with a manifest (for Spark: dsvb
    indicators --engine spark --parquet DIR). Identifiers of people are never written."""
    import duckdb

    from dsvb.store.parquet import ParquetExportError, export

    try:
        manifest = export(store_path, out_dir)
    except (FileNotFoundError, store.NotAStoreError, ParquetExportError) as exc:
        _fail(str(exc))
    except duckdb.Error as exc:
        _fail(f"Cannot export the store {store.resolve_store_path(store_path)}: {exc}")
    rows = ", ".join(f"{name} {manifest.rows(name):,}" for name in manifest.tables)
    click.echo(f"Wrote {out_dir} (schema version {manifest.schema_version}): {rows}")


# --- indicators -----------------------------------------------------------------------------

_date = whole_date  # --from and --to, as every command reads them


def _ids(text: str | None) -> tuple[str, ...] | None:
    """Comma-separated ids, spaces around each stripped (None when none are given)."""
    ids = tuple(i.strip() for i in text.split(",") if i.strip()) if text else ()
    return ids or None


def _given(ctx: click.Context, name: str) -> bool:
    return ctx.get_parameter_source(name) not in (None, click.core.ParameterSource.DEFAULT)


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
@click.option(
    "--from",
    "date_from",
    help="Period start (inclusive), a local date YYYY-MM-DD, e.g. 2010-01-01. "
    "Default: the first month in the data.",
)
@click.option(
    "--to",
    "date_to",
    help="Period end (exclusive), a local date YYYY-MM-DD, e.g. 2011-01-01. "
    "Default: after the last month in the data.",
)
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
@click.option(
    "--people",
    type=click.Choice(("recorded", "linked")),
    default="recorded",
    show_default=True,
    help="Who is the same person when people are counted (victims, offenders): each "
    "recorded id, or the records `dsvb link` gave one person key.",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
@click.option(
    "--engine",
    type=click.Choice(("duckdb", "spark")),
    default="duckdb",
    show_default=True,
    help="Run the definitions on DuckDB (the store or --extract) or on Apache Spark "
    "(a folder written by dsvb export-parquet: --parquet). See docs/spark.md.",
)
@click.option(
    "--parquet",
    "parquet_dir",
    help="With --engine spark: the folder dsvb export-parquet wrote (a local path, or a "
    "URI Spark reads such as s3a://bucket/dsvb/).",
)
@click.option(
    "--spark-master",
    help="With --engine spark: the Spark master for a session started here (default: "
    "$DSVB_SPARK_MASTER, else local[*]); under spark-submit the submitted job's is used.",
)
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
    people: str,
    fmt: str,
    out: Path | None,
    engine: str,
    parquet_dir: str | None,
    spark_master: str | None,
) -> None:
    """Compute the board's indicators, by area and other cuts, with a force-wide row."""
    from dsvb.indicators import definitions
    from dsvb.indicators.engine import IndicatorQuery, UnknownCut

    if extract_dir and returns_file:
        raise click.UsageError("give --extract or --returns, not both")
    _check_engine(click.get_current_context(), engine, parquet_dir, spark_master)
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
        wanted = _ids(indicator_ids)
        unknown = [i for i in wanted or () if i not in definitions.INDICATORS]
        if unknown:
            raise click.UsageError(f"unknown indicator(s): {', '.join(unknown)}")
        if family != "all":
            rows = [r for r in rows if r.family == family]
        missing: list[str] = []
        if wanted:
            given = {r.indicator for r in rows}
            missing = [i for i in wanted if i not in given]
            rows = [r for r in rows if r.indicator in wanted]
        _emit(rows, fmt, out)
        for note in ret.notes:  # after the output, on stderr: stdout stays CSV/JSON only
            click.echo(str(note), err=True)
        if missing:
            where = "" if family == "all" else f" for the {family} family"
            click.echo(f"note: this table does not give{where}: {', '.join(missing)}", err=True)
        return

    if extract_dir is not None and _given(click.get_current_context(), "store_path"):
        raise click.UsageError(
            "give --extract or --store, not both: --extract computes from the folder alone"
        )
    start, end = _date(date_from, "--from"), _date(date_to, "--to")
    if start is not None and end is not None and start >= end:
        raise click.UsageError(
            f"--from {start} must be before --to {end}: the period is [--from, --to), "
            "whole local dates"
        )
    families = definitions.ALL_FAMILIES if family == "all" else (family,)
    try:
        query = IndicatorQuery(
            families=families,
            start=start,
            end=end,
            by=tuple(c.strip() for c in by.split(",")) if by else (),
            window_months=window_months,
            indicators=_ids(indicator_ids),
            people=people,
        )
    except (UnknownCut, ValueError) as exc:
        raise click.UsageError(str(exc)) from None
    notes = _left_out(query)

    import dataclasses

    from dsvb.indicators.engine import compute, data_period

    if engine == "spark":
        where = f"the export {parquet_dir}"
        con, has_records, close = _open_spark(str(parquet_dir), spark_master)
    else:
        where = "the extract" if extract_dir is not None else "the store"
        con = _open_data(extract_dir, store_path)
        has_records, close = functools.partial(_has_records, con), con.close
    try:
        if people == "linked":
            _check_links(con, extract_dir, store_path)
            notes.extend(_linked_notes(con, store_path))
        held = data_period(con)
        notes.extend(_implausible_notes(con, where))
        period = _period(query, held, where)
        if not has_records(period):
            holds = f"it holds months {_months(held)}" if held else "it holds none at all"
            notes.insert(
                0,
                f"warning: {where} holds no incidents or crimes from {period.start} to "
                f"{period.end}; {holds}",
            )
        full = dataclasses.replace(query, start=period.start, end=period.end)
        rows = compute(con, full)  # compiled queries kept: no Ibis import once compiled
    finally:
        close()
    _emit(rows, fmt, out)
    for note in notes:  # after the output, on stderr: stdout stays CSV/JSON only
        click.echo(note, err=True)


def _check_links(con: Any, extract_dir: Path | None, path: Path | None) -> None:
    """Exit 1 naming ``dsvb link`` when counting by linked person where nothing was linked
    (the caller's ``finally`` closes ``con``). ``con``: the store, an extract's throwaway
    store, or an Ibis backend on other data (a Parquet export on Spark)."""
    from dsvb.indicators import compiled
    from dsvb.indicators.engine import NoLinks, check_links

    try:
        check_links(con)
    except NoLinks as exc:
        if extract_dir is not None:
            _fail(
                "--people linked needs a store whose people were linked: import the extract "
                "(dsvb import), run `dsvb link --store PATH`, then use --store"
            )
        if not compiled.is_duckdb(con):
            _fail(
                "--people linked needs the person keys: export a linked store (run `dsvb "
                "link --store PATH`, then dsvb export-parquet, which writes person_links)"
            )
        _fail(str(exc).replace("PATH", str(store.resolve_store_path(path))))


def _linked_notes(con: Any, path: Path | None) -> list[str]:
    """Counting by linked person: the records no link run has keyed yet (each counted as
    their own person), and that the figures are internal (decision 0047)."""
    from dsvb.commands.repeat_victims import INTERNAL
    from dsvb.indicators.engine import unlinked_note, unlinked_records

    note = unlinked_note(unlinked_records(con), store.resolve_store_path(path))
    return [*([note] if note else []), INTERNAL]


def _check_engine(
    ctx: click.Context, engine: str, parquet_dir: str | None, spark_master: str | None
) -> None:
    """--engine spark reads an export (--parquet) and nothing else; --parquet and
    --spark-master mean nothing to DuckDB."""
    if engine == "duckdb":
        given = [f for f, v in (("--parquet", parquet_dir), ("--spark-master", spark_master)) if v]
        if given:
            raise click.UsageError(f"{' and '.join(given)} need --engine spark")
        return
    if not parquet_dir:
        raise click.UsageError(
            "--engine spark needs --parquet DIR: a folder written by dsvb export-parquet"
        )
    given = [
        flag
        for name, flag in (
            ("extract_dir", "--extract"),
            ("returns_file", "--returns"),
            ("store_path", "--store"),
        )
        if _given(ctx, name)
    ]
    if given:
        raise click.UsageError(
            f"{', '.join(given)} cannot be used with --engine spark: Spark reads the tables "
            "from --parquet DIR (write them with dsvb export-parquet --store PATH --out DIR)"
        )


def _open_spark(
    parquet_dir: str, master: str | None
) -> tuple[Any, Callable[[Period], bool], Callable[[], None]]:
    """An Ibis backend on Spark over the export, the period check on it, and how to close
    it (exit 1 with the reason when the folder is not a usable export or Spark cannot start)."""
    from dsvb.indicators import spark
    from dsvb.store.parquet import ParquetExportError

    started = contextlib.ExitStack()
    try:
        con = started.enter_context(spark.open_parquet(parquet_dir, master=master))
    except (ParquetExportError, spark.SparkUnavailable) as exc:
        started.close()
        _fail(str(exc))
    return con, functools.partial(spark.has_records, con), started.close


def _implausible_notes(con: duckdb.DuckDBPyConnection, where: str) -> list[str]:
    """A note naming the stored records left out of every figure as outside the plausible
    range for police records (a store made by an older dsvb may hold some)."""
    from dsvb.indicators.sources import implausible_records

    left_out = implausible_records(con)
    if not left_out:
        return []
    listed = ", ".join(f"{table} {n:,}" for table, n in left_out.items())
    return [
        f"note: {where} holds records with dates outside the plausible range for police "
        f"records (see docs/extract-format.md); left out of every figure: {listed}"
        + (" (people: their birth year read as not recorded)" if "people" in left_out else "")
    ]


def _open_data(extract_dir: Path | None, store_path: Path | None) -> duckdb.DuckDBPyConnection:
    """The store to read, or a throwaway one holding the extract (exit 1 when neither can be
    had)."""
    if extract_dir is None:
        return _open_store(store_path, read_only=True)
    from dsvb.ingest.extract import ExtractError, import_extract

    con = store.connect(":memory:")
    try:
        import_extract(con, extract_dir)
    except ExtractError as exc:
        con.close()
        _fail(str(exc))
    return con


def _months(held: Period) -> str:
    from dsvb.indicators.periods import held_text

    return held_text(held)


def _period(query: IndicatorQuery, held: Period | None, where: str) -> Period:
    """The period asked for (:func:`dsvb.indicators.periods.resolve`): exit 1 when the data
    hold nothing, a usage error when an end given alone leaves nothing of the data."""
    from dsvb.indicators.periods import NoDataHeld, PeriodError, resolve

    try:
        return resolve(query.start, query.end, held, where)
    except NoDataHeld as exc:
        _fail(str(exc))
    except PeriodError as exc:
        raise click.UsageError(str(exc)) from None


def _has_records(con: duckdb.DuckDBPyConnection, period: Period) -> bool:
    """Whether any incident was reported, or any crime recorded, in the period."""
    bounds = [period.start_utc, period.end_utc]
    row = con.execute(
        "SELECT EXISTS (SELECT 1 FROM incidents WHERE reported_at >= ? AND reported_at < ?)"
        " OR EXISTS (SELECT 1 FROM crimes WHERE recorded_at >= ? AND recorded_at < ?)",
        bounds + bounds,
    ).fetchone()
    return bool(row and row[0])


def _left_out(query: IndicatorQuery) -> list[str]:
    """Notes naming the indicators a cut or a family leaves out (the engine's rules,
    :func:`dsvb.indicators.scope.left_out`); a usage error when it leaves out every one."""
    from dsvb.indicators.scope import NothingToCompute, left_out

    try:
        return left_out(query)
    except NothingToCompute as exc:
        raise click.UsageError(str(exc)) from None


#: options of ``indicators`` that a published table cannot honour: it has its own areas,
#: units and period, and no records to cut, window or read from a store
_NOT_WITH_RETURNS = (
    ("by", "--by"),
    ("date_from", "--from"),
    ("date_to", "--to"),
    ("window_months", "--window-months"),
    ("store_path", "--store"),
    ("people", "--people"),
)


def _refuse_with_returns(ctx: click.Context) -> None:
    given = [flag for name, flag in _NOT_WITH_RETURNS if _given(ctx, name)]
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


# --- assess: every figure of a family and period, judged ----------------------------------


def _period_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--family``, ``--period``, ``--from``, ``--to`` and ``--area``: how the commands that
    read one family's period as the pages do (``assess``, ``equality``) choose it."""
    for option in reversed(
        (
            click.option(
                "--family",
                type=click.Choice(("dv", "serious_sexual", "sexual", "other_sexual")),
                default="dv",
                show_default=True,
            ),
            click.option(
                "--period",
                "period_key",
                help="A reporting period as the pages name it (12m-2010-11, 3m-2010-09). "
                "Default: the latest 12 months held, unless --from/--to are given.",
            ),
            click.option("--from", "date_from", help="Period start (inclusive), YYYY-MM-DD."),
            click.option("--to", "date_to", help="Period end (exclusive), YYYY-MM-DD."),
            click.option(
                "--area", "area_code", help="One area's rows only (a borough code, or ALL)."
            ),
        )
    ):
        command = option(command)
    return command


@main.command("assess")
@_store_option
@_period_options
@click.option("--indicator", "indicator_id", help="One indicator's rows only.")
@click.option(
    "--format", "fmt", type=click.Choice(("csv", "json")), default="csv", show_default=True
)
def assess_(
    store_path: Path | None,
    family: str,
    period_key: str | None,
    date_from: str | None,
    date_to: str | None,
    area_code: str | None,
    indicator_id: str | None,
    fmt: str,
) -> None:
    """Every indicator of a family for a period, each borough and the force, judged: value,
    change on the previous period and whether it is more than chance, target met, 95%
    interval, rank, funnel-plot flag and limits, caveats (the figures the pages show)."""
    import csv
    import io

    import ibis

    from dsvb.indicators import assessment, definitions

    if indicator_id is not None:
        indicator = definitions.INDICATORS.get(indicator_id)
        if indicator is None:
            raise click.UsageError(
                f"unknown indicator {indicator_id!r}: `dsvb definitions` lists them"
            )
        if not indicator.applies_to(family):
            raise click.UsageError(
                f"{indicator.id} does not apply to the {family} family (it applies to: "
                f"{', '.join(indicator.families)})"
            )
    start, end = _period_dates(period_key, date_from, date_to)
    con = _open_store(store_path, read_only=True)
    try:
        backend = ibis.duckdb.from_connection(con)
        chosen, held = _reporting_period(backend, family, period_key, start, end)
        judged = assessment.assess_store(backend, family, chosen, held.start)
    finally:
        con.close()
    if area_code is not None and area_code != "ALL" and area_code not in dict(judged.areas):
        raise click.UsageError(f"unknown area {area_code!r}: give a borough code or ALL")
    rows = assessment.records(judged, area=area_code, indicator=indicator_id)
    if fmt == "json":
        document = {
            "family": family,
            "period": chosen.key,
            "label": chosen.label,
            "from": chosen.period.start.isoformat(),
            "to": chosen.period.end.isoformat(),
            "previous": judged.previous_label if judged.has_previous else None,
            "columns": list(assessment.RECORD_COLUMNS),
            "rows": rows,
        }
        click.echo(json.dumps(document, indent=2, default=str))
        return
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(assessment.RECORD_COLUMNS)
    for row in rows:
        writer.writerow(["" if row[c] is None else row[c] for c in assessment.RECORD_COLUMNS])
    click.echo(out.getvalue(), nl=False)


# --- equality: who is victimised, who is prosecuted, who is served less well ---------------


@main.command("equality")
@_store_option
@_period_options
@click.option(
    "--table",
    type=click.Choice(("ratios", "recording")),
    default="ratios",
    show_default=True,
    help="ratios: rates and ratios by strand; recording: the share not recorded by "
    "strand, area and month (CSV only; JSON carries both).",
)
@click.option(
    "--strand",
    "strands",
    multiple=True,
    help="Only these strands (repeatable): victim_ethnicity, suspect_sex, … (default: all).",
)
@click.option(
    "--published",
    is_flag=True,
    help="The rates and ratios as they may be published: through disclosure control (small "
    "counts and what would give them away shown [c]; a rate or ratio with a hidden part "
    "hidden too).",
)
@click.option(
    "--format", "fmt", type=click.Choice(("csv", "json")), default="csv", show_default=True
)
def equality_(
    store_path: Path | None,
    family: str,
    period_key: str | None,
    date_from: str | None,
    date_to: str | None,
    area_code: str | None,
    table: str,
    strands: tuple[str, ...],
    published: bool,
    fmt: str,
) -> None:
    """Equality and disproportionality: victims and suspects per 1,000 residents by sex, age
    band and ethnic group, and outcomes by the victim's and the suspect's strand, each
    group's ratio to a reference group with its 95% interval, called disproportionate only
    after the correction for the many comparisons made at once; and how often each strand is
    not recorded. One row per area x measure x strand x group (the reference group's
    own row has ratio 1). Exact figures for internal use, unless --published."""
    import csv
    import io

    import ibis

    from dsvb.equality import analysis as equality
    from dsvb.equality import recording
    from dsvb.equality.strands import all_cuts

    unknown = [s for s in strands if s not in all_cuts()]
    if unknown:
        raise click.UsageError(
            f"unknown strand {', '.join(unknown)}: choose from {', '.join(all_cuts())}"
        )
    start, end = _period_dates(period_key, date_from, date_to)
    con = _open_store(store_path, read_only=True)
    try:
        backend = ibis.duckdb.from_connection(con)
        chosen, _ = _reporting_period(backend, family, period_key, start, end)
        result = equality.analyse_store(con, family, chosen.period)
    finally:
        con.close()
    if area_code is not None and area_code != "ALL" and area_code not in dict(result.areas):
        raise click.UsageError(f"unknown area {area_code!r}: give a borough code or ALL")
    if published:
        from dsvb.equality import publication

        if fmt != "csv" or table != "ratios":
            raise click.UsageError("--published gives the rates and ratios as CSV")
        # each strand's table is controlled whole (every area), then the area's rows shown
        released = publication.publish(result, strands=strands or None)
        click.echo(released.only(area_code).to_csv(), nl=False)
        return
    result = result.only(area_code).strands(strands or None)
    if fmt == "json":
        click.echo(equality.to_json(result), nl=False)
        return
    if table == "ratios":
        click.echo(equality.to_csv(result), nl=False)
        return
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(recording.RECORDING_COLUMNS)
    for row in result.recording:
        record = row.record()
        writer.writerow(
            ["" if record[c] is None else record[c] for c in recording.RECORDING_COLUMNS]
        )
    click.echo(out.getvalue(), nl=False)


def _period_dates(
    period_key: str | None, date_from: str | None, date_to: str | None
) -> tuple[dt.date | None, dt.date | None]:
    """``--from``/``--to`` as dates, checked before any store is opened: not with
    ``--period``, and the start before the end."""
    if period_key is not None and (date_from or date_to):
        raise click.UsageError("give --period or --from/--to, not both")
    start, end = _date(date_from, "--from"), _date(date_to, "--to")
    if start is not None and end is not None and start >= end:
        raise click.UsageError(
            f"--from {start} must be before --to {end}: the period is [--from, --to), "
            "whole local dates"
        )
    return start, end


def _reporting_period(
    backend: Any,
    family: str,
    period_key: str | None,
    start: dt.date | None,
    end: dt.date | None,
) -> tuple[Any, Any]:
    """The reporting period of ``--period`` or ``--from/--to`` (default: the latest 12
    months held), checked against what the store behind the Ibis ``backend`` holds; and the
    months held."""
    from dsvb.indicators.engine import IndicatorQuery, data_period
    from dsvb.indicators.model import add_months
    from dsvb.indicators.periods import ReportingPeriod, reporting_periods

    held = data_period(backend)
    if held is None:
        _fail("the store holds no incidents or crimes; import an extract first")
    if start is None and end is None:
        last_month = add_months(held.end, -1)  # held is whole months, end exclusive
        choices = reporting_periods(held.start, last_month)
        chosen = next((c for c in choices if c.key == period_key), None)
        if chosen is None and period_key is not None:
            keys = ", ".join(c.key for c in choices)
            raise click.UsageError(f"no period {period_key!r} in this store; it offers: {keys}")
        return chosen or choices[0], held
    query = IndicatorQuery(families=(family,), start=start, end=end)
    return ReportingPeriod.of(_period(query, held, "the store")), held


# --- compare: boroughs against the force on one rate ----------------------------------------


@main.command("compare")
@_store_option
@click.option(
    "--family",
    type=click.Choice(("dv", "serious_sexual", "sexual", "other_sexual")),
    required=True,
)
@click.option(
    "--indicator",
    "indicator_id",
    required=True,
    help="One indicator id: a proportion of its denominator's records (e.g. sd_rate).",
)
@click.option(
    "--from",
    "date_from",
    help="Period start (inclusive), a local date YYYY-MM-DD. Default: the first month held.",
)
@click.option(
    "--to",
    "date_to",
    help="Period end (exclusive), a local date YYYY-MM-DD. Default: after the last month held.",
)
@click.option(
    "--format", "fmt", type=click.Choice(("csv", "json")), default="csv", show_default=True
)
def compare_(
    store_path: Path | None,
    family: str,
    indicator_id: str,
    date_from: str | None,
    date_to: str | None,
    fmt: str,
) -> None:
    """Compare the boroughs with the force on one rate: funnel-plot limits and flags.

    One row per borough, then the force (area_code ALL): numerator, denominator, value, the
    force value, the 95% and 99.8% limits at the borough's denominator that its flag was
    judged by, the flag (above_998, above_95, within, below_95, below_998, too_few) and which
    limits (exact, or widened for over-dispersion). The force row has no limits or flag.
    """
    import csv
    import dataclasses
    import io

    import ibis

    from dsvb import reference
    from dsvb.indicators import comparison, definitions
    from dsvb.indicators.engine import IndicatorQuery, compute, data_period
    from dsvb.indicators.results import FORCE_CODE

    indicator = definitions.INDICATORS.get(indicator_id.strip())
    if indicator is None:
        raise click.UsageError(f"unknown indicator {indicator_id!r}: `dsvb definitions` lists them")
    if not indicator.applies_to(family):
        raise click.UsageError(
            f"{indicator.id} does not apply to the {family} family (it applies to: "
            f"{', '.join(indicator.families)})"
        )
    reason = comparison.why_no_funnel(indicator.id)
    if reason is not None:
        raise click.UsageError(f"{indicator.id} has no funnel-plot comparison. {reason}")
    start, end = _date(date_from, "--from"), _date(date_to, "--to")
    if start is not None and end is not None and start >= end:
        raise click.UsageError(
            f"--from {start} must be before --to {end}: the period is [--from, --to), "
            "whole local dates"
        )
    query = IndicatorQuery(
        families=(family,), start=start, end=end, by=("area",), indicators=(indicator.id,)
    )
    con = _open_store(store_path, read_only=True)
    try:
        held = data_period(ibis.duckdb.from_connection(con))
        period = _period(query, held, "the store")
        if not _has_records(con, period):
            holds = f"it holds months {_months(held)}" if held else "it holds none at all"
            _fail(
                f"the store holds no incidents or crimes from {period.start} to {period.end}; "
                f"{holds}: there is nothing to compare"
            )
        full = dataclasses.replace(query, start=period.start, end=period.end)
        rows = compute(ibis.duckdb.from_connection(con), full)
    finally:
        con.close()
    by_code = {r.area_code: r for r in rows if r.indicator == indicator.id}
    force = by_code.get(FORCE_CODE)
    if force is None or not force.denominator:
        _fail(
            f"no {(indicator.denominator or '').replace('_', ' ')} from {period.start} to "
            f"{period.end} ({family}), so there is no force value to compare the boroughs with"
        )
    areas = [
        comparison.AreaCounts(
            code,
            name,
            by_code[code].numerator if code in by_code else 0,
            (by_code[code].denominator or 0) if code in by_code else 0,
        )
        for code, name in reference.boroughs().items()
    ]
    force_counts = comparison.AreaCounts(
        FORCE_CODE, force.area_name, force.numerator, force.denominator
    )
    try:
        result = comparison.compare(areas, force.numerator / force.denominator)
    except ValueError as exc:
        _fail(f"{indicator.id} ({family}, {period.label()}) cannot be compared: {exc}")
    records = comparison.records(result, force_counts)
    if fmt == "json":
        dispersion = result.dispersion
        document = {
            "family": family,
            "indicator": indicator.id,
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "force_value": result.target,
            "limits": result.method,
            "dispersion": None
            if dispersion is None
            else {**dataclasses.asdict(dispersion), "present": dispersion.present},
            "columns": list(comparison.COLUMNS),
            "rows": records,
        }
        click.echo(json.dumps(document, indent=2))
        return
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(comparison.COLUMNS)
    for record in records:
        writer.writerow(["" if record[c] is None else record[c] for c in comparison.COLUMNS])
    click.echo(out.getvalue(), nl=False)


# --- web application --------------------------------------------------------------------------


def _django() -> None:
    from dsvb.web.commands import setup

    setup()


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


@main.group("audit")
def audit() -> None:
    """The audit log (tamper evidence)."""


@audit.command("verify")
def audit_verify() -> None:
    """Check that the audit log is intact: the guards, the hash chain, the witness file.

    Prints "N entries verified, chain intact up to #N", or the first break (which entry, what
    is wrong) and exits with status 1."""
    _django()
    from django.core.management import call_command
    from django.core.management.base import CommandError

    try:
        call_command("audit_verify")
    except CommandError as exc:
        _fail(str(exc))


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
    click.echo(
        f"Demo accounts (user name, password, role, authenticator key), also in "
        f"{demo_data.accounts_file()}:"
    )
    for line in demo_data.account_lines():
        click.echo(line)


@main.command("prepare")
@click.option("--quiet", is_flag=True)
def prepare_(quiet: bool) -> None:
    """Prepare the performance pages' first views (results, assessments, the main pages).

    Imports and `dsvb demo` do it when the data change, and `dsvb serve` starts it beside
    the server (the cache is emptied at start): run it by hand after restoring a store."""
    _django()
    from dsvb.web.performance.prepare import prepare

    say = (lambda _message: None) if quiet else click.echo
    prepared = prepare(say)
    if not quiet:
        click.echo(f"Prepared {prepared} pages." if prepared else "No data: nothing to prepare.")


@main.command("publish")
@_store_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder for the files (created if missing).",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Make and audit the next release and say what it would publish; store nothing.",
)
def publish(store_path: Path | None, out: Path, dry_run: bool) -> None:
    """Publish the next release (if one is due) and write every release as CSV and XLSX.

    What the public pages publish, for a data portal: the releases in the application's
    register (the same database as the web application), each audited for disclosure when
    it was made. A new release covers the 12 months after the last one (the latest 12 months
    the store holds, for the first); it is refused, naming the figure and the relations that
    give it away, if its audit finds anything disclosed, and nothing is written then.
    """
    resolved = store.resolve_store_path(store_path)
    if not resolved.exists():
        _fail(f"No store at {resolved}: import an extract first (dsvb import DIR).")
    _django()
    from django.core.management import call_command

    from dsvb.reports import publication
    from dsvb.web.public import releases

    call_command("migrate", interactive=False, verbosity=0)
    try:
        source = publication.store_source(resolved)
    except (FileNotFoundError, store.NotAStoreError) as exc:
        _fail(str(exc))
    from dsvb.web.audit.recorder import cli_actor

    actor = f"command line ({_operator()})"
    upcoming = releases.plan(source)
    try:
        if dry_run:
            made = releases.prepare(source, published_by=actor)
        else:
            made = releases.publish(source, published_by=actor, actor=cli_actor())
    except publication.ReleaseRefused as exc:
        releases.audit_refusal(exc, actor=cli_actor(), dry_run=dry_run)
        lines = [f"Refused: {exc}", *(f"  - {d.describe()}" for d in exc.disclosures)]
        _fail("\n".join(lines))
    if made is None:
        click.echo(f"No new release: {upcoming.reason}.", err=True)
    else:
        verb = "Would publish" if dry_run else "Published"
        click.echo(
            f"{verb} release {made.number}: {made.label}, {made.policy.name} "
            f"({made.table.suppressed_cells} of {len(made.table.cells)} cells withheld).",
            err=True,
        )
    if dry_run:
        return
    written = publication.write_files(releases.all_releases(), out)
    for path in written:
        click.echo(str(path))
    if not written:
        click.echo("Nothing has been published yet, so no files were written.", err=True)


def _operator() -> str:
    import getpass
    import socket

    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


@main.command("demo-code")
@click.argument("username")
def demo_code(username: str) -> None:
    """Print the code a demo account's authenticator app shows now (demo accounts only; never
    on an HTTPS installation). The secretariat, analyst and auditor sign in with it."""
    _django()
    from dsvb.web import demo as demo_data

    try:
        code, left = demo_data.current_code(username)
    except demo_data.DemoCodeRefused as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(code)
    click.echo(
        f"(the code for {username} for the next {left} s; each code signs in once)", err=True
    )


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

    from dsvb.web.imports import jobs

    # before any worker starts: jobs whose runner died with the previous server are ended as
    # the store says they ended, then what killed uploads and store writers left is removed
    jobs.recover()
    jobs.sweep()

    cache.clear()  # pages and charts of a previous run may describe another store
    click.echo(f"dsvb is running at http://{host}:{port}/  (stop with Ctrl+C)")
    lines = demo_data.account_lines()
    if lines:
        click.echo(
            "Demo accounts (user name, password, role, authenticator key), also in "
            f"{demo_data.accounts_file()}:"
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


def _register_cycle_commands() -> None:
    from dsvb.commands import register
    from dsvb.web.commands import register as register_web

    register(main)
    register_web(main)  # those over the web's database (partnership cases)


_register_cycle_commands()
