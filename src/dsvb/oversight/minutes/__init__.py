"""Minutes in, actions out: a meeting's minutes as numbered paragraphs and every action in them.

The board's minutes are written by different secretaries over the years, in Word, as text
pasted into e-mail, as Markdown, sometimes as a PDF. They number paragraphs in many ways
("1.", "1.1", "(a)", "Item 3", a numbered Markdown heading, Word's automatic "List Number"
style with no number in the text) or not at all, and they write actions in several ways:

=======================  ========================================================  ==========
form                     written                                                   task
=======================  ========================================================  ==========
``action_to``            ``Action: Shaun Sawyer to update on SLA``                 after "to"
``action_owner``         ``ACTION – Kingston / Hackney``, ``Actions: Kingston``    the points
                                                                                   before it,
                                                                                   else the
                                                                                   paragraph
``numbered``             ``Action 1: Board staff to write to the Home Secretary``  as above
``action_list``          ``Actions:`` followed by bullet points, one per action    each point
``trailing``             ``… will circulate the audit (Action)``,                  the sentence
                         ``… (Action: Board staff)``
``borough_after_points`` a list of points, then a line with only a borough name    the points
``action_table``         a table headed "Action | Owner | Due" (one row each)      its cell
=======================  ========================================================  ==========

:func:`parse_minutes` reads a document with :func:`dsvb.oversight.reading.read_document`
and returns a :class:`ParsedMinutes`: the paragraphs (each with its number, as written or
assigned, and the agenda heading it sits under), the actions (each with its owners, task,
source paragraph and line, and a due date when the action states one), the meeting's title
and date, attendance and apologies, and warnings for what a person should look at (an action
with no owner, a borough read by similarity, a paragraph number used twice). It never
raises for the content of the minutes: an action it cannot fully read is still returned,
with what it could read and a warning. Decision 0027 records what is recognised and what
is deliberately not.

The web app's import and action register are built on these types; they are frozen and
their fields are part of the contract (add fields at the end, with defaults).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

from dsvb.oversight.minutes.actions import PASSIVE_OWNER as PASSIVE_OWNER
from dsvb.oversight.minutes.actions import _find_actions, _Found, _Para
from dsvb.oversight.minutes.attendance import _ATTENDANCE_LABEL, _attendance, _person
from dsvb.oversight.minutes.dates import _due, _find_date
from dsvb.oversight.minutes.lines import (
    _ACTION_LABEL,
    _TRAILING,
    _bold_only,
    _next_index,
    _Row,
    _rows,
    _strip_heading,
    _title_like,
)
from dsvb.oversight.minutes.owners import _area
from dsvb.oversight.minutes.types import (
    FORMS,
    Action,
    AttendanceGroup,
    MinutesError,
    MinutesParagraph,
    MinutesWarning,
    ParsedMinutes,
)
from dsvb.oversight.reading import read_document

__all__ = [
    "FORMS",
    "Action",
    "AttendanceGroup",
    "MinutesError",
    "MinutesParagraph",
    "MinutesWarning",
    "ParsedMinutes",
    "parse_minutes",
]


def parse_minutes(source: Path | bytes, name: str | None = None) -> ParsedMinutes:
    """Read minutes (.txt, .md, .docx, .pdf) into numbered paragraphs and actions.

    ``source`` is a path or an upload's bytes, ``name`` the file's name (its suffix says
    the kind; it names the file in errors and warnings). Raises :class:`DocumentError`
    (or :class:`MinutesError`) when the file cannot be read or holds no paragraphs; never
    for an action it cannot fully read (that gives a warning).
    """
    name = name or (source.name if isinstance(source, Path) else "minutes")
    lines = read_document(source, name)
    docx = Path(name).suffix.lower() == ".docx"
    rows = _rows(lines, docx)
    warnings: list[MinutesWarning] = []
    numbered = sum(1 for r in rows if r.kind == "numbered" or (r.kind == "heading" and r.number))

    # rows whose role depends on their neighbours
    for i, r in enumerate(rows):
        if r.kind != "text":
            continue
        prev, nxt = _next_index(rows, i, -1), _next_index(rows, i)
        bare = r.plain.strip().rstrip(":.").strip()
        if (
            prev is not None
            and rows[prev].kind == "bullet"
            and len(bare.split()) <= 4
            and _area(bare)[0]
            and (nxt is None or rows[nxt].kind in ("numbered", "heading") or (
                not numbered and rows[nxt].kind == "text"))
        ):  # fmt: skip
            r.kind = "owner_line"
        elif (
            numbered
            and nxt is not None
            and (rows[nxt].kind == "numbered" or rows[nxt].kind == "heading")
            and _title_like(r.plain)
            and not _ACTION_LABEL.match(r.plain)
            and not _ATTENDANCE_LABEL.match(r.plain)
            and not _TRAILING.search(r.plain)
        ):
            r.kind, r.rest, r.level = "heading", _strip_heading(r.plain), 3
    for i, r in enumerate(rows):  # a short numbered line followed by its text is a heading
        if r.kind == "numbered" and not r.heading_text and "(" not in r.number:
            nxt = _next_index(rows, i)
            words = r.rest.split()
            if (
                words
                and len(words) <= 6
                and not r.rest.endswith("?")
                and not _ACTION_LABEL.match(r.rest)
                and (len(words) <= 4 or _title_like(r.rest))
                and nxt is not None
                and rows[nxt].kind == "text"
                and rows[nxt].plain[:1].isupper()
                and not _ACTION_LABEL.match(rows[nxt].plain)
            ):
                r.heading_text, r.rest = _strip_heading(r.rest), ""

    title, title_rows = _title(rows)
    para_of = [""] * len(rows)
    paras: dict[str, _Para] = {}
    order: list[_Para] = []
    heading = ""
    current: _Para | None = None
    preamble: list[int] = []
    seen_numbers: dict[str, int] = {}

    def start(number: str, head: str, i: int) -> _Para:
        if number in seen_numbers:
            warnings.append(
                MinutesWarning(
                    name,
                    rows[i].line.number,
                    f"paragraph {number} is numbered twice (also line {seen_numbers[number]})",
                )
            )
        else:
            seen_numbers[number] = rows[i].line.number
        p = _Para(number, head)
        order.append(p)
        paras.setdefault(number, p)
        return p

    counter = 0
    # unnumbered text minutes: a blank line after text ends a paragraph ("closed"), but
    # bullet points and action lines after it still belong to it
    closed = False
    for i, r in enumerate(rows):
        if i in title_rows:
            continue
        if r.kind == "blank":
            if numbered and not order:
                preamble.append(i)
            elif current is not None and current.rows and rows[current.rows[-1]].kind == "text":
                closed = True
            continue
        if r.kind == "heading":
            if r.number:
                heading = r.heading_text
                current, closed = start(r.number, heading, i), False
                current.rows.append(i)
                para_of[i] = current.number
                continue
            if r.level == 1 and not order and not title:
                title = r.rest
                continue
            heading, current = r.rest, None
            continue
        if numbered:
            if r.kind == "numbered":
                if r.heading_text:
                    heading = r.heading_text
                current = start(r.number, heading, i)
            elif current is None:
                if not order:
                    preamble.append(i)
                    continue
                current = order[-1]  # text after an unnumbered heading: the last paragraph's
        else:
            attaches = r.kind in ("bullet", "owner_line", "table") or bool(
                _ACTION_LABEL.match(r.plain)
            )
            if current is None or closed or (docx and not attaches):
                if attaches and current is not None:
                    pass  # points and actions after a paragraph are its own
                elif not order and (
                    _ATTENDANCE_LABEL.match(r.plain) or (preamble and _person(r.plain))
                ):
                    preamble.append(i)
                    continue
                else:
                    counter += 1
                    current = start(str(counter), heading, i)
                closed = False
        current.rows.append(i)
        para_of[i] = current.number

    attendance, apologies, used = _attendance(rows, preamble)
    if not numbered:
        # rows the attendance reader did not take were paragraphs after all
        for i in preamble:
            if i not in used:
                warnings.append(
                    MinutesWarning(name, rows[i].line.number, "line left out of the paragraphs")
                )
    if not order:
        raise MinutesError(name, "has no paragraphs of minutes (no text after the heading)")
    if not numbered:
        warnings.insert(
            0,
            MinutesWarning(
                name, None, "the minutes have no paragraph numbers; numbered 1, 2, 3… in order"
            ),
        )
    meeting_date = _find_date(title) if title else None
    if meeting_date is None:
        for i in sorted(set(preamble) | title_rows):
            meeting_date = _find_date(rows[i].plain)
            if meeting_date:
                break

    found = _find_actions(rows, para_of, paras)
    paragraphs = tuple(_paragraph(p, rows) for p in order if _has_text(p, rows))
    actions = _actions(found, meeting_date, name, warnings)
    return ParsedMinutes(
        name=name,
        title=title,
        meeting_date=meeting_date,
        paragraphs=paragraphs,
        actions=actions,
        warnings=tuple(warnings),
        attendance=attendance,
        apologies=apologies,
        numbering="document" if numbered else "assigned",
    )


def _title(rows: list[_Row]) -> tuple[str, set[int]]:
    """The meeting's title: a bold block or a "Title"/level-1 heading at the top."""
    first = _next_index(rows, -1)
    for i, r in enumerate(rows[: (first or 0) + 15]):
        if r.kind == "heading" and (r.level == 1 or r.line.style == "Title") and not r.number:
            return r.rest, {i}
        if r.kind in ("numbered",):
            break
        raw = r.raw.strip()
        if raw.startswith(("**", "__")) and not _bold_only(raw) and r.kind != "heading":
            taken = {i}
            parts = [r.plain]
            j = i + 1
            while j < len(rows) and len(taken) < 6:
                taken.add(j)
                if rows[j].plain:
                    parts.append(rows[j].plain)
                if rows[j].raw.strip().endswith(("**", "__")):
                    return " ".join(parts), taken
                j += 1
    # else the first line, when it reads as the meeting's name ("Notes of the meeting held
    # on 14 October 2008", "Minutes of the board, 2 April 2009")
    if first is not None and rows[first].kind in ("text", "heading") and not rows[first].number:
        text = rows[first].plain.lstrip("#").strip()
        if re.search(r"\b(minutes|notes|meeting)\b", text, re.I) and len(text.split()) <= 20:
            return text, {first}
    return "", set()


