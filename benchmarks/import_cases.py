"""Partnership cases imported per second: ``dsvb import-cases``'s reader and writer.

    PYTHONPATH=src .venv/bin/python benchmarks/import_cases.py [--cases 1000]

Writes a synthetic folder in the cases' interchange format (``docs/cases-format.md``: one
agency's cases, each with a victim, a perpetrator, an address, an incident and a SafeLives
DASH of 24 answers; synthetic people only) and imports it into a throw-away SQLite database
(or the database in ``DATABASE_URL`` when set): the read and check alone, the first import,
and the second (everything matched, nothing stored twice).
"""

from __future__ import annotations

import argparse
import csv
import os
import tempfile
import time
from datetime import date
from pathlib import Path


def write_folder(folder: Path, cases: int) -> None:
    from dsvb.cases import dash

    questions = [q.id for q in dash.checklist("safelives").on(date(2024, 1, 1))]
    agency = "Benchmark IDVA service"

    def put(name: str, header: list[str], rows: list[list[str]]) -> None:
        with (folder / name).open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(rows)

    put("agencies.csv", ["name", "kind"], [[agency, "idva"]])
    people, case_rows, parties, addresses, incidents, assessments, answers = ([] for _ in range(7))
    for n in range(cases):
        v, p, c, a = f"V{n}", f"P{n}", f"C{n}", f"A{n}"
        people += [[agency, v, "Victim", f"Synthetic{n}"], [agency, p, "Abuser", f"Synthetic{n}"]]
        case_rows.append([agency, c, v, "2024-01-01"])
        parties.append([c, p, "perpetrator"])
        addresses.append([c, "home", f"{n} Synthetic Road\nNowhere"])
        incidents.append([c, "2023-12-30", "violence", p])
        assessments.append([agency, a, c, "safelives", "2024-01-02"])
        answers += [[a, q, "yes" if (n + i) % 2 else "no"] for i, q in enumerate(questions)]
    put("people.csv", ["agency", "person_id", "given_name", "family_name"], people)
    put("cases.csv", ["agency", "case_id", "victim_person_id", "opened_on"], case_rows)
    put("case_people.csv", ["case", "person", "role"], parties)
    put("addresses.csv", ["case", "kind", "lines"], addresses)
    put("incidents.csv", ["case", "occurred_on", "kind", "perpetrator"], incidents)
    put(
        "assessments.csv",
        ["agency", "assessment_id", "case", "checklist", "assessed_on"],
        assessments,
    )
    put("assessment_answers.csv", ["assessment_id", "question_id", "answer"], answers)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1000)
    args = parser.parse_args()

    os.environ.setdefault("DSVB_DATA_DIR", tempfile.mkdtemp(prefix="dsvb-bench-cases-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dsvb.web.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from dsvb.cases.interchange_read import read_folder
    from dsvb.web.cases.importer import import_cases

    call_command("migrate", interactive=False, verbosity=0)
    folder = Path(tempfile.mkdtemp(prefix="dsvb-bench-folder-"))
    write_folder(folder, args.cases)
    rows = sum(len(p.read_text("utf-8").splitlines()) - 1 for p in folder.glob("*.csv"))
    print(f"database: {connection.vendor}; {args.cases} cases, {rows} CSV lines")
    started = time.perf_counter()
    read_folder(folder)
    took = time.perf_counter() - started
    print(f"read and check: {took:.2f} s = {args.cases / took:,.0f} cases/s")
    for label in ("first import", "second import (all matched)"):
        started = time.perf_counter()
        summary = import_cases(folder, actor="bench", new_agencies=True)
        took = time.perf_counter() - started
        t = summary.totals()
        print(
            f"{label}: {took:.2f} s = {args.cases / took:,.0f} cases/s "
            f"({t.created} created, {t.updated} updated, {t.unchanged} unchanged)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
