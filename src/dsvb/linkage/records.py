"""What linkage reads: one record of a person, from one source, with its identifiers.

A *source* is ``extract`` (the police extract's ``people``, record id = ``person_id``) or a
partner agency's name (its case people, record id = the person record's id). Identifiers
are special-category personal data: they are read from the store or the web's database
for a run and never written anywhere else (only keys, weights and comparison levels are).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

#: the source of the police extract's people
EXTRACT = "extract"


@dataclass(frozen=True, order=True)
class RecordRef:
    """One record, by its source and its id within the source."""

    source: str
    record_id: str

    def __str__(self) -> str:
        return f"{self.source}:{self.record_id}"


@dataclass(frozen=True)
class PersonRecord:
    """A person as one source recorded them. Any identifier may be missing."""

    source: str
    record_id: str
    given_name: str | None = None
    family_name: str | None = None
    date_of_birth: dt.date | None = None
    postcode: str | None = None
    sex: str | None = None  # female, male, other, or None when not recorded
    other_names: str | None = None  # aliases, former names (space-separated)
    area_code: str | None = None  # the borough the source places them in, if any

    @property
    def ref(self) -> RecordRef:
        return RecordRef(self.source, self.record_id)
