"""``dsvb link`` and ``dsvb linked-people``: person linkage (decision 0046).

``dsvb link --store PATH [--full] [--retrain] [--extract-only]`` links the police extract's
people (identifiers in the store) and the partner agencies' case people (the web's
database) and writes the person keys into the store, through the store's one writer.
``dsvb linked-people --store PATH --format csv|json [--out FILE]`` writes
``source,record_id,person_key`` for every keyed record, sorted: keys only, no identifier.
They live in the web package because ``link`` reads the case people from the web's
database. When that database cannot be read, ``link`` stops (exit 1) rather than link the
extract alone, which would drop every case record's key: ``--extract-only`` links the extract
alone on purpose and leaves the case records' keys and pairs as they are.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from dsvb.linkage.records import PersonRecord

_STORE_HELP = "Analytical store (DuckDB file). Default: $DSVB_STORE, else var/store.duckdb."


class CasesUnreadable(Exception):
    """The partnership cases could not be read for linkage (the message says why)."""


def case_people() -> list[PersonRecord]:
    """The partner agencies' case people (none when there are no cases). Raises
    :class:`CasesUnreadable` when the web's database cannot be read (not set up, never
    migrated) or an agency's name cannot be a linkage source."""
    from dsvb.web.commands import setup

    setup()
    from django.db import DatabaseError

    from dsvb.web.cases.linkage import ReservedAgencyName, person_records

    try:
        return person_records()
    except DatabaseError as exc:
        raise CasesUnreadable(
            f"Cannot read the partnership cases from the web database "
            f"({str(exc).splitlines()[0]}). Nothing was linked: set the database up "
            f"(dsvb manage migrate), or link the police extract alone with --extract-only "
            f"(the case records keep their keys)."
        ) from exc
    except ReservedAgencyName as exc:
        raise CasesUnreadable(f"{exc} Nothing was linked.") from exc


@click.command("link")
@click.option("--store", "store_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help=_STORE_HELP)  # fmt: skip
@click.option("--full", is_flag=True, help="Relink every record (keys are kept where they can).")
@click.option("--retrain", is_flag=True, help="Train the model again instead of reusing it.")
@click.option("--extract-only", is_flag=True,
              help="Link the extract's people only (case records keep their keys).")  # fmt: skip
@click.option("--by", default=None, help="Who runs it (default: your user name).")
@click.option("--wait", type=click.FloatRange(min=0), default=120.0, show_default=True,
              help="Seconds to wait while another command writes the store.")  # fmt: skip
@click.option("--quiet", is_flag=True, help="No progress messages.")
@click.option("--engine", type=click.Choice(("duckdb", "spark")), default="duckdb",
              show_default=True,
              help="Where the candidate pairs are scored: DuckDB here, or Spark for large "
              "data (the same model, clustering and keys).")  # fmt: skip
@click.option("--spark-master", default=None, metavar="URL",
              help="Spark master for --engine spark (default: $DSVB_SPARK_MASTER, else local "
              "mode; under spark-submit, the submitted session).")  # fmt: skip
def link(
    store_path: Path | None,
    full: bool,
    retrain: bool,
    extract_only: bool,
    by: str | None,
    wait: float,
    quiet: bool,
    engine: str = "duckdb",
    spark_master: str | None = None,
) -> None:
    """Link people across the police extract and the partner agencies' cases with Splink,
    giving each person a stable key (incremental after the first run: only records without
    a key are compared). Splits made on the review pages are honoured."""
    from dsvb import cli, store
    from dsvb.linkage.records import EXTRACT
    from dsvb.linkage.run import link as run_link

    resolved = store.resolve_store_path(store_path)
    if not resolved.exists():
        cli._fail(f"There is no store at {resolved}: import an extract first (dsvb import).")
    if spark_master and engine != "spark":
        cli._fail("--spark-master is for --engine spark.")
    progress = cli._Progress(quiet)
    extra: list[PersonRecord] = []
    if not extract_only:
        try:
            extra = case_people()
        except CasesUnreadable as exc:
            cli._fail(str(exc))
    with contextlib.ExitStack() as stack:
        score = None
        if engine == "spark":
            score = _spark_scorer(stack, spark_master, progress)
        with cli._writable_store(resolved, by=by, wait=wait, progress=progress) as write:
            run = run_link(
                write.con,
                extra=extra,
                full=full,
                retrain=retrain,
                by=cli._operator_name(by),
                progress=progress,
                sources={EXTRACT} if extract_only else None,
                score=score,
            )
            write.changed(f"link run {run.run_id}")
    click.echo(run.summary())


def _spark_scorer(
    stack: contextlib.ExitStack, master: str | None, say: Callable[[str], None]
) -> Any:
    """A Spark scorer for ``dsvb link --engine spark`` (stopped when ``stack`` closes), or
    exit 1 saying why Spark cannot start (no Java)."""
    from dsvb import cli
    from dsvb.indicators.spark import SparkUnavailable
    from dsvb.linkage.spark import spark_scoring

    say("Starting Spark...")
    try:
        return stack.enter_context(spark_scoring(master))
    except SparkUnavailable as exc:
        cli._fail(str(exc))


@click.command("linked-people")
@click.option("--store", "store_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help=_STORE_HELP)  # fmt: skip
@click.option("--format", "fmt", type=click.Choice(("csv", "json")), default="csv",
              show_default=True)  # fmt: skip
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to FILE (default: standard output).")  # fmt: skip
def linked_people(store_path: Path | None, fmt: str, out: Path | None) -> None:
    """Every linked record's person key: source,record_id,person_key (source 'extract' or
    the agency's name), sorted. Keys only: no identifier is written."""
    import duckdb

    from dsvb import cli, store
    from dsvb.linkage.run import linked_people as rows_of

    resolved = store.resolve_store_path(store_path)
    try:
        con = store.connect(resolved, read_only=True)
    except (store.NotAStoreError, FileNotFoundError) as exc:
        cli._fail(str(exc))
    except duckdb.Error as exc:
        cli._fail(f"Cannot open the store {resolved}: {exc}")
    try:
        rows = rows_of(con)
    finally:
        con.close()
    if not rows:
        click.echo("No record is linked yet: run dsvb link.", err=True)
    if fmt == "json":
        text = json.dumps(
            [{"source": s, "record_id": r, "person_key": k} for s, r, k in rows], indent=1
        )
        text += "\n"
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(("source", "record_id", "person_key"))
        writer.writerows(rows)
        text = buffer.getvalue()
    if out is None:
        click.echo(text, nl=False)
    else:
        partial = out.with_name(out.name + ".partial")
        partial.write_text(text, encoding="utf-8")
        partial.replace(out)
