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

import calendar
import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from dsvb.oversight.reading import DocumentError, Line, read_document

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

#: the ways an action is written (see the module's table), in the order the docs list them
FORMS = (
    "action_to",
    "action_owner",
    "numbered",
    "action_list",
    "trailing",
    "borough_after_points",
    "action_table",
)


class MinutesError(DocumentError):
    """Minutes that cannot be read as minutes at all, naming the file (and line, if any)."""

    def __init__(self, name: str, message: str, line: int | None = None) -> None:
        where = f"line {line}: " if line is not None else ""
        super().__init__(name, f"{where}{message}")
        self.line = line


@dataclass(frozen=True)
class MinutesParagraph:
    """One numbered paragraph: its number (as written, or assigned when the minutes have
    none), its text (lines joined, bullet points kept as "- " lines, action lines
    included), the document lines it spans, and the agenda heading it sits under ("" when
    none)."""

    number: str
    text: str
    lines: tuple[int, ...]
    heading: str


@dataclass(frozen=True)
class Action:
    """One action the minutes record.

    ``owners`` as normalised (whitespace collapsed, one spelling per person across the
    minutes, a borough as its reference name); ``owner_area_codes`` runs beside ``owners``:
    the borough's ONS code, or "" for an owner who is not a borough. ``owners`` is ``()``
    when the minutes name nobody (there is then a warning). ``task`` is what is to be done;
    ``text`` the action line as written; ``line`` its line number in the document;
    ``due`` the date stated ("by 31 March 2008"), ``due_text`` the phrase as written (also
    when it is no date: "by the next meeting"); ``form`` one of :data:`FORMS`.
    """

    paragraph: str
    owners: tuple[str, ...]
    task: str
    text: str
    line: int
    due: dt.date | None
    form: str
    owner_area_codes: tuple[str, ...] = ()
    due_text: str = ""


@dataclass(frozen=True)
class AttendanceGroup:
    """A block of the attendance list: its label as written ("Board Members", "MPS") and the
    names under it (the name only: the organisation after the comma is dropped)."""

    label: str
    names: tuple[str, ...]


@dataclass(frozen=True)
class MinutesWarning:
    """Something a person should check, with the line it is about (None: the whole file)."""

    name: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f", line {self.line}" if self.line is not None else ""
        return f"{self.name}{where}: {self.message}"


@dataclass(frozen=True)
class ParsedMinutes:
    """What importing the minutes would find (nothing is stored by parsing).

    ``numbering`` is "document" when the paragraph numbers are the minutes' own and
    "assigned" when the minutes had none and dsvb numbered them 1, 2, 3 in order.
    """

    name: str
    title: str
    meeting_date: dt.date | None
    paragraphs: tuple[MinutesParagraph, ...]
    actions: tuple[Action, ...]
    warnings: tuple[MinutesWarning, ...]
    attendance: tuple[AttendanceGroup, ...] = ()
    apologies: tuple[str, ...] = ()
    numbering: str = "document"

    def paragraph(self, number: str) -> MinutesParagraph:
        """The (first) paragraph with this number."""
        for p in self.paragraphs:
            if p.number == number:
                return p
        raise KeyError(number)


# --- reading the lines ------------------------------------------------------------------

_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
_MONTHS["sept"] = 9
_MONTH = r"(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"

