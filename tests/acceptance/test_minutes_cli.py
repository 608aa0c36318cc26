"""``dsvb minutes parse`` as a secretary runs it: the installed script, real files, nothing
stored."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

DSVB = [str(Path(sys.executable).with_name("dsvb"))]
SEED = Path(__file__).parents[1] / "data" / "seeds" / "003_board_notes_2007-11-06.txt"


def dsvb(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*DSVB, *args], capture_output=True, text=True, env=dict(os.environ), cwd=cwd, timeout=120
    )


def test_the_seed_as_csv_has_its_fifteen_actions(tmp_path: Path) -> None:
    result = dsvb("minutes", "parse", str(SEED), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["paragraph", "owner", "task", "line", "due", "form"]
    assert len(rows) == 15
    assert rows[0] == {
        "paragraph": "6",
        "owner": "Shaun Sawyer",
        "task": "update on SLA",
        "line": "90",
        "due": "",
        "form": "action_to",
    }
    assert [r["owner"] for r in rows].count("Board staff") == 6
    assert rows[-1]["owner"] == "Kingston upon Thames" and rows[-1]["paragraph"] == "91"
    # warnings name the file and line, on standard error, apart from the CSV
    assert "003_board_notes_2007-11-06.txt, line 234: the action names no owner" in result.stderr
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_the_seed_as_json(tmp_path: Path) -> None:
    result = dsvb("minutes", "parse", str(SEED), "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["meeting_date"] == "2007-11-06"
    assert len(document["actions"]) == 15 and len(document["paragraphs"]) == 137
    assert document["actions"][-1]["owner_area_codes"] == ["E09000021"]
    assert document["attendance"][0]["label"] == "Board Members"
    assert {w["line"] for w in document["warnings"]} == {234, 342}


def test_word_minutes_with_several_owners_and_a_due_date(tmp_path: Path) -> None:
    import docx

    d = docx.Document()
    d.add_paragraph("Minutes of the Domestic Violence Board, 3 February 2009", style="Title")
    d.add_paragraph("Hackney", style="Heading 1")
    d.add_paragraph("Steve Dann presented the borough's report.", style="List Number")
    d.add_paragraph("Action: Steve Dann and Elaine Casey to report on 124D forms by 31 March 2009")
    d.add_paragraph("The board discussed the transaction log.", style="List Number")
    path = tmp_path / "February minutes.docx"
    d.save(path)
    result = dsvb("minutes", "parse", str(path))
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows == [
        {
            "paragraph": "1",
            "owner": "Steve Dann; Elaine Casey",
            "task": "report on 124D forms by 31 March 2009",
            "line": "4",
            "due": "2009-03-31",
            "form": "action_to",
        }
    ]


def test_a_file_that_cannot_be_read_is_refused_by_name(tmp_path: Path) -> None:
    bad = tmp_path / "minutes.docx"
    bad.write_bytes(b"this is not a Word file")
    result = dsvb("minutes", "parse", str(bad))
    assert result.returncode == 1
    assert "minutes.docx: is not a Word (.docx) document" in result.stderr
    assert result.stdout == ""
    missing = dsvb("minutes", "parse", str(tmp_path / "absent.md"))
    assert missing.returncode == 1 and "absent.md: cannot be read" in missing.stderr
