"""Reading the lines: a document's lines as rows with their paragraph numbers and headings.

Turns the lines :func:`dsvb.oversight.reading.read_document` gives into rows (text without
Markdown emphasis, bullets, list letters, Word list styles, table cells) and works out each
row's paragraph number however the secretary wrote it ("1.", "1.1", "(a)", "Item 3", a
numbered heading, Word's automatic numbering). Separate because every later step (owners,
dates, actions, attendance) reads these rows, and none of them needs to know the file format.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter
from dataclasses import dataclass

from dsvb.oversight.reading import Line

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