_BULLET = re.compile(r"^(?:[-*•·▪◦–]|o(?=\s))\s+(?P<rest>.*)$")
_MD_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<rest>.*?)\s*#*\s*$")
_ITEM = re.compile(
    r"^(?:agenda\s+)?item\s+(?P<n>\d{1,3}(?:\.\d{1,3}){0,3})\s*[:.)\-–—]?\s*(?P<rest>.*)$", re.I
)
_LETTER = re.compile(r"^(?:\((?P<a>[a-z]|[ivx]{1,4})\)|(?P<b>[a-z])\))\s+(?P<rest>\S.*)$")
_NUMBER = re.compile(r"^(?P<n>\d{1,3}(?:\.\d{1,3}){0,3})(?P<punct>[.)])?(?:\s+(?P<rest>\S.*))?$")
_PAGE_NUMBER = re.compile(r"^(?:page\s+)?\d{1,3}(?:\s+of\s+\d{1,3})?$", re.I)
_ACTION_LABEL = re.compile(
    r"^(?P<label>actions?|action\s+points?|agreed\s+actions?)"
    r"(?:\s+(?P<n>\d{1,3}|[a-z](?=\s*[:–—]))(?![\w%]))?"
    r"(?:\s*[:–—]\s*|\s+-\s+|\s*$)(?P<body>.*)$",
    re.I,
)
_TRAILING = re.compile(
    r"[(\[]\s*action(?:\s*(?:[:–—]|\s-)\s*(?P<owners>[^)\]]*?))?\s*[)\]]\s*[.;]?\s*$", re.I
)
_EMPHASIS = re.compile(r"(\*\*|__|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*]))")


def _plain(text: str) -> str:
    """The text without Markdown emphasis or escapes, whitespace collapsed."""
    text = _EMPHASIS.sub("", text.replace("\\", ""))
    return " ".join(text.split())


def _bold_only(raw: str) -> bool:
    s = raw.strip()
    return (
        len(s) > 4
        and s.startswith(("**", "__"))
        and s.endswith(("**", "__"))
        and "**" not in s[2:-2]
    )


@dataclass
class _Row:
    """A line as the paragraph builder sees it."""

    line: Line
    raw: str
    plain: str
    kind: str = "text"  # blank | heading | numbered | bullet | text | table | owner_line
    number: str = ""  # for numbered rows (and numbered headings)
    rest: str = ""  # the text after the number / bullet / heading marker
    heading_text: str = ""  # for a numbered row that is (or opens with) a heading
    is_action: bool = False
    level: int = 0


def _rows(lines: list[Line], docx: bool) -> list[_Row]:
    rows = [_Row(ln, ln.text, _plain(ln.text)) for ln in lines]
    if not docx:  # a PDF's or pasted text's page headers: short lines repeated on every page
        counts = Counter(r.plain for r in rows if r.plain and len(r.plain.split()) <= 8)
        for r in rows:
            repeated = counts.get(r.plain, 0) >= 3 and not _BULLET.match(r.plain)
            if (repeated and not _ACTION_LABEL.match(r.plain)) or _PAGE_NUMBER.match(r.plain):
                r.plain = ""
    last_top: int | None = None
    list_counters: list[int] = []
    for r in rows:
        if not r.plain:
            r.kind = "blank"
            continue
        if r.line.cells:  # a table's row is never a number, a heading or a point
            r.kind, r.rest = "table", " | ".join(_plain(c) for c in r.line.cells)
            continue
        style = r.line.style or ""
        md = _MD_HEADING.match(r.raw.strip())
        if md or style.startswith("Heading") or style in ("Title", "Subtitle"):
            r.kind = "heading"
            r.level = len(md.group("hashes")) if md else _style_level(style)
            text = _plain(md.group("rest")) if md else r.plain
            number, rest = _leading_number(text, last_top, strict=False)
            r.rest = text
            if number and rest and style != "Title":
                r.number, r.heading_text, r.rest = number, _strip_heading(rest), ""
                last_top = _top(number, last_top)
            continue
        if style.startswith("List Number"):
            level = max(1, _style_level(style))
            del list_counters[level:]
            while len(list_counters) < level:
                list_counters.append(0)
            list_counters[level - 1] += 1
            r.kind, r.number, r.rest = "numbered", ".".join(map(str, list_counters)), r.plain
            last_top = list_counters[0]
            continue
        bullet = _BULLET.match(r.plain)
        if bullet or style.startswith(("List Bullet", "List Paragraph")):
            r.kind, r.rest = "bullet", bullet.group("rest") if bullet else r.plain
            continue
        number, rest = _leading_number(r.plain, last_top, strict=True)
        if number and not _ACTION_LABEL.match(r.plain):
            r.kind, r.number, r.rest = "numbered", number, rest
            last_top = _top(number, last_top)
            # a bold lead-in ("23. **Suicides within DV relationships.** Shaun said…")
            raw_rest = re.sub(r"^\s*\S+\s+", "", r.raw.strip(), count=1)
            lead = re.match(r"^(\*\*|__)(?P<h>.+?)\1\s*(?P<more>.*)$", raw_rest)
            if lead:
                r.heading_text = _strip_heading(_plain(lead.group("h")))
                r.rest = _plain(lead.group("more"))
            continue
        if _bold_only(r.raw) and len(r.plain.split()) <= 15 and not _ACTION_LABEL.match(r.plain):
            r.kind, r.rest, r.level = "heading", _strip_heading(r.plain), 3
            continue
        r.kind, r.rest = "text", r.plain
    return rows


