"""How long a commissioning brief takes to build and to draw as PDF and DOCX.

    PYTHONPATH=src .venv/bin/python benchmarks/brief_documents.py                # builds a store
    PYTHONPATH=src .venv/bin/python benchmarks/brief_documents.py --store PATH [--json OUT]

Without ``--store`` a demo year (20,000 incidents, seed 7, December 2009 to November 2010,
with the demo's synthetic population, as the tests' demo store) is written and imported
into a temporary folder. The figures are computed once (the assessments of domestic
violence, serious sexual and sexual offences and the equality analysis of domestic
violence: the web app holds them cached); then, for the borough with the most offences, it
times building the brief (internal: exact figures, all five victim strands; published:
disclosure control of the headline figures and of the strands given by ``--strands``),
drawing it as PDF (WeasyPrint) and as DOCX (python-docx), each ``--repeat`` times, and
reports the median seconds and the pages.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

FAMILIES = ("dv", "serious_sexual", "sexual")
START, MONTHS = dt.date(2009, 12, 1), 12


def make_store(work: Path) -> Path:
    from dsvb import store
    from dsvb.demo import population
    from dsvb.demo.generator import generate_extract
    from dsvb.ingest.extract import import_extract

    print("writing a 20,000-incident demo year and importing it", flush=True)
    generate_extract(work / "extract", incidents=20_000, seed=7, start=START, months=MONTHS)
    path = work / "store.duckdb"
    con = store.connect(path)
    try:
        import_extract(con, work / "extract")
        population.load(con, work, start=START, months=MONTHS)
    finally:
        con.close()
    return path


def timed(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times), out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--strands",
        default="victim_sex,victim_disability",
        help="the strands of the published brief (comma-separated)",
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    import ibis
    import pypdfium2

    from dsvb import store
    from dsvb.equality import analysis as an
    from dsvb.indicators import assessment
    from dsvb.indicators.model import Period
    from dsvb.indicators.periods import ReportingPeriod
    from dsvb.oversight import render
    from dsvb.oversight.brief import BriefInputs, build_brief

    with tempfile.TemporaryDirectory() as tmp:
        path = args.store or make_store(Path(tmp))
        period = Period(START, dt.date(2010, 12, 1))
        con = store.connect(path, read_only=True)
        try:
            backend = ibis.duckdb.from_connection(con)
            began = time.perf_counter()
            judged = tuple(
                assessment.assess_store(backend, f, ReportingPeriod.of(period), START)
                for f in FAMILIES
            )
            equality = an.analyse_store(con, "dv", period)
            figures_s = time.perf_counter() - began
        finally:
            con.close()
    offences = judged[0].indicator("offences")
    area = max(offences.areas, key=lambda f: f.numerator)
    results: dict[str, object] = {"figures_s": round(figures_s, 3), "area": area.area_name}
    print(f"figures (3 assessments + equality analysis, once): {figures_s:.2f} s")
    for name, extra in (
        ("internal", {}),
        ("published", {"published": True, "strands": tuple(args.strands.split(","))}),
    ):
        inputs = BriefInputs(
            area.area_code,
            area.area_name,
            dt.date(2010, 12, 14),
            judged,
            (equality,),
            **extra,  # type: ignore[arg-type]
        )
        build_s, doc = timed(lambda inputs=inputs: build_brief(inputs), 1 if extra else args.repeat)
        pdf_s, pdf = timed(lambda doc=doc: render.to_pdf(doc), args.repeat)
        docx_s, data = timed(lambda doc=doc: render.to_docx(doc), args.repeat)
        pages = len(pypdfium2.PdfDocument(io.BytesIO(pdf)))  # type: ignore[arg-type]
        results[name] = {
            "build_s": round(build_s, 3),
            "pdf_s": round(pdf_s, 3),
            "docx_s": round(docx_s, 3),
            "pages": pages,
            "pdf_bytes": len(pdf),  # type: ignore[arg-type]
            "docx_bytes": len(data),  # type: ignore[arg-type]
        }
        print(
            f"{name:9} brief: build {build_s:.2f} s, PDF {pdf_s:.2f} s ({pages} pages), "
            f"DOCX {docx_s:.2f} s"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
