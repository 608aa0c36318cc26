"""``dsvb check-report`` as a user runs it: the installed script, the Kingston seed, a real
store with the published Kingston return imported."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

DSVB = [str(Path(sys.executable).with_name("dsvb"))]
# the seeds and published tables as the repository keeps them (copies of ../shared's)
ROOT = Path(__file__).parents[2]
SEEDS = ROOT / "tests" / "data" / "seeds"
SEED = SEEDS / "002_kingston_report_2007-11-06.txt"
KINGSTON_RETURN = ROOT / "src" / "dsvb" / "reference" / "published" / "kingston_return_2006-07.csv"


def dsvb(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [*DSVB, *args], capture_output=True, text=True, env=dict(os.environ), timeout=300
    )
    if check and result.returncode != 0:
        raise AssertionError(f"dsvb {' '.join(args)} failed:\n{result.stderr}")
    return result


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_seed_is_checked(tmp_path: Path) -> None:
    rows = rows_of(dsvb("check-report", str(SEED)).stdout)
    assert list(rows[0])[:4] == ["line", "page", "text", "figure"]
    found = {(r["line"], r["figure"]): r for r in rows}
    for key in (("26", "1474"), ("26", "791"), ("26", "54%")):
        assert found[key]["verdict"] == "consistent"
    for key in (("28", "2671"), ("28", "749"), ("28", "28%")):
        assert found[key]["verdict"] == "consistent"
    assert found[("28", "28%")]["recomputed"] == "749 / 2,671 = 28.04%"
    assert {r["verdict"] for r in rows} <= {"consistent", "unchecked"}

    changed = tmp_path / "kingston_changed.txt"
    changed.write_text(
        SEED.read_text(encoding="utf-8").replace("of which 791 were", "of which 891 were"),
        encoding="utf-8",
    )
    rows = rows_of(dsvb("check-report", str(changed)).stdout)
    flagged = [r for r in rows if r["verdict"] == "inconsistent"]
    assert {r["line"] for r in flagged} == {"26"}
    assert "891 / 1,474 = 60.45%" in {r["recomputed"] for r in flagged}


def test_the_seed_against_the_published_return_in_a_store(tmp_path: Path) -> None:
    store = tmp_path / "store.duckdb"
    dsvb("import-returns", str(KINGSTON_RETURN), "--store", str(store))
    out = dsvb(
        "check-report", str(SEED), "--area", "E09000021", "--from", "2006-04-01",
        "--to", "2007-04-01", "--store", str(store), "--format", "json",
    ).stdout  # fmt: skip
    document = json.loads(out)
    assert document["compared_with"].startswith("Kingston upon Thames, dv, 2006-04-01")
    assert any("published returns only" in n for n in document["notes"])
    found = {(r["line"], r["figure"]): r for r in document["rows"]}
    assert found[(26, "54%")]["verdict"] == "matches_data"
    assert found[(27, "48.2%")]["verdict"] == "matches_data"
    assert found[(28, "749")]["verdict"] == "matches_data"
    assert document["verdicts"]["inconsistent"] == 0

    changed = tmp_path / "kingston_changed.txt"
    changed.write_text(
        SEED.read_text(encoding="utf-8").replace("rate of 48.2%", "rate of 58.2%"),
        encoding="utf-8",
    )
    rows = rows_of(
        dsvb(
            "check-report", str(changed), "--area", "E09000021", "--from", "2006-04-01",
            "--to", "2007-04-01", "--store", str(store),
        ).stdout
    )  # fmt: skip
    row = next(r for r in rows if r["figure"] == "58.2%")
    assert row["verdict"] == "differs_from_data" and row["difference"] == "+10.0 points"
    assert row["data"] == "48.2%"


def test_bad_input_is_refused_clearly(tmp_path: Path) -> None:
    missing = dsvb("check-report", str(tmp_path / "none.txt"), check=False)
    assert missing.returncode == 1 and "none.txt" in missing.stderr
    odd = tmp_path / "report.xls"
    odd.write_bytes(b"x")
    result = dsvb("check-report", str(odd), check=False)
    assert result.returncode == 1 and "report.xls" in result.stderr and ".docx" in result.stderr
    result = dsvb("check-report", str(SEED), "--from", "2006-04-01", check=False)
    assert result.returncode == 2 and "--area" in result.stderr
    result = dsvb(
        "check-report", str(SEED), "--area", "E09000021", "--from", "2007-04-01",
        "--to", "2006-04-01", check=False,
    )  # fmt: skip
    assert result.returncode == 2 and "before" in result.stderr
    result = dsvb(
        "check-report", str(SEED), "--area", "NOPE", "--store", str(tmp_path / "s.duckdb"),
        check=False,
    )  # fmt: skip
    assert result.returncode == 2 and "unknown area" in result.stderr


def test_a_borough_report_against_a_demo_store(tmp_path: Path) -> None:
    """A report written from dsvb's own figures for the busiest borough matches them; a
    figure changed in it differs, by the change; the latest 12 months held by default.
    (The store is built in the test's process; the command runs as a user runs it.)"""
    import datetime as dt

    import ibis

    from dsvb import store as stores
    from dsvb.demo.generator import generate_extract
    from dsvb.indicators import assessment
    from dsvb.indicators.model import Period
    from dsvb.indicators.periods import ReportingPeriod
    from dsvb.ingest.extract import import_extract

    start = dt.date(2009, 12, 1)
    generate_extract(tmp_path / "extract", incidents=2000, seed=3, start=start)
    store = tmp_path / "store.duckdb"
    con = stores.connect(store)
    try:
        import_extract(con, tmp_path / "extract")
        period = ReportingPeriod.of(Period(start, dt.date(2010, 12, 1)))
        judged = assessment.assess_store(ibis.duckdb.from_connection(con), "dv", period, start)
    finally:
        con.close()
    figure = max(judged.indicator("sd_rate").areas, key=lambda f: f.denominator or 0)
    code, sds, offences = figure.area_code, int(figure.numerator), int(figure.denominator)
    rate = f"{100 * sds / offences:.1f}%"
    report = tmp_path / "borough.md"
    report.write_text(
        "# Borough report\n\n"
        f"In the 12 months to November 2010 the borough recorded {offences} offences, of which "
        f"{sds} were detected with a sanction. The sanction detection rate was {rate}.\n\n"
        "| Measure | Borough |\n|---|---|\n"
        f"| Offences | {offences} |\n| Sanction detections | {sds + 4} |\n",
        encoding="utf-8",
    )
    out = dsvb("check-report", str(report), "--area", code, "--store", str(store)).stdout
    by = {(r["line"], r["figure"]): r for r in rows_of(out)}
    assert by[("3", str(offences))]["verdict"] == "matches_data"
    assert by[("3", str(sds))]["verdict"] == "matches_data"
    assert by[("3", rate)]["verdict"] == "matches_data"
    assert by[("3", rate)]["recomputed"].startswith(f"{sds:,} / {offences:,} = ")
    changed = by[("8", str(sds + 4))]
    assert changed["verdict"] == "differs_from_data" and changed["difference"] == "+4"
    assert changed["data"] == f"{sds:,}"
