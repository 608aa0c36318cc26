"""Finding the figures a borough's report states, in the three ways boroughs write them.

- **Sentences** ("There have been 1474 domestic violence incidents of which 791 were
  substantive criminal offences. 54% of domestic violence incidents were criminal offences.").
  A paragraph broken across a page (its next line starts in lower case) is read as one.
- **Label/value lines** pasted from a spreadsheet ("Sanction detection rate<TAB>48.9%",
  "Offences: 791"); a run of them is one statement.
- **Tables** (a Word table, a Markdown pipe table, tab-separated rows under a header row):
  each number cell is a figure, named by its row label and column heading; a row labelled
  "Total" is the total of the rows above it.

What is *not* a figure: years, dates, times, phone numbers, paragraph and list numbers
("3.2", "12."), page, section, question and form numbers ("124D", "class 29"), durations
("24 hours", "33 week programme"), money, ranges and ordinals ("13th"). They are masked out
before numbers are read, so they can never be judged inconsistent. A whole number is read
in a sentence only as digits; a number in words is read only where it is a percentage ("Nine
%") or a part ("seven of those").

Each figure says what it counts in the report's own words and, where those words allow, the
dsvb indicator (or count) it is (:mod:`labels`).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from dsvb.oversight.reading import Line
from dsvb.oversight.report_check import labels

__all__ = [
    "COUNT",
    "LABEL_VALUE",
    "PERCENTAGE",
    "RATE",
    "SENTENCE",
    "TABLE",
    "Found",
    "Relation",
    "StatedFigure",
    "find_figures",
]

COUNT, PERCENTAGE, RATE = "count", "percentage", "rate"
SENTENCE, LABEL_VALUE, TABLE = "sentence", "label_value", "table"
COMPARATOR = "comparator"
CHANGE = "change"


@dataclass(frozen=True)
class StatedFigure:
    """One figure the report states.

    ``id`` is its place among the document's figures (0-based); ``line`` the line a reader
    finds it on (:class:`dsvb.oversight.reading.Line`); ``text`` the sentence, label/value
    line or table row it is stated in; ``figure`` the figure as written ("54%", "1,474",
    "Nine %"); ``value`` the number as written (54 for "54%"); ``kind`` count, percentage or
    rate (a ratio such as "2.5 per victim"); ``counts`` what it counts, in the report's
    words; ``indicator`` the dsvb indicator or count id, or None; ``stated_with`` the ids of
    the other figures of its statement; ``role`` "comparator" for a force average or a
    target (not the borough's own figure); ``own_period`` a period the sentence states for
    itself ("last 3 years"), which is then not the report's period.
    """

    id: int
    line: int
    page: int | None
    text: str
    figure: str
    value: float
    kind: str
    counts: str
    indicator: str | None
    layout: str
    stated_with: tuple[int, ...] = ()
    role: str = ""
    own_period: str = ""
    sentence: int = 0  # the statement's sentence number (0 for a row or label/value line)
    group: int = 0  # the statement (paragraph, label/value run or table) it belongs to
    column: int = 0  # a table cell's column (1 = the first after the row label), else 0


@dataclass(frozen=True)
class Relation:
    """Figures the words or the layout tie together: ``parts`` of ``whole``.

    ``kind``: ``part_of`` ("791 of which", "749 of those", "53 out of 356": the parts
    together at most the whole), ``total`` (a table's Total row: the rows above it add up to
    it), ``rate`` (a percentage or rate stated over the counts it is worked from:
    ``parts`` are its numerator and denominator, in that order, when known).
    """

    kind: str
    whole: int
    parts: tuple[int, ...]
    words: str = ""


@dataclass(frozen=True)
class Found:
    figures: tuple[StatedFigure, ...]
    relations: tuple[Relation, ...]


# --- what is not a figure ------------------------------------------------------------------

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_NOUNS = labels.COUNT_NOUNS
# words before a four-digit number that make it a count, not a year
_COUNT_BEFORE = "".join(
    f"(?<!{re.escape(words)} )"
    for words in (
        "of which", "of those", "of these", "of whom", "of them", "total of", "there were",
        "there have been", "there are", "recorded", "were", "was",
    )
)  # fmt: skip
# the words before a year ("in 2009 domestic violence incidents rose"): a year, whatever follows
_YEAR_AFTER = "|".join(
    rf"(?<=\b{word} \d{{4}})"
    for word in ("in", "since", "during", "from", "to", "until", "by", "for", "of", "and")
)
_NOT_FIGURES = [
    # leading list or paragraph numbers: "12. ", "3.2 ", "(a) ", "1) "
    re.compile(r"^\s*(?:\(?\d+(?:\.\d+)*[.)]\s|\d+(?:\.\d+)+\s)"),
    # phone numbers
    re.compile(r"(?i)\b(?:tel|telephone|phone|fax|mobile|ext)\.?:?\s*[\d()+ -]{3,}"),
    re.compile(r"(?<!\d)(?:\+44\s?|0)\d{2,4}[ -]?\d{3,4}[ -]?\d{3,4}(?!\d)"),
    # dates and times
    re.compile(rf"(?i)\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}\b\.?(?:,?\s+\d{{4}})?"),
    re.compile(rf"(?i)\b{_MONTH}\b\.?\s+\d{{4}}"),
    re.compile(rf"(?i)\b{_MONTH}\b\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?!\d)(?:,\s*\d{{4}})?"),
    re.compile(r"\b\d{1,4}[/-]\d{1,2}[/-]\d{2,4}\b"),
    re.compile(r"\b\d{4}[/-]\d{2,4}\b"),
    re.compile(r"(?i)\b\d{1,2}[:.]\d{2}\s*(?:am|pm)\b|\b\d{1,2}:\d{2}\b"),
    # years, unless the words make it a count: a count of something follows ("1999
    # incidents", "1986 substantive criminal offences" -- unless "in 2009 domestic violence
    # incidents rose"), or it is a part or a total ("of which 1986 were", "a total of 2011")
    re.compile(
        rf"(?i){_COUNT_BEFORE}\b(?:19|20)\d{{2}}\b(?!\s*%)(?!\s+(?:{_NOUNS})\b)"
        rf"(?!\s+(?:were|was)\b)(?:{_YEAR_AFTER}|(?!\s+(?:[a-z]+\s+){{1,2}}(?:{_NOUNS})\b))"
    ),
    # references: paragraph 3, pages 4 and 5, appendix 2, question 19, class 29, form 124D
    re.compile(
        r"(?i)\b(?:paragraphs?|paras?|sections?|pages?|pp?\.|appendix|appendices|annex|"
        r"questions?|q|class|tier|level|module|forms?|items?|chapters?|tables?|figures?|"
        r"charts?|steps?|phase|stage|version|no\.|number|aged?|under|over|ward)\s+"
        r"\d+[A-Za-z]?(?:\s*(?:,|and|&|to|of|-|–)\s*\d+[A-Za-z]?)*"
    ),
    # durations
    re.compile(
        r"(?i)\b\d+(?:\.\d+)?[\s-]*(?:hours?|hrs?|days?|weeks?|months?|years?|yrs?|"
        r"minutes?|mins?|seconds?|weekly|monthly|yearly)\b"
    ),
    # scales and grades: "3 level", "tier 2"
    re.compile(r"(?i)\b\d+[\s-]+(?:level|tier|stage|point|star|digit|figure)s?\b"),
    # "119, 878": thousands broken by a space, or a list? Ambiguous, so not read
    re.compile(r"\b\d{1,3},\s\d{3}\b(?!\.\d)"),
    # a number in brackets alone: "(3)", "level (2)"
    re.compile(r"\(\d+\)"),
    # money, ranges
    re.compile(r"(?i)[£$€]\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:k|m|bn|million|billion))?"),
    re.compile(r"\b\d+(?:\.\d+)?\s*(?:-|–|to)\s*\d+(?:\.\d+)?(?!\s*%)(?=\W|$)"),
]
_NUMBER = re.compile(
    r"(?<![\w.,/£$€-])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?"
    r"(\s?%|\s?per\s?cent\b|\s?percent\b)?(?![\w/]|[.,]\d)"
)
_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90, "hundred": 100,
}  # fmt: skip
_WORD_NUMBER = re.compile(
    r"(?i)\b(" + "|".join(_WORDS) + r")(?:(\s?%|\s?per\s?cent\b)|(?=\s+of\s+(?:those|them|"
    r"these|whom|which)\b))"
)
_LEADING_NUMBER = re.compile(
    r"^(?:[-*•]\s*)?(?:\(?[0-9]+(?:\.[0-9]+)*[.)]|[0-9]+(?:\.[0-9]+)+|\(?[a-z][.)])\s+"
)
# the words after a part that say what it is ("of those were repeat victims"), or not
_PART_NAMED = re.compile(r"(?i)^\s*of\s+(?:those|them|these|whom|which)\s+(?!were|was|are|had)")
# a count of a subset of what its noun names ("12 survivors were flagged as …")
_QUALIFIED = re.compile(
    r"(?i)^\s*(?:were|was|are|who|with|flagged|involving|aged|from|related|relating)\b"
    r"(?!\s+(?:reported|recorded)\b)"
)
# a line that is only a page number: "12", "Page 3", "3 of 12", "- 4 -"
_PAGE_NUMBER = re.compile(
    r"(?i)\s*[-–]?\s*(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?\s*[-–]?\s*"
)
_LIST_START = re.compile(r"[-*•–]\s|\(?\d+(?:\.\d+)*[.)]\s|\(?[a-z][.)]\s")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"'‘“])")
_COMPARATOR = re.compile(
    r"(?i)\b(?:average|target|national|nationally|compared with|against an?|"
    r"mps figure|force figure|london figure|benchmark)\b"
)
_ANAPHOR = re.compile(
    r"(?i)^\W*(?:this|that|which|these|it)\s+(?:represents?|is|was|equates?|amounts?|"
    r"means?|gives?)\b|\b(?:this|which) represents\b|\brepresenting\b|\bi\.e\.\b"
)
# a change or a difference, not a figure of the period: "a 32% increase", "759 more
# offences", "increased by 91", "down 5%"
_CHANGE_AFTER = re.compile(
    r"(?i)^\s*(?:\w+\s+)?(?:increase|decrease|rise|fall|drop|reduction|improvement|change|"
    r"more|fewer|less|higher|lower|up|down|on the previous)\b"
)
_CHANGE_BEFORE = re.compile(
    r"(?i)\b(?:increased?|decreased?|rose|risen|fell|fallen|dropped|reduced|improved|changed?|"
    r"up|down|rise|fall|increase|decrease|reduction)\s+(?:of|by)?\s*(?:an?\s+|some\s+)?$"
)
_NEGATION = re.compile(r"(?i)\b(?:not|no|without|un\w+|never)\b")
_PER = re.compile(r"(?i)^\s*(?:per|a|each|for each|for every)\b")
# a row that totals the table: "Total", "Borough Total", "Grand total" ("Total Sexual
# Offences" may total only some rows, so it is not one)
_TOTAL_ROW = re.compile(
    r"(?i)\s*(?:grand\s+|borough\s+|mps\s+|force\s+|overall\s+)?(?:total|all|overall)s?\s*:?\s*"
)


def _mask(text: str) -> str:
    """The text with everything that is not a figure blanked out (positions kept)."""
    for pattern in _NOT_FIGURES:
        text = pattern.sub(lambda m: " " * len(m.group(0)), text)
    return text


def _number(text: str) -> float | None:
    try:
        return float(Decimal(text.replace(",", "")))
    except (InvalidOperation, ValueError):
        return None


@dataclass
class _Token:
    start: int
    end: int
    figure: str
    value: float
    kind: str
    sentence: int


def _tokens(text: str, sentence: int, offset: int = 0) -> list[_Token]:
    if not any(c.isdigit() for c in text) and not _WORD_NUMBER.search(text):
        return []
    masked = _mask(text)
    out: list[_Token] = []
    for m in _NUMBER.finditer(masked):
        whole, decimals, percent = m.group(1), m.group(2) or "", m.group(3)
        value = _number(whole + decimals)
        if value is None:
            continue
        after = masked[m.end() : m.end() + 20]
        if percent:
            kind = PERCENTAGE
        elif decimals or _PER.match(after):
            if not _PER.match(after) and not re.match(r"(?i)\s*(?:times|offences|crimes)", after):
                continue  # a bare decimal: a paragraph, version or reference number
            kind = RATE
        else:
            kind = COUNT
        out.append(
            _Token(
                offset + m.start(),
                offset + m.end(),
                text[m.start() : m.end()],
                value,
                kind,
                sentence,
            )
        )
    for m in _WORD_NUMBER.finditer(masked):
        value = float(_WORDS[m.group(1).lower()])
        kind = PERCENTAGE if m.group(2) else COUNT
        out.append(
            _Token(
                offset + m.start(),
                offset + m.end(),
                text[m.start() : m.end()],
                value,
                kind,
                sentence,
            )
        )
    return sorted(out, key=lambda t: t.start)


# --- statements ----------------------------------------------------------------------------


@dataclass
class _Builder:
    figures: list[StatedFigure]
    relations: list[Relation]
    group: int = 0

    def add(self, **fields: object) -> int:
        figure_id = len(self.figures)
        self.figures.append(StatedFigure(id=figure_id, group=self.group, **fields))  # type: ignore[arg-type]
        return figure_id


def find_figures(lines: list[Line]) -> Found:
    """Every figure the document's lines state, with the relations among them."""
    b = _Builder([], [])
    i = 0
    while i < len(lines):
        line = lines[i]
        if _label_value(line) is not None:
            j = i
            block: list[Line] = []
            while j < len(lines) and (
                _label_value(lines[j]) is not None
                or (
                    not lines[j].text.strip()
                    and j + 1 < len(lines)
                    and _label_value(lines[j + 1]) is not None
                )
            ):
                if lines[j].text.strip():
                    block.append(lines[j])
                j += 1
            b.group += 1
            _label_value_block(b, block)
            i = j
            continue
        if line.cells and len(line.cells) >= 2:
            j = i
            while j < len(lines) and len(lines[j].cells) >= 2:
                j += 1
            b.group += 1
            _table_block(b, lines[i:j])
            i = j
            continue
        if not line.text.strip() or _PAGE_NUMBER.fullmatch(line.text):
            i += 1
            continue
        # a paragraph: this line and the lines that continue it (the line before does not
        # end a sentence and the next starts in lower case -- or, in a PDF, whose text is
        # wrapped lines with no sign of where a paragraph ends, the next is not a list item)
        parts = [line]
        j = i + 1
        while j < len(lines):
            nxt = lines[j]
            if nxt.page is not None and _PAGE_NUMBER.fullmatch(nxt.text):
                j += 1  # a page's number (or footer) inside a paragraph that runs on
                continue
            if not nxt.text.strip() and j + 1 < len(lines):
                following = lines[j + 1].text.lstrip()
                if following[:1].islower() and not parts[-1].text.rstrip().endswith(
                    (".", ":", ";")
                ):
                    j += 1
                    continue
                break
            start = nxt.text.lstrip()
            wrapped = nxt.page is not None and bool(start) and not _LIST_START.match(start)
            ends = parts[-1].text.rstrip().endswith((".", ":", ";"))
            if (
                not nxt.cells
                and parts[-1].text.strip()
                and (wrapped or (start[:1].islower() and not ends))
            ):
                parts.append(nxt)
                j += 1
                continue
            break
        b.group += 1
        _paragraph(b, parts)
        i = j
    return Found(tuple(b.figures), tuple(b.relations))


def _paragraph(b: _Builder, parts: list[Line]) -> None:
    """The figures of a paragraph (one or more physical lines), sentence by sentence."""
    first = len(b.figures)
    # the paragraph's lines joined, so that a sentence wrapped over lines is one sentence;
    # each figure keeps the line it is on
    joined, starts = "", []
    for line in parts:
        text = line.text.strip()
        if not joined:
            text = _LEADING_NUMBER.sub("", text)
        joined += " " if joined else ""
        starts.append((len(joined), line))
        joined += text
    offsets = [o for o, _ in starts]
    sentences: list[tuple[int, str]] = []
    begin = 0
    for m in [*_SENTENCE_END.finditer(joined), None]:
        end = m.start() if m else len(joined)
        if joined[begin:end].strip():
            sentences.append((begin, joined[begin:end]))
        begin = m.end() if m else begin

    def line_at(offset: int) -> Line:
        return starts[bisect.bisect_right(offsets, offset) - 1][1]

    tokens_by_sentence: list[list[_Token]] = []
    periods: list[str] = []
    for n, (_at, s) in enumerate(sentences):
        tokens_by_sentence.append(_tokens(s, n))
        periods.append(labels.period_phrase(s))
    for n, (at, s) in enumerate(sentences):
        tokens = tokens_by_sentence[n]
        own = periods[n]
        if not own and _ANAPHOR.search(s) and n > 0:
            own = periods[n - 1]
        for k, t in enumerate(tokens):
            before_start = tokens[k - 1].end if k else 0
            after_end = tokens[k + 1].start if k + 1 < len(tokens) else len(s)
            before, after = s[before_start : t.start], s[t.end : after_end]
            counts = _what_it_counts(t, before, after)
            segment = f"{before} {t.figure} {after}"
            role = COMPARATOR if t.kind != COUNT and _COMPARATOR.search(before[-40:]) else ""
            if _CHANGE_BEFORE.search(before[-25:]) or _CHANGE_AFTER.match(after):
                role = CHANGE
            indicator = labels.indicator_for(counts if t.kind == COUNT else segment, t.kind)
            if t.kind == COUNT and (_PART_NAMED.match(after) or _qualified(counts)):
                indicator = None
            line = line_at(at + t.start)
            b.add(
                line=line.number,
                page=line.page,
                text=s.strip(),
                figure=t.figure.strip(),
                value=t.value,
                kind=t.kind,
                counts=counts,
                indicator=indicator,
                layout=SENTENCE,
                role=role,
                own_period=own,
                sentence=n,
            )
    _link(b, first)
    _sentence_relations(b, first, sentences, tokens_by_sentence)


def _qualified(counts: str) -> bool:
    """Whether the words after a count's noun narrow it ("survivors were flagged as …")."""
    m = re.match(r"(?i)\s*(?:\w+\s+){0,3}?(?:" + labels.COUNT_NOUNS + r")\b", counts)
    return bool(m and _QUALIFIED.match(counts[m.end() :]))


def _what_it_counts(t: _Token, before: str, after: str) -> str:
    """The report's words for what a figure counts: the words after a count (past "of
    those were"), the words around a percentage."""
    if t.kind == COUNT:
        words = after
        m = re.match(
            r"(?i)\s*(?:of\s+(?:those|them|these|whom|which)\s+)?(?:were|was|are|had|have|being)?\s*",
            words,
        )
        if m:
            words = words[m.end() :]
        m = re.match(r"(?i)\s*out\s+of\s+(?:a\s+total\s+of\s+)?", words)
        if (m and m.end() == len(words.rstrip())) or (m and not words[m.end() :].strip()):
            return ""
        text = re.split(
            r"[.,;:()]|\b(?:of which|which|that|who|over|in|within|during|between|since)\b", words
        )[0]
        return " ".join(text.split()[:6])
    words_before = before.strip(" -*•").split()[-8:]
    words_after = re.split(r"(?<=[.;])\s", after.strip())[0].split()[:8]
    return " ".join([*words_before, t.figure.strip(), *words_after]).rstrip(".,;")


def _link(b: _Builder, first: int) -> None:
    """Each figure of a statement lists the others (in a paragraph: those of its sentence)."""
    ids = range(first, len(b.figures))
    for i in ids:
        f = b.figures[i]
        others = tuple(
            j
            for j in ids
            if j != i and (f.layout != SENTENCE or b.figures[j].sentence == f.sentence)
        )
        b.figures[i] = StatedFigure(**{**f.__dict__, "stated_with": others})


_OF_WHICH = re.compile(r"(?i)\bof\s+which\b")
_OF_THOSE = re.compile(r"(?i)^\s*of\s+(?:those|them|these|whom)\b")
_OUT_OF = re.compile(r"(?i)^\s*(?:out\s+of|of)\s+(?:a\s+total\s+of\s+|the\s+|all\s+)?$")


def _sentence_relations(
    b: _Builder, first: int, sentences: list[tuple[int, str]], tokens: list[list[_Token]]
) -> None:
    """Parts and wholes the words state: "A … of which B (, C …)", "B of those" (whole: the
    count before it), "B out of (a total of) A"."""
    index = first
    ids: list[list[int]] = []
    for toks in tokens:
        ids.append(list(range(index, index + len(toks))))
        index += len(toks)
    previous_counts: list[int] = []
    for n, (_at, s) in enumerate(sentences):
        toks = tokens[n]
        counts = [(k, t) for k, t in enumerate(toks) if t.kind == COUNT]
        # "of which"
        for m in _OF_WHICH.finditer(s):
            wholes = [(k, t) for k, t in counts if t.end <= m.start()]
            parts = _listed([(k, t) for k, t in counts if t.start >= m.end()], s)
            if wholes and parts:
                b.relations.append(
                    Relation(
                        "part_of",
                        ids[n][wholes[-1][0]],
                        tuple(ids[n][k] for k, _ in parts),
                        "of which",
                    )
                )
        for pos, (k, t) in enumerate(counts):
            rest = s[t.end : t.end + 40]
            if _OF_THOSE.match(rest):
                earlier = [ids[n][kk] for kk, _ in counts[:pos]] or previous_counts[-1:]
                if earlier:
                    b.relations.append(Relation("part_of", earlier[-1], (ids[n][k],), "of those"))
            nxt = counts[pos + 1] if pos + 1 < len(counts) else None
            if nxt is not None and _OUT_OF.match(s[t.end : nxt[1].start]):
                b.relations.append(Relation("part_of", ids[n][nxt[0]], (ids[n][k],), "out of"))
        previous_counts = [ids[n][k] for k, _ in counts]
    for r in b.relations:
        for part in r.parts:
            f = b.figures[part]
            if not f.counts and f.kind == COUNT:
                whole = b.figures[r.whole]
                b.figures[part] = StatedFigure(**{**f.__dict__, "counts": whole.counts})


_LIST_BETWEEN = re.compile(r"^[^A-Z.;:()%]{0,40}?(?:,|\band\b)\s*$")


def _listed(after: list[tuple[int, _Token]], s: str) -> list[tuple[int, _Token]]:
    """The parts an "of which" lists: the first count after it, and each count after that
    joined to the one before by a comma or "and" and a few words ("of which 400 were
    assaults, 300 harassment and 91 criminal damage"), not a new clause."""
    if not after:
        return []
    out = [after[0]]
    for k, t in after[1:]:
        between = s[out[-1][1].end : t.start]
        if not _LIST_BETWEEN.match(between) or len(between.split()) > 4:
            break
        out.append((k, t))
    return out


def _cell_figure(cell: str) -> tuple[float, str] | None:
    """A table cell or a label/value line's value that is a figure: (value, kind)."""
    text = re.sub(r"\s*\[\w+\]$|\*+$", "", cell.strip())
    m = re.fullmatch(r"(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s*(%|per\s?cent)?", text)
    if not m:
        return None
    value = _number(m.group(1) + (m.group(2) or ""))
    if value is None:
        return None
    if m.group(3):
        return value, PERCENTAGE
    return value, RATE if m.group(2) else COUNT


_LABEL_VALUE = re.compile(
    r"^\s*([A-Za-z][^:=\t]{1,100}?)\s*(?::|=|\t|\s-\s|\s{3,})\s*(\S[^\t]*?)\s*$"
)


_SUBTOTAL_ROW = re.compile(r"(?i)\s*(?:sub[\s-]?)?totals?\b|\s*all\b")


def _label_value(line: Line) -> tuple[str, str] | None:
    """ "Offences: 791", "Sanction detection rate<TAB>48.9%": (label, value), else None."""
    if line.cells and len(line.cells) != 2:
        return None
    if line.cells:
        label, value = line.cells
    else:
        m = _LABEL_VALUE.match(line.text)
        if not m:
            return None
        label, value = m.group(1), m.group(2)
    if _cell_figure(value) is None or not re.search(r"[A-Za-z]", label):
        return None
    return label.strip(), value.strip()


def _label_value_block(b: _Builder, block: list[Line]) -> None:
    """Label/value lines ("Offences: 791", pasted "Charges<TAB>400"); a "Total" line after
    two or more counts totals the counts above it (a breakdown written as lines, as tables'
    Total rows do) -- unless a subtotal among them makes that ambiguous, or it is not the
    block's first total."""
    first = len(b.figures)
    parts: list[int] = []
    totalled = any(
        (parsed := _label_value(line)) is not None
        and _SUBTOTAL_ROW.match(parsed[0])
        and not _TOTAL_ROW.fullmatch(parsed[0])
        for line in block
    )
    for line in block:
        parsed = _label_value(line)
        if parsed is None:
            continue
        label, value = parsed
        number, kind = _cell_figure(value)  # type: ignore[misc]
        if _looks_like_year(label, number, kind):
            continue
        is_total = bool(_TOTAL_ROW.fullmatch(label))
        figure_id = b.add(
            line=line.number,
            page=line.page,
            text=line.text.strip(),
            figure=value,
            value=number,
            kind=kind,
            counts=label,
            indicator=labels.indicator_for(label, kind),
            layout=LABEL_VALUE,
            role=COMPARATOR if _COMPARATOR.search(label) else "",
            own_period=labels.period_phrase(label),
        )
        if kind != COUNT or _COMPARATOR.search(label):
            continue
        if not is_total:
            parts.append(figure_id)
        elif not totalled and len(parts) >= 2:
            b.relations.append(Relation("total", figure_id, tuple(parts), "Total line"))
            totalled = True
    _link(b, first)


def _looks_like_year(label: str, number: float, kind: str) -> bool:
    return (
        kind == COUNT
        and 1900 <= number <= 2099
        and bool(re.search(r"(?i)\b(year|date|period|since)\b", label))
    )


def _table_block(b: _Builder, rows: list[Line]) -> None:
    """A table: a header row (when the first row's cells after the first are not figures),
    then rows of a label and figures; a Total row totals the rows above it."""
    header: tuple[str, ...] = ()
    body = rows
    first_values = [c for c in rows[0].cells[1:] if c.strip()]
    if not first_values or not any(_cell_figure(c) for c in first_values):
        header, body = rows[0].cells, rows[1:]
    if not header and all(len(r.cells) == 2 for r in rows):
        _label_value_block(b, rows)
        return
    column_ids: dict[int, list[int]] = {}
    totalled = not header  # a block with no header row may continue a table broken by a note
    totals: list[Relation] = []
    # a subtotal ("Total sexual offences") makes the rows above a Total ambiguous: not checked
    subtotals = any(
        _SUBTOTAL_ROW.match(r.cells[0]) and not _TOTAL_ROW.fullmatch(r.cells[0]) for r in body
    )
    for row in body:
        label = row.cells[0].strip()
        row_first = len(b.figures)
        is_total = bool(_TOTAL_ROW.fullmatch(label))
        for c, cell in enumerate(row.cells[1:], start=1):
            parsed = _cell_figure(cell)
            if parsed is None:
                continue
            number, kind = parsed
            heading = header[c].strip() if c < len(header) else ""
            if kind != PERCENTAGE and re.search(
                r"%|\bper ?cent\b|\brate\b|\bshare\b", heading, re.I
            ):
                kind = PERCENTAGE if "." in cell or number <= 100 else kind
            if re.search(r"(?i)\b(year|date|ward no|code|page|ref)\b", heading):
                continue
            counts = " — ".join(p for p in (label, heading) if p)
            indicator = labels.indicator_for(heading, kind) or labels.indicator_for(label, kind)
            figure_id = b.add(
                line=row.number,
                page=row.page,
                text=row.text.strip(),
                figure=cell.strip(),
                value=number,
                kind=kind,
                counts=counts,
                indicator=indicator,
                layout=TABLE,
                role=COMPARATOR if _COMPARATOR.search(label) or _COMPARATOR.search(heading) else "",
                column=c,
            )
            if kind == COUNT and not is_total:
                column_ids.setdefault(c, []).append(figure_id)
            elif kind == COUNT and not totalled and len(column_ids.get(c, [])) >= 2:
                totals.append(Relation("total", figure_id, tuple(column_ids[c]), "Total row"))
        totalled = totalled or is_total  # a later total (MPS = boroughs + units) is not checked
        _link(b, row_first)
    if not subtotals:
        b.relations.extend(totals)
