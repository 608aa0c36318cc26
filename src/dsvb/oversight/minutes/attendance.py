"""Attendance: who was present, who sent apologies, who was in attendance.

Reads the attendance lists ("Present:", "Apologies:", "In attendance:") into groups of
names. Separate because it is read from its own labelled block of lines and shares nothing
with the actions but the rows and the test of what looks like a name.
"""

from __future__ import annotations

import re

from dsvb.oversight.minutes.lines import _Row
from dsvb.oversight.minutes.owners import _name_like
from dsvb.oversight.minutes.types import AttendanceGroup

_ATTENDANCE_LABEL = re.compile(
    r"^(?P<label>(?:board\s+|members\s+)?(?:present|members(?:\s+present)?|board\s+members|"
    r"(?:other\s+)?attendees|attendance|in\s+attendance|also\s+(?:present|attending)|"
    r"apologies(?:\s+for\s+absence)?|apologies\s+received|absent|guests|observers|"
    r"officers(?:\s+present)?|introductions))\s*:?\s*(?P<inline>.*)$",
    re.I,
)


def _person(text: str) -> str:
    """The name in an attendance line ("Cindi Butts, MPA (Co-Chair)" → "Cindi Butts"), or ""."""
    text = re.sub(r"\([^)]*\)", "", text)
    name = re.split(r",|\s[-–—]\s", text)[0].strip().strip(".")
    words = name.split()
    if not 2 <= len(words) <= 4 or re.search(r"\d", name):
        return ""
    particles = {"de", "van", "von", "der", "da", "di", "le", "la", "bin", "al"}
    if all(w[0].isupper() or w.lower() in particles for w in words):
        return name
    return ""


def _attendance(
    rows: list[_Row], indices: list[int]
) -> tuple[tuple[AttendanceGroup, ...], tuple[str, ...], set[int]]:
    """Attendance groups and apologies from the rows given (the minutes' opening), and the
    rows they used. A group is a label (a known one such as "Present" or "Apologies", or a
    short line standing alone such as "MPS") followed by names, one a line or after the
    label's colon."""
    groups: list[tuple[str, list[str]]] = []
    used: set[int] = set()
    current: list[str] | None = None
    for pos, i in enumerate(indices):
        r = rows[i]
        if r.kind == "blank":
            continue
        text = r.rest if r.kind == "bullet" else r.plain
        known = _ATTENDANCE_LABEL.match(text)
        prev_blank = pos == 0 or rows[indices[pos - 1]].kind == "blank"
        next_blank = pos + 1 >= len(indices) or rows[indices[pos + 1]].kind == "blank"
        standalone = (
            len(text.split()) <= 3
            and "," not in text
            and not re.search(r"\d", text)
            and prev_blank
            and next_blank
            and not _person(text)
        )
        if known or standalone:
            label = known.group("label") if known else text.rstrip(":")
            inline = known.group("inline") if known else ""
            current = []
            groups.append((label, current))
            used.add(i)
            for piece in re.split(r"[;,]\s*(?=[A-Z])", inline) if inline else []:
                name = _person(piece) or (piece.strip() if _name_like(piece.strip()) else "")
                if name:
                    current.append(name)
            continue
        name = _person(text)
        if name and current is not None:
            if name not in current:
                current.append(name)
            used.add(i)
            continue
        current = None
    attendance = tuple(
        AttendanceGroup(label, tuple(names))
        for label, names in groups
        if names and not label.lower().startswith(("apolog", "absent"))
    )
    apologies = tuple(
        n
        for label, names in groups
        if label.lower().startswith(("apolog", "absent"))
        for n in names
    )
    return attendance, apologies, used