def _style_level(style: str) -> int:
    digits = re.findall(r"\d+", style)
    return int(digits[-1]) if digits else 1


def _top(number: str, last_top: int | None) -> int | None:
    head = number.split(".")[0].split("(")[0]
    return int(head) if head.isdigit() else last_top


def _strip_heading(text: str) -> str:
    return text.strip().rstrip(".:").strip()


def _leading_number(text: str, last_top: int | None, strict: bool) -> tuple[str, str]:
    """A paragraph number at the start of the text, and the rest; ("", text) when none.

    In running text a number at the start of a line is usually a paragraph number but can
    be a figure ("2.5 million", "2000 offenders"): a bare number (no "." or ")") counts
    only when it continues the sequence, a sub-number ("2.5") only before a capital, and
    no number jumps more than ten past the last one.
    """
    item = _ITEM.match(text)
    if item:
        return item.group("n"), item.group("rest").strip()
    letter = _LETTER.match(text)
    if letter:
        label = letter.group("a") or letter.group("b")
        return f"{last_top}({label})" if last_top is not None else f"({label})", letter.group(
            "rest"
        )
    m = _NUMBER.match(text)
    if not m:
        return "", text
    number, punct, rest = m.group("n"), m.group("punct"), (m.group("rest") or "")
    top = int(number.split(".")[0])
    if top == 0 or (last_top is not None and top > last_top + 10):
        return "", text
    if not strict:  # a heading: "## 4. Matters arising", "## 4 Matters arising"
        return (number, rest) if punct or "." in number or top <= 99 else ("", text)
    if not rest:
        return "", text
    starts_upper = rest[0].isupper() or rest[0] in "*'\"‘“(" or rest[0].isdigit()
    if punct is None:
        multi = "." in number
        if multi and not starts_upper:
            return "", text
        if not multi and not (last_top is not None and top == last_top + 1 and starts_upper):
            return "", text
    return number, rest


def _title_like(text: str) -> bool:
    """A short line in title case (an unmarked agenda heading such as "Kingston Borough
    Report" or "Questions"), as opposed to a sentence."""
    words = text.split()
    if not words or len(words) > 16 or not (words[0][0].isupper() or words[0][0].isdigit()):
        return False
    if text.endswith(("?", ":", ",", ";")) or re.search(r"[.!?]\s", text):
        return False
    alpha = [w for w in words if w[0].isalpha()]
    if not alpha:
        return False
    small = {"a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with"}
    capitalised = sum(1 for w in alpha if w[0].isupper())
    content = [w for w in alpha if w.lower() not in small]
    return bool(content) and capitalised >= 0.6 * len(content)


def _next_index(rows: list[_Row], i: int, step: int = 1) -> int | None:
    j = i + step
    while 0 <= j < len(rows):
        if rows[j].kind != "blank":
            return j
        j += step
    return None


# --- owners -------------------------------------------------------------------------------