def _has_text(p: _Para, rows: list[_Row]) -> bool:
    return bool(_text(p, rows))


def _text(p: _Para, rows: list[_Row]) -> str:
    out: list[str] = []
    for k in p.rows:
        r = rows[k]
        if r.kind == "heading":
            continue
        if r.kind == "bullet":
            out.append(f"- {r.rest}")
        elif r.kind == "table":
            out.append(r.rest)
        elif r.kind == "numbered":
            if r.rest:
                out.append(r.rest)
        elif out and r.kind == "text" and r.plain[:1].islower() and not out[-1].startswith("- "):
            out[-1] = f"{out[-1]} {r.plain}"  # a line wrapped (or split by a page break)
        else:
            out.append(r.plain)
    return "\n".join(out)


def _paragraph(p: _Para, rows: list[_Row]) -> MinutesParagraph:
    return MinutesParagraph(
        number=p.number,
        text=_text(p, rows),
        lines=tuple(rows[k].line.number for k in p.rows),
        heading=p.heading,
    )


def _actions(
    found: list[_Found], meeting: dt.date | None, name: str, warnings: list[MinutesWarning]
) -> tuple[Action, ...]:
    """Owners normalised across the minutes (one spelling each; a borough as its reference
    name with its code), due dates read, and a warning for each owner-less action."""
    spellings: dict[str, Counter[str]] = {}
    for f in found:
        for owner in f.owners:
            spellings.setdefault(_owner_key(owner), Counter())[" ".join(owner.split())] += 1

    def canonical(owner: str) -> str:
        counts = spellings[_owner_key(owner)]
        best = max(counts.items(), key=lambda kv: (kv[0] != kv[0].upper(), kv[1]))[0]
        return best.title() if best.isupper() and len(best) > 4 else best

    actions = []
    for f in found:
        owners: list[str] = []
        codes: list[str] = []
        for owner in f.owners:
            spelled = canonical(owner)
            code, area_name, how = _area(spelled)
            if code and how == "similar":
                warnings.append(
                    MinutesWarning(
                        name, f.line, f"owner {spelled!r} read as {area_name} by similarity"
                    )
                )
            shown = area_name or spelled
            if shown not in owners:
                owners.append(shown)
                codes.append(code)
        if f.problem:
            warnings.append(MinutesWarning(name, f.line, f"{f.problem}: {f.text!r}"))
        due, due_text = _due(f.due_source, meeting)
        actions.append(
            Action(
                paragraph=f.paragraph,
                owners=tuple(owners),
                task=f.task.strip(),
                text=f.text,
                line=f.line,
                due=due,
                form=f.form,
                owner_area_codes=tuple(codes),
                due_text=due_text,
            )
        )
    return tuple(actions)


def _owner_key(owner: str) -> str:
    return " ".join(owner.casefold().split())
