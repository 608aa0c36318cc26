"""First views of the pages, after an import and after a restart (issue 14, item 5).

    python benchmarks/first_view.py                       # builds a London-scale demo
    python benchmarks/first_view.py --data-dir var        # an installation that has data

The target: every page's first view at most 1 s at London scale, because the work is done
when the data change (the import job and ``dsvb demo`` prepare the pages) and when the
server starts (``dsvb serve`` prepares them as it starts), not on the first view. What it does:

1. builds a demo installation in a temporary data folder (``dsvb demo``) unless
   ``--data-dir`` names one;
2. simulates a restart as ``dsvb serve`` does: empties the page cache, then times the
   preparation ``dsvb serve`` starts beside the server (``dsvb prepare``:
   :func:`dsvb.web.performance.prepare.prepare`; with ``--no-scorecards`` only the
   assessments and overviews, to time a scorecard's first view when it was not prepared);
3. in a new process (a fresh worker: no in-memory caches), signs in as the demo board member
   with Django's test client and times the first request of every page variant the menus
   lead to first: the overview of each family for the latest 12 months and quarter, and
   every borough's scorecard for each;
4. prints the median, the 95th percentile and the slowest first view per page, how many
   exceed 1 s, and writes the same as JSON (``--out``).

Timed with the test client in one process, so the figures are the application's own time
(the database, the store, the cache and the templates), without a network or gunicorn.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 1.0

_WORKER = r"""
import json, os, sys, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dsvb.web.settings")
django.setup()
from django.test import Client
from django.urls import reverse
from dsvb.indicators.definitions import FAMILIES
from dsvb.web.accounts.models import User
from dsvb.web.performance import figures

client = Client()
client.force_login(User.objects.get(username="board"))
sel = figures.select(None, None)
choices = figures.period_choices(sel.current)
periods = [c for c in choices if c.key.startswith("12m-")][:1] + [
    c for c in choices if c.key.startswith("3m-")
][:1]
timings = {"overview": [], "scorecard": []}
slowest = {}
for family in FAMILIES:
    for choice in periods:
        params = {"family": family, "period": choice.key}
        urls = [("overview", reverse("performance:overview"))] + [
            ("scorecard", reverse("performance:scorecard-area", args=[code]))
            for code in figures.borough_names()
        ]
        for page, url in urls:
            start = time.perf_counter()
            response = client.get(url, params)
            took = time.perf_counter() - start
            assert response.status_code == 200, (url, params, response.status_code)
            timings[page].append(took)
            if took > slowest.get(page, (0, ""))[0]:
                slowest[page] = (took, f"{url}?family={family}&period={choice.key}")
print(json.dumps({"timings": timings, "slowest": slowest}))
"""

_PREPARE = r"""
import os, time, json
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dsvb.web.settings")
django.setup()
from django.core.cache import cache
from dsvb.web.performance.prepare import prepare
cache.clear()  # as dsvb serve does at start
start = time.perf_counter()
n = prepare(scorecards=os.environ["DSVB_BENCH_SCORECARDS"] == "1")
print(json.dumps({"prepare_seconds": time.perf_counter() - start, "prepared": n}))
"""


def _run(code: str, env: dict[str, str]) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        raise SystemExit(f"benchmark step failed (exit {out.returncode})")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "views": len(values),
        "median_ms": round(statistics.median(values) * 1000, 1),
        "p95_ms": round(p95 * 1000, 1),
        "max_ms": round(max(values) * 1000, 1),
        "over_target": sum(v > TARGET_SECONDS for v in values),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data-dir", type=Path, help="an installation with data (default: build one)"
    )
    parser.add_argument("--out", type=Path, default=REPO / "bench-results" / "first_view.json")
    parser.add_argument(
        "--no-scorecards",
        action="store_true",
        help="prepare the assessments and overviews only: time scorecards' unprepared first views",
    )
    args = parser.parse_args(argv)
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO / "src"),
        "DSVB_BENCH_SCORECARDS": "0" if args.no_scorecards else "1",
    }
    with tempfile.TemporaryDirectory(prefix="dsvb-first-view-") as tmp:
        data_dir = args.data_dir or Path(tmp) / "var"
        env["DSVB_DATA_DIR"] = str(data_dir.resolve())
        result: dict = {}
        if args.data_dir is None:
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "dsvb", "demo"], env=env, check=True, capture_output=True
            )
            result["demo_seconds"] = round(time.perf_counter() - start, 1)
        result.update(_run(_PREPARE, env))
        views = _run(_WORKER, env)
        result["pages"] = {page: _summary(v) for page, v in views["timings"].items()}
        result["slowest"] = views["slowest"]
    result["scorecards_prepared"] = not args.no_scorecards
    result["target_seconds"] = TARGET_SECONDS
    result["met"] = all(p["over_target"] == 0 for p in result["pages"].values())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(f"preparation (as dsvb serve does at start): {result['prepare_seconds']:.1f} s")
    for page, s in result["pages"].items():
        print(
            f"{page}: {s['views']} first views, median {s['median_ms']} ms, p95 {s['p95_ms']} ms,"
            f" max {s['max_ms']} ms, over {TARGET_SECONDS:.0f} s: {s['over_target']}"
        )
    print("target met" if result["met"] else "target NOT met")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
