"""The partnership cases' rules at a borough's scale, without a database: DASH scoring, MARAC
proposals, Victims' Code deadlines, and Victims' Code compliance through the indicator
engine.

    PYTHONPATH=src .venv/bin/python benchmarks/cases_rules.py [--cases 20000]

A London borough's MARAC hears a few hundred cases a year and its CSU records a few thousand
DV crimes, so ``--cases 20000`` (every DV crime of a large borough for several years) is
well above what one installation's pages ask of these rules. Each figure is the median of
three runs; the baseline is a plain Python loop over the same number of items in the same
run (so a slow machine shows as a slow baseline, not a slow rule).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from collections.abc import Callable


def timed(work: Callable[[], object], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20_000)
    args = parser.parse_args()
    n = args.cases

    from dsvb.cases import dash, marac, vcop

    rng = random.Random(17)
    day = dt.date(2026, 11, 2)
    questions = [q.id for q in dash.checklist("safelives").on(day)]
    answers = [{q: rng.choice(("yes", "no", "not_known")) for q in questions} for _ in range(n)]
    events = [
        (
            rng.choice(("arrest", "suspect_charged", "bail_change", "decision_not_to_charge")),
            dt.datetime(2026, 1, 1, 9) + dt.timedelta(hours=rng.randrange(24 * 330)),
        )
        for _ in range(n)
    ]
    incidents = [
        marac.IncidentFact(day - dt.timedelta(days=30 * k), "violence", True, "p1")
        for k in range(4)
    ]
    referrals = [marac.ReferralFact(day - dt.timedelta(days=200), frozenset({"p1"}))]
    rows = [
        vcop.ContactRow(
            case_id=i // 3,
            reason="arrest",
            due_at=at,
            made_at=at + dt.timedelta(hours=rng.randrange(-20, 60)),
            team=f"Team {i % 7}",
            area_code="E09000022",
        )
        for i, (_, at) in enumerate(events)
    ]

    baseline = timed(lambda: [sum(1 for v in a.values() if v == "yes") for a in answers])
    figures = {
        f"DASH assess x{n:,}": timed(
            lambda: [dash.assess("safelives", a, on=day) for a in answers]
        ),
        f"MARAC proposals x{n:,}": timed(
            lambda: [
                marac.proposals(assessment=None, incidents=incidents, referrals=referrals, on=day)
                for _ in range(n)
            ]
        ),
        f"Victims' Code owed x{n:,}": timed(
            lambda: [vcop.owed(kind, at, enhanced=True) for kind, at in events]
        ),
        f"vcop_compliance over {n:,} contacts (engine)": timed(
            lambda: vcop.case_compliance(rows, dt.date(2026, 1, 1), dt.date(2027, 1, 1))
        ),
    }
    print(f"baseline (count yes in {n:,} answer sets): {baseline:.3f} s")
    for name, seconds in figures.items():
        print(f"{name}: {seconds:.3f} s ({seconds / baseline:.0f}x baseline)")


if __name__ == "__main__":
    main()
