"""``dsvb dash-wording FILE`` as an installation runs it before pointing DSVB_DASH_WORDING at
its licensed copy: the installed script, a real file, the coverage said, a mistake named by
line and column."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

DSVB = [str(Path(sys.executable).with_name("dsvb"))]


def dsvb(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*DSVB, *args], capture_output=True, text=True, env=dict(os.environ), timeout=120
    )


def test_a_good_file_says_how_many_questions_it_words(tmp_path: Path) -> None:
    file = tmp_path / "licensed.csv"
    file.write_text(
        "checklist,question_id,wording\n"
        'safelives,injured,"Official text, one"\n'
        "safelives,frightened,Official text two\n"
        "acpo_dash,children_hurt,Official text eleven\n",
        encoding="utf-8",
    )
    result = dsvb("dash-wording", str(file))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("safelives: 2 of 24 questions worded")
    assert "22 keep dsvb's short label" in lines[0]
    assert lines[1].startswith("acpo_dash: 1 of 41 questions worded")
    assert lines[-1] == f"{file}: 3 questions in all"


def test_a_mistake_is_named_by_line_and_column_and_exits_1(tmp_path: Path) -> None:
    file = tmp_path / "licensed.csv"
    file.write_text(
        "checklist,question_id,wording\nsafelives,injured,One\nsafelives,children_hurt,Two\n",
        encoding="utf-8",
    )
    result = dsvb("dash-wording", str(file))
    assert result.returncode == 1
    assert (
        f"{file}, line 3, column 'question_id': 'children_hurt' is not a question of safelives"
        in result.stderr
    )
    assert result.stdout == ""
