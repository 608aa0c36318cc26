"""`dsvb import-returns` and `dsvb indicators --returns` on the real tables, in process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import dsvb.reference
from dsvb.cli import main
from dsvb.indicators import results
from dsvb.indicators.from_returns import indicators_from_return
from dsvb.ingest.returns import read_return

PUBLISHED = Path(dsvb.reference.__file__).parent / "published"
REAL = sorted(PUBLISHED.glob("*.csv"))
DV = PUBLISHED / "dv_by_borough_12m_to_2010-11.csv"
SEXUAL = PUBLISHED / "sexual_offences_by_unit_12m_to_2010-11.csv"


def dsvb(*args: str | Path):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.mark.parametrize("path", REAL, ids=[p.stem for p in REAL])
def test_indicators_from_a_return_print_its_notes_on_stderr(path):
    ret = read_return(path)
    result = dsvb("indicators", "--returns", path)
    assert result.exit_code == 0
    # stdout is the CSV and nothing else; the notes follow on stderr, one a line
    assert result.stdout == results.to_csv(indicators_from_return(ret))
    assert result.stderr.splitlines() == [str(n) for n in ret.notes]
    assert all(n.message and "\n" not in n.message for n in ret.notes)


def test_the_notes_say_what_the_csv_cannot():
    result = dsvb("indicators", "--returns", SEXUAL, "--format", "json", "--family", "sexual")
    assert json.loads(result.stdout)  # still plain JSON
    lines = result.stderr.splitlines()
    assert any(line.startswith("[garbled] ") and "'116 47 1'" in line for line in lines)
    assert (
        "[reconciliation] row 33 Borough Total, sexual_incidents: printed 5,967 but the 32 "
        "borough rows sum to 5,937 (the total is 30 more)"
    ) in lines
    kingston = dsvb("indicators", "--returns", PUBLISHED / "kingston_return_2006-07.csv")
    assert any("read as caution_share" in line for line in kingston.stderr.splitlines())


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--by", "area,unit"], "--by"),
        (["--by", "area"], "--by"),
        (["--from", "2010-01-01"], "--from"),
        (["--to", "2011-01-01"], "--to"),
        (["--window-months", "36"], "--window-months"),
        (["--store", "elsewhere.duckdb"], "--store"),
    ],
)
def test_options_that_do_not_apply_with_returns_are_refused(args, named):
    result = dsvb("indicators", "--returns", DV, *args)
    assert result.exit_code == 2 and result.stdout == ""
    assert (
        f"Error: {named} does not apply with --returns: a published table gives the areas, "
        "units and period it prints (use --family and --indicator to choose among them)"
    ) in result.stderr


def test_several_options_that_do_not_apply_are_named_together():
    result = dsvb("indicators", "--returns", DV, "--from", "2010-01-01", "--to", "2011-01-01")
    assert result.exit_code == 2
    assert "Error: --from, --to do not apply with --returns" in result.stderr


def test_import_returns_refuses_a_header_only_file_and_stores_nothing(tmp_path):
    store = tmp_path / "s.duckdb"
    empty = tmp_path / DV.name
    empty.write_text(DV.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    result = dsvb("import-returns", empty, "--store", store)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith(
        f"{DV.name}, header row (line 1), column 'borough': no data rows after"
    )
    assert "already in the store" not in dsvb("import-returns", DV, "--store", store).stdout


def test_import_returns_knows_a_crlf_copy_and_warns_of_another_table(tmp_path):
    store = tmp_path / "s.duckdb"
    assert dsvb("import-returns", DV, "--store", store).exit_code == 0
    copy = tmp_path / "crlf" / DV.name
    copy.parent.mkdir()
    copy.write_bytes(DV.read_bytes().replace(b"\n", b"\r\n"))
    again = dsvb("import-returns", copy, "--store", store)
    assert again.stdout.startswith(f"Return {copy} is already in the store (return 1: ")
    changed = tmp_path / "changed" / DV.name
    changed.parent.mkdir()
    changed.write_text(DV.read_text(encoding="utf-8").replace("Barnet,3525,", "Barnet,3526,"))
    lines = dsvb("import-returns", changed, "--store", store).stdout.splitlines()
    assert lines[0].startswith(f"Imported {changed} as return 2 ")
    assert lines[1] == "Warnings:" and lines[2].startswith(f"  - return 1 ({DV}, imported ")
