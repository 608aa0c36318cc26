"""``benchmarks/linkage.py --extract DIR --truth FILE`` run small, as a user runs it: every
missed and every wrong link is counted under one kind, and the figures are the pairwise
ones of the truth."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from dsvb.demo import generator

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "linkage.py"


def test_an_extract_is_measured_with_its_errors_by_kind(tmp_path: Path) -> None:
    generator.generate_extract(tmp_path / "x", incidents=6_000, seed=4, truth=tmp_path / "t.csv")
    out = tmp_path / "m.json"
    done = subprocess.run(
        [sys.executable, str(BENCH), "--extract", str(tmp_path / "x"),
         "--truth", str(tmp_path / "t.csv"), "--json", str(out)],
        capture_output=True, text=True, timeout=300, env={**os.environ},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    m = json.loads(out.read_text())
    assert m["records"] > 4_000 and m["true_links"] > 50
    correct = m["correct_links"]
    assert sum(m["missed_links_by_kind"].values()) == m["true_links"] - correct
    assert sum(m["wrong_links_by_kind"].values()) == m["predicted_links"] - correct
    assert m["precision"] == round(correct / m["predicted_links"], 4)
    assert m["recall"] == round(correct / m["true_links"], 4)
    assert set(m["true_people_by_hard_case"]) <= {"twin", "namesake", "married"}
    assert m["true_people_by_hard_case"].get("married", 0) > 0


def test_extract_and_truth_go_together(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--extract", str(tmp_path)],
        capture_output=True, text=True, timeout=60, env={**os.environ},
    )  # fmt: skip
    assert done.returncode == 2 and "--extract and --truth go together" in done.stderr
