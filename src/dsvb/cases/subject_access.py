"""A subject access request: everything held about one person, across agencies.

Each agency keeps its own record of a person (:class:`PersonRecord`), so the same woman may
be held by the police as "Zoë O'Neill" and by the IDVA service as "zoe  o'neill", or under a
former name. :func:`matches` finds her records on names compared without regard to case,
accents or spacing -- her given and family name, or any of the other names recorded (aliases,
former names: separated by commas or semicolons) -- and, when the request gives a date of
birth, only records with that exact date (a record without one is not matched: a subject
access answer that includes another person's data is itself a breach, so a date given is a
filter, not a hint). :func:`build_report` lays out what each agency holds as a
:class:`~dsvb.oversight.document.Document`, so the secretariat can send it as PDF or DOCX.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from dsvb.oversight.document import Document, FieldList, Paragraph, Section, Table


def normalise(name: str) -> str:
    """A name for comparison: accents removed, case folded, runs of spaces (and the
    hyphens and apostrophes people write or leave out) made single spaces."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    plain = re.sub(r"[-'’‘`.]", " ", plain.casefold())
    return " ".join(plain.split())


@dataclass(frozen=True)
class PersonRecord:
    """One agency's record of a person, as much as matching needs."""

    id: int
    agency: str
    given_name: str
    family_name: str
    other_names: str = ""
    date_of_birth: dt.date | None = None

    def names(self) -> frozenset[str]:
        """Every name this record is known by, normalised ("given family", and each of the
        other names)."""
        out = {normalise(f"{self.given_name} {self.family_name}")}
        out |= {normalise(n) for n in re.split(r"[;,]", self.other_names) if n.strip()}
        return frozenset(n for n in out if n)


@dataclass(frozen=True)
class Search:
    """What the request gives: a given and family name, and optionally a date of birth."""

    given_name: str
    family_name: str
    date_of_birth: dt.date | None = None

    def __post_init__(self) -> None:
        if not normalise(self.given_name) or not normalise(self.family_name):
            raise ValueError("give both a given name and a family name")

    @property
    def name(self) -> str:
        return normalise(f"{self.given_name} {self.family_name}")


def matches(search: Search, records: Iterable[PersonRecord]) -> list[PersonRecord]:
    """The records of the person searched for, by agency then id."""
    found = [
        r
        for r in records
        if search.name in r.names()
        and (search.date_of_birth is None or r.date_of_birth == search.date_of_birth)
    ]
    return sorted(found, key=lambda r: (r.agency, r.id))


@dataclass(frozen=True)
class RecordTable:
    """One kind of record an agency holds (cases, addresses, notes, ...), as rows of text."""

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Holding:
    """Everything one agency holds about one of the person's records."""

    person: PersonRecord
    details: tuple[tuple[str, str], ...]
    tables: tuple[RecordTable, ...]


def build_report(holdings: Iterable[Holding], *, produced_on: dt.date) -> Document:
    """The answer to a subject access request: per agency, each record of the person, its
    details and every table of records held (an empty table says "none held")."""
    by_agency: dict[str, list[Holding]] = {}
    for h in sorted(holdings, key=lambda h: (h.person.agency, h.person.id)):
        by_agency.setdefault(h.person.agency, []).append(h)
    sections = []
    for agency, held in by_agency.items():
        subs = []
        for h in held:
            blocks: list = [FieldList(h.details)]
            for t in h.tables:
                if t.rows:
                    blocks.append(Table(t.caption, t.columns, t.rows))
                else:
                    blocks.append(Paragraph(f"{t.caption}: none held."))
            subs.append(
                Section(
                    f"Person record {h.person.id}",
                    tuple(blocks),
                    level=3,
                    key=f"person-{h.person.id}",
                )
            )
        sections.append(Section(agency, subsections=tuple(subs), key=f"agency-{agency}"))
    count = sum(len(v) for v in by_agency.values())
    summary = (
        f"{count} record{'s' if count != 1 else ''} of this person held by "
        f"{len(by_agency)} agenc{'ies' if len(by_agency) != 1 else 'y'}."
        if count
        else "No agency holds a record matching the request."
    )
    return Document(
        kind="subject_access",
        title="Information held about you",
        subtitle=f"Produced on {produced_on.day} {produced_on:%B %Y}",
        marking="OFFICIAL-SENSITIVE: PERSONAL",
        preamble=(Paragraph(summary),),
        sections=tuple(sections),
        footer=("Produced in answer to a subject access request (UK GDPR Article 15).",),
    )