_VERBS = frozenset(
    {
        "add",
        "agree",
        "arrange",
        "ask",
        "book",
        "bring",
        "chase",
        "check",
        "circulate",
        "clarify",
        "collate",
        "confirm",
        "consider",
        "contact",
        "discuss",
        "draft",
        "ensure",
        "establish",
        "explore",
        "feed",
        "find",
        "follow",
        "identify",
        "include",
        "inform",
        "investigate",
        "invite",
        "liaise",
        "look",
        "meet",
        "obtain",
        "organise",
        "organize",
        "present",
        "prepare",
        "produce",
        "provide",
        "publish",
        "raise",
        "reply",
        "report",
        "request",
        "respond",
        "review",
        "revise",
        "schedule",
        "seek",
        "send",
        "set",
        "share",
        "update",
        "write",
    }
)
_ROLE_WORDS = frozenset(
    {
        "staff",
        "team",
        "secretariat",
        "officer",
        "officers",
        "members",
        "member",
        "chair",
        "co-chair",
        "lead",
        "leads",
        "manager",
        "commander",
        "commanders",
        "unit",
        "board",
        "council",
        "police",
        "partnership",
        "forum",
        "group",
        "co-ordinator",
        "coordinator",
        "all",
    }
)
_CONNECTORS = frozenset({"of", "the", "for", "and", "de", "van", "von", "der", "la", "le", "du"})
_OWNER_SPLIT = re.compile(r"\s*(?:,|;|/|\s&\s|\s\+\s|\band\b)\s*", re.I)
_PLACEHOLDER = "\u0000{}\u0000"
_AREA_NOISE = re.compile(
    r"^(?:the\s+)?(?:(?:royal|london)\s+borough\s+of\s+|lb\s+)|"
    r"\s+(?:council|borough|bocu|mps|police|borough\s+police)$",
    re.I,
)


@cache
def _joined_area_names() -> tuple[re.Pattern[str], ...]:
    """Boroughs whose names contain "and" ("Hammersmith and Fulham", also written with
    "&"), so that splitting a list of owners on "and" and "&" does not split them. (An
    abbreviation such as "H&F" is safe anyway: "&" splits only with spaces around it.)"""
    from dsvb.reference import areas

    patterns = []
    for name in sorted({a.name for a in areas()}, key=len, reverse=True):
        if not re.search(r"\band\b|&", name, re.I):
            continue
        parts = [re.escape(p) for p in re.split(r"\s*(?:\band\b|&)\s*", name, flags=re.I)]
        patterns.append(re.compile(r"\b" + r"\s*(?:and|&)\s*".join(parts) + r"\b", re.I))
    return tuple(patterns)


def _name_like(text: str) -> bool:
    """Whether a phrase reads as a person, a role or an organisation (an owner), not a task."""
    words = text.split()
    if not words or len(words) > 6 or re.search(r"\d", text):
        return False
    first = words[0].lower().strip("'’")
    if first in ("the", "all") and len(words) > 1:
        words = words[1:]
        first = words[0].lower()
    if first in _VERBS or first in {"to", "he", "she", "they", "we", "it", "i", "this", "that"}:
        return False
    if not (words[0][0].isupper() or words[0].lower() in _ROLE_WORDS):
        return False
    ok = sum(
        1 for w in words if w[0].isupper() or w.lower() in _ROLE_WORDS or w.lower() in _CONNECTORS
    )
    return ok == len(words)


def _parse_owners(text: str) -> tuple[str, ...] | None:
    """The owners in "Shaun Sawyer and Dru Sharpling", "Camden / Brent", "Hammersmith &
    Fulham, Board staff"; None when the phrase does not read as owners."""
    text = re.sub(r"\([^)]*\)", " ", text)  # "Shaun Sawyer (MPS)"
    text = " ".join(text.strip().strip(".;:,").split())
    if not text:
        return None
    kept: list[str] = []

    def keep(m: re.Match[str]) -> str:
        kept.append(m.group(0))
        return _PLACEHOLDER.format(len(kept) - 1)

    protected = text
    for pattern in _joined_area_names():
        protected = pattern.sub(keep, protected)
    parts = [p for p in _OWNER_SPLIT.split(protected) if p.strip()]
    owners = []
    for part in parts:
        part = re.sub("\u0000(\\d+)\u0000", lambda m: kept[int(m.group(1))], part).strip()
        if not (_name_like(part) or _area(part)[0]):
            return None
        owners.append(part)
    return tuple(owners) or None


