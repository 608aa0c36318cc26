"""The glossary: every term a board member meets on the pages and in the board's papers.

The terms are data (``reference/data/glossary.csv``), not template text, so that one entry
serves the glossary page, the links from where a term appears, and any later output (briefs,
letters, the annual report). Each row gives a stable id (the page anchor), the term as shown,
the phrases that link to it where they appear in page text, a plain-English definition, the
ids of related terms and where the definition comes from (the papers or dsvb's own method).

The file is checked as it is read, so that a mistake fails at start-up and in the tests with
the file, line and column named, never as a broken link on a page: ids unique and well
formed, every definition and source non-empty, every related id an entry, and no phrase
claimed by two terms (a phrase must link to one place).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources

from dsvb.reference.file_errors import ReferenceFileError, checked_rows

__all__ = [
    "Glossary",
    "GlossaryError",
    "Term",
    "glossary",
    "load_glossary",
]

FILE_NAME = "glossary.csv"
COLUMNS = ("id", "term", "matches", "definition", "see_also", "source")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class GlossaryError(ReferenceFileError):
    """A glossary file that cannot be used, with the file, line and column named."""


@dataclass(frozen=True)
class Term:
    """One glossary entry. ``id`` is also the anchor on the glossary page."""

    id: str
    term: str
    matches: tuple[str, ...]
    definition: str
    see_also: tuple[str, ...]
    source: str

    @property
    def letter(self) -> str:
        """The A–Z heading the term is listed under (digits under '0–9')."""
        first = next((c for c in self.term if c.isalnum()), "#").upper()
        return "0–9" if first.isdigit() else first

    @property
    def sort_key(self) -> str:
        return "".join(c for c in self.term.lower() if c.isalnum() or c == " ")


@dataclass(frozen=True)
class Segment:
    """A piece of text, and the term it names when it is a glossary phrase."""

    text: str
    term: Term | None = None


class Glossary:
    """The checked glossary: terms by id, in A–Z order, and the phrases that link to them."""

    def __init__(self, terms: tuple[Term, ...]) -> None:
        self.terms = tuple(sorted(terms, key=lambda t: t.sort_key))
        self._by_id = {t.id: t for t in terms}
        self._by_phrase = {p: t for t in terms for p in t.matches}
        phrases = sorted(self._by_phrase, key=len, reverse=True)  # longest first
        self._pattern = (
            re.compile(r"(?<![\w\[])(" + "|".join(re.escape(p) for p in phrases) + r")(?![\w\]])")
            if phrases
            else None
        )

    def __iter__(self) -> Iterator[Term]:
        return iter(self.terms)

    def __len__(self) -> int:
        return len(self.terms)

    def __contains__(self, term_id: object) -> bool:
        return term_id in self._by_id

    def get(self, term_id: str) -> Term:
        """The term with this id; KeyError names the id when there is none."""
        try:
            return self._by_id[term_id]
        except KeyError:
            raise KeyError(f"no glossary term with id {term_id!r}") from None

    def lookup(self, phrase: str) -> Term | None:
        """The term a phrase (an abbreviation such as 'CAD') links to, or None."""
        return self._by_phrase.get(phrase)

    def letters(self) -> list[tuple[str, list[Term]]]:
        """The terms grouped under their A–Z headings, in order."""
        groups: dict[str, list[Term]] = {}
        for t in self.terms:
            groups.setdefault(t.letter, []).append(t)
        return sorted(groups.items(), key=lambda g: (not g[0][0].isdigit(), g[0]))

    def segments(self, text: str) -> list[Segment]:
        """Split text into plain pieces and glossary phrases, for linking where terms appear.

        Each term is marked once, at its first appearance (a sentence naming 'sanction
        detections' three times gets one link), and phrases match whole words with their
        case as written, so 'CAD' is linked and 'cadet' is not.
        """
        if not text or self._pattern is None:
            return [Segment(text)] if text else []
        out: list[Segment] = []
        seen: set[str] = set()
        pos = 0
        for m in self._pattern.finditer(text):
            term = self._by_phrase[m.group(1)]
            if term.id in seen:
                continue
            seen.add(term.id)
            if m.start() > pos:
                out.append(Segment(text[pos : m.start()]))
            out.append(Segment(m.group(1), term))
            pos = m.end()
        if pos < len(text):
            out.append(Segment(text[pos:]))
        return out

    def terms_in(self, text: str) -> list[Term]:
        """The terms named in a piece of text, in the order they first appear."""
        return [s.term for s in self.segments(text) if s.term is not None]


def _split(value: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in value.split(";") if p.strip())


def load_glossary(text: str, file: str = FILE_NAME) -> Glossary:
    """Read and check a glossary file's text; GlossaryError names the file, line, column."""
    terms: list[Term] = []
    lines: dict[str, int] = {}
    phrase_owner: dict[str, str] = {}
    for line, values in checked_rows(
        text, file, COLUMNS, GlossaryError, empty="the file is empty; it needs a header row"
    ):
        term_id = values["id"]
        if not _ID.match(term_id):
            raise GlossaryError(
                file,
                line,
                "id",
                f"{term_id!r} is not an id: use lower-case letters, digits and _ "
                "(it is the link anchor)",
            )
        if term_id in lines:
            raise GlossaryError(
                file, line, "id", f"{term_id!r} is already used on line {lines[term_id]}"
            )
        for column in ("term", "definition", "source"):
            if not values[column]:
                raise GlossaryError(file, line, column, f"the {column} of {term_id!r} is empty")
        matches = _split(values["matches"])
        for phrase in matches:
            owner = phrase_owner.get(phrase)
            if owner is not None and owner != term_id:
                raise GlossaryError(
                    file,
                    line,
                    "matches",
                    f"{phrase!r} already links to {owner!r}; a phrase links to one term",
                )
            phrase_owner[phrase] = term_id
        lines[term_id] = line
        terms.append(
            Term(
                id=term_id,
                term=values["term"],
                matches=matches,
                definition=values["definition"],
                see_also=_split(values["see_also"]),
                source=values["source"],
            )
        )
    for t in terms:
        for other in t.see_also:
            if other not in lines:
                raise GlossaryError(
                    file,
                    lines[t.id],
                    "see_also",
                    f"{t.id!r} refers to {other!r}, which is not a term in the glossary",
                )
            if other == t.id:
                raise GlossaryError(file, lines[t.id], "see_also", f"{t.id!r} refers to itself")
    return Glossary(tuple(terms))


@cache
def glossary() -> Glossary:
    """The glossary shipped with dsvb (read and checked once)."""
    text = resources.files("dsvb.reference").joinpath("data", FILE_NAME).read_text("utf-8")
    return load_glossary(text, f"reference/data/{FILE_NAME}")
