"""The figures behind decision 0023: how often each proportion-ratio method calls a difference
that is not there, by exact enumeration, and how often simulated boards see a false call.

Run from the repository root (about a minute)::

    PYTHONPATH=$PWD/src:$PWD .venv/bin/python scripts/equality_levels.py

It reuses the tests' enumeration and simulated board (``tests/unit/test_ratios.py``), so the
figures are those the tests check, at more sizes.
"""

from __future__ import annotations

import numpy as np
from tests.unit.test_ratios import BOARDS, rejection_rate, simulate_board

from dsvb.indicators.ratios import benjamini_hochberg, katz_ratio, proportion_ratio

SIZES = [(3, 500, 0.3), (40, 300, 0.9), (50, 250, 0.5), (120, 1500, 0.2), (60, 2000, 0.4)]
LEVELS = (0.05, 0.00025)


def main() -> None:
    print("Rejection rate / level when both groups' true proportion is p (exact enumeration)")
    print(f"{'n1':>5} {'n2':>6} {'p':>5}  " + "  ".join(f"Katz@{a:<7} ours@{a:<7}" for a in LEVELS))
    for n1, n2, p in SIZES:
        cells = []
        for alpha in LEVELS:
            katz = rejection_rate(katz_ratio, n1, n2, p, alpha) / alpha
            ours = rejection_rate(proportion_ratio, n1, n2, p, alpha) / alpha
            cells.append(f"{katz:12.2f} {ours:12.2f}")
        print(f"{n1:>5} {n2:>6} {p:>5}  " + "  ".join(cells), flush=True)

    rng = np.random.default_rng(20261206)
    boards = [simulate_board(rng)[0] for _ in range(BOARDS)]
    corrected = sum(benjamini_hochberg(board).selected > 0 for board in boards)
    raw = sum(any(p is not None and p < 0.05 for p in board) for board in boards)
    tested = np.mean([sum(p is not None for p in board) for board in boards])
    print(f"\n{BOARDS} simulated boards with no differences, {tested:.0f} comparisons each:")
    print(f"  with a call after Benjamini-Hochberg at 5%: {corrected}")
    print(f"  with a call at p < 0.05 uncorrected:        {raw}")
    rng = np.random.default_rng(20261206)
    katz_boards = [simulate_board(rng, proportions=katz_ratio)[0] for _ in range(100)]
    katz = sum(benjamini_hochberg(board).selected > 0 for board in katz_boards)
    print(f"  Katz at every size, 100 boards, after the correction: {katz}")


if __name__ == "__main__":
    main()