def _area(owner: str) -> tuple[str, str, str]:
    """(code, reference name, how) when the owner is a borough, else ("", "", "")."""
    from dsvb.reference import areas

    registry = areas()
    candidate = _AREA_NOISE.sub("", owner).strip()
    for value in dict.fromkeys((owner, candidate)):
        if len(value) < 3:
            continue
        match = registry.match(value)
        if match.area is not None and match.area.kind == "borough":
            return match.area.code, match.area.name, match.how
    return "", "", ""


# --- dates --------------------------------------------------------------------------------

_DATE_DMY = re.compile(
    rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m>{_MONTH})\s*,?\s+(?P<y>\d{{4}})\b",
    re.I,
)
_DATE_MDY = re.compile(
    rf"\b(?P<m>{_MONTH})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})\b", re.I
)
_DATE_ISO = re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b")
_DATE_NUMERIC = re.compile(r"\b(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{2}|\d{4})\b")
_DUE = re.compile(
    r"\b(?:by|before|no\s+later\s+than)\s+(?P<what>(?:the\s+)?(?:end\s+of\s+)?"
    rf"(?:(?:the\s+)?(?:next|following)\s+(?:board\s+)?meeting|\d{{4}}-\d{{2}}-\d{{2}}|"
    rf"\d{{1,2}}/\d{{1,2}}/\d{{2,4}}|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:\s*,?\s+\d{{4}})?|"
    rf"{_MONTH}(?:\s+\d{{4}})?))",
    re.I,
)


def _month(text: str) -> int:
    return _MONTHS[text.lower().rstrip(".")]


def _find_date(text: str) -> dt.date | None:
    """The first full date written in the text (day, month and year), or None."""
    for pattern in (_DATE_DMY, _DATE_MDY, _DATE_ISO, _DATE_NUMERIC):
        for m in pattern.finditer(text):
            try:
                month = int(m.group("m")) if m.group("m").isdigit() else _month(m.group("m"))
                year = int(m.group("y"))
                year += 2000 if year < 100 else 0
                return dt.date(year, month, int(m.group("d")))
            except (ValueError, KeyError):
                continue
    return None


def _due(text: str, meeting: dt.date | None) -> tuple[dt.date | None, str]:
    """The due date an action states ("by 31 March 2008", "by the end of April"), and the
    phrase; a date without a year takes the meeting's year (the next one if already past);
    a month alone means its last day; "by the next meeting" gives the phrase, no date."""
    m = _DUE.search(text)
    if not m:
        return None, ""
    phrase = " ".join(m.group(0).split())
    what = m.group("what")
    if re.search(r"meeting", what, re.I):
        return None, phrase
    full = _find_date(what)
    if full is not None:
        return full, phrase
    day = re.search(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH})", what, re.I)
    month_only = re.search(rf"({_MONTH})(?:\s+(\d{{4}}))?", what, re.I)
    try:
        if day:
            month, d, year = _month(day.group(2)), int(day.group(1)), None
        elif month_only:
            month = _month(month_only.group(1))
            year = int(month_only.group(2)) if month_only.group(2) else None
            d = 0
        else:
            return None, phrase
        if year is None:
            if meeting is None:
                return None, phrase
            year = meeting.year + (1 if month < meeting.month else 0)
        d = d or calendar.monthrange(year, month)[1]
        return dt.date(year, month, d), phrase
    except (ValueError, KeyError):
        return None, phrase


# --- actions ------------------------------------------------------------------------------

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


# --- attendance ---------------------------------------------------------------------------

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


# --- the whole ----------------------------------------------------------------------------


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
