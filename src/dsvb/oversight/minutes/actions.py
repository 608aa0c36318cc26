"""Actions: finding every action in the rows, in each of the forms the minutes use.

Finds the actions of :data:`~dsvb.oversight.minutes.types.FORMS` (an "Action:" line, an
owner after a list of points, numbered actions, an action list, a trailing "(Action)", an
action table) and reads each one's owners and task. Separate because it is the largest and
most often changed part of the reading, and it only needs the rows and the owners.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dsvb.oversight.minutes.lines import _ACTION_LABEL, _TRAILING, _next_index, _plain, _Row
from dsvb.oversight.minutes.owners import _parse_owners

# an action written at the end of a paragraph's line, after a full stop: "… forum. ACTION –
# Barking & Dagenham", "… report. Action: Kingston to reply" (capital "ACTION", or "Action"
# with a colon or dash: "Action was taken" is prose)
_INLINE = re.compile(
    r"(?<=[.!?])\s+(?:ACTIONS?|Actions?(?=\s*[:–—]|\s+-\s))\s*(?:[:–—]|\s-)\s*"
    r"(?P<body>[^.!?]*\S)\s*[.]?\s*$"
)

_SUBJECT_VERB = re.compile(
    r"^(?P<who>.{1,80}?)\s+(?:will|agreed\s+to|undertook\s+to|offered\s+to|is\s+to|are\s+to|"
    r"to|would|(?:said|agreed)\s+(?:that\s+)?(?:he|she|they|it)\s+(?:would|will))\s+(?P<task>.+)$",
    re.I,
)


@dataclass
class _Found:
    paragraph: str
    owners: tuple[str, ...]
    task: str
    text: str
    line: int
    form: str
    due_source: str
    problem: str = ""


# who holds an action written in the passive, naming nobody, until the board allocates it
PASSIVE_OWNER = "Board"


@dataclass
class _Para:
    number: str
    heading: str
    rows: list[int] = field(default_factory=list)


def _owner_task(body: str) -> tuple[tuple[str, ...] | None, str, str]:
    """(owners, task, problem) from an action's body. owners is None when the body names
    only owners and no task (the task is then elsewhere)."""
    body = body.strip().strip(".").strip()
    if not body:
        return (), "", "the action names no owner and no task"
    if re.match(r"^to\s+", body, re.I):
        return (), re.sub(r"^to\s+", "", body, flags=re.I), "the action names no owner"
    passive = re.match(r"^(?P<what>.+?)\s+to\s+be\s+(?P<rest>.+)$", body, re.I)
    if passive and len(passive.group("what").split()) <= 6:
        # "Disproportionality to be discussed at a separate meeting": nobody is named, so the
        # board holds it until it allocates it (as a secretariat's register would show it)
        return (
            (PASSIVE_OWNER,),
            body,
            f"the action names no owner (it is written in the passive): held by the "
            f"{PASSIVE_OWNER} until it allocates it",
        )
    m = re.match(r"^(?P<who>.+?)\s+to\s+(?P<task>.+)$", body, re.I)
    if m:
        owners = _parse_owners(m.group("who"))
        if owners:
            return owners, m.group("task").strip(), ""
    head = re.match(r"^(?P<who>[^:–—]+?)\s*(?:\s[-–—]|:)\s+(?P<task>.+)$", body)
    if head:  # "Shaun Sawyer – update on SLA"
        owners = _parse_owners(head.group("who"))
        if owners:
            return owners, head.group("task").strip(), ""
    tail = re.match(r"^(?P<task>.+?)\s*(?:\s[-–—]\s*|\()(?P<who>[^()\-–—]+?)\)?$", body)
    if tail:
        owners = _parse_owners(tail.group("who"))
        if owners and len(tail.group("task").split()) >= 2:
            return owners, tail.group("task").strip(), ""
    owners = _parse_owners(body)
    if owners:
        return owners, "", ""  # the owners alone: the task is the points or the paragraph
    return (), body, "the action names no owner"


_TABLE_COLUMNS = {
    "task": re.compile(r"^(?:agreed\s+)?(?:actions?|tasks?)(?:\s+(?:agreed|points?))?$", re.I),
    "owner": re.compile(r"^(?:owners?|who|leads?|by\s+whom|responsib\w*|action\s+by)$", re.I),
    "due": re.compile(r"^(?:due(?:\s+date)?|by\s+when|deadline|date|when|target\s+date)$", re.I),
    "paragraph": re.compile(r"^(?:ref\.?|item|para(?:graph)?|minute)$", re.I),
}


def _table_header(cells: tuple[str, ...]) -> dict[str, int] | None:
    """The columns of an action table's header row ("Action | Owner | Due"), or None."""
    columns: dict[str, int] = {}
    for k, cell in enumerate(cells):
        label = _plain(cell).strip(" :")
        for column, pattern in _TABLE_COLUMNS.items():
            if column not in columns and pattern.match(label):
                columns[column] = k
                break
    return columns if {"task", "owner"} <= columns.keys() else None


def _find_actions(rows: list[_Row], para_of: list[str], paras: dict[str, _Para]) -> list[_Found]:
    found: list[_Found] = []
    consumed: set[int] = set()
    table: dict[str, int] | None = None
    for i, r in enumerate(rows):
        if r.kind in ("blank", "heading") or i in consumed:
            continue
        text = r.rest if r.kind in ("bullet", "numbered") else r.plain
        paragraph = para_of[i]
        if r.line.cells:  # a table: an action table if its header says so
            header = _table_header(r.line.cells)
            if header is not None:
                table = header
            elif table is not None:
                found.extend(_table_action(r, table, paragraph))
            continue
        table = None
        label = _ACTION_LABEL.match(text)
        if label:
            r.is_action = True
            body = label.group("body")
            form = "numbered" if label.group("n") else "action_to"
            j = i + 1  # an action line wrapped in a text file: its next lines start lower case
            while (
                r.kind == "text"
                and body.strip()
                and j < len(rows)
                and rows[j].kind == "text"
                and rows[j].plain[:1].islower()
            ):
                body, text = f"{body} {rows[j].plain}", f"{text} {rows[j].plain}"
                rows[j].is_action = True
                consumed.add(j)
                j += 1
            if not body.strip():
                points = _points_after(rows, i)
                if points:
                    for j in points:
                        consumed.add(j)
                        rows[j].is_action = True
                        owners, task, problem = _owner_task(rows[j].rest)
                        if owners is None or (owners and not task):
                            task = task or rows[j].rest
                        found.append(
                            _Found(
                                paragraph, owners or (), task, rows[j].rest,
                                rows[j].line.number, "action_list", rows[j].rest, problem,
                            )
                        )  # fmt: skip
                    continue
            owners, task, problem = _owner_task(body)
            if (owners and not task) or not body.strip():
                task = _task_before(rows, i, para_of, paras, owners_first=bool(owners))
                form = form if form == "numbered" else "action_owner"
                if not body.strip():
                    problem = "the action names no owner"
            found.append(
                _Found(paragraph, owners or (), task, text, r.line.number, form, body, problem)
            )
            continue
        inline = _INLINE.search(text)
        if inline:  # "... to the DV forum. ACTION – Barking & Dagenham" at a line's end
            r.is_action = True
            body = inline.group("body").strip()
            owners, task, problem = _owner_task(body)
            if owners and not task:
                before = text[: inline.start()].strip()
                task = re.split(r"(?<=[.!?])\s+", before)[-1] if before else ""
            found.append(
                _Found(paragraph, owners or (), task, text, r.line.number, "inline", body, problem)
            )
            continue
        trailing = _TRAILING.search(text)
        if trailing:
            r.is_action = True
            before = text[: trailing.start()].strip().rstrip(".;,")
            sentence = re.split(r"(?<=[.!?])\s+", before)[-1] if before else ""
            owners: tuple[str, ...] | None = None
            problem = ""
            task = sentence
            if trailing.group("owners"):
                owners = _parse_owners(trailing.group("owners"))
                if not owners:
                    problem = f"the owner {trailing.group('owners')!r} is not a name"
            else:
                m = _SUBJECT_VERB.match(sentence)
                if m and _parse_owners(m.group("who")):
                    owners, task = _parse_owners(m.group("who")), m.group("task")
                else:
                    problem = "the action names no owner"
            found.append(
                _Found(
                    paragraph, owners or (), task, text, r.line.number, "trailing", task, problem
                )
            )
            continue
        if r.kind == "owner_line":
            r.is_action = True
            task = _task_before(rows, i, para_of, paras)
            found.append(
                _Found(paragraph, (r.plain.strip().rstrip(":.").strip(),), task, r.plain,
                       r.line.number, "borough_after_points", r.plain)
            )  # fmt: skip
    return found


def _table_action(r: _Row, columns: dict[str, int], paragraph: str) -> list[_Found]:
    """One action from a row of an action table (none from an empty row)."""
    cells = [_plain(c) for c in r.line.cells]

    def cell(column: str) -> str:
        k = columns.get(column)
        return cells[k].strip() if k is not None and k < len(cells) else ""

    task, who = cell("task"), cell("owner")
    if not task and not who:
        return []
    r.is_action = True
    owners = _parse_owners(who) if who else None
    problem = "" if owners else "the action names no owner"
    if who and not owners:
        owners, problem = (" ".join(who.split()),), ""  # the minutes' own owner column
    due = cell("due")
    due_source = due if re.match(r"^(?:by|before)\b", due, re.I) else (f"by {due}" if due else task)
    return [
        _Found(
            cell("paragraph") or paragraph, owners or (), task, " | ".join(cells),
            r.line.number, "action_table", due_source, problem,
        )
    ]  # fmt: skip


def _points_after(rows: list[_Row], i: int) -> list[int]:
    """The bullet points directly after row i (blank lines between allowed)."""
    out = []
    j = _next_index(rows, i)
    while j is not None and rows[j].kind == "bullet":
        out.append(j)
        j = _next_index(rows, j)
    return out


def _task_before(
    rows: list[_Row],
    i: int,
    para_of: list[str],
    paras: dict[str, _Para],
    owners_first: bool = False,
) -> str:
    """The task of an action that names only its owners: the bullet points just before it
    (joined with "; "), or else -- for "Actions: Kingston" heading its own list -- the points
    just after it, or else the text of its paragraph (without its action lines)."""
    points: list[str] = []
    j = _next_index(rows, i, -1)
    while j is not None and rows[j].kind == "bullet" and para_of[j] == para_of[i]:
        points.append(rows[j].rest.strip())
        j = _next_index(rows, j, -1)
    if points:
        return "; ".join(reversed(points))
    after = _points_after(rows, i) if owners_first else []
    if after:
        return "; ".join(rows[k].rest.strip() for k in after)
    para = paras.get(para_of[i])
    if para is None:
        return ""
    parts = [
        rows[k].rest if rows[k].kind in ("numbered", "bullet", "table") else rows[k].plain
        for k in para.rows
        if k < i and not rows[k].is_action and rows[k].kind != "heading"
    ]
    return " ".join(p for p in parts if p).strip()
