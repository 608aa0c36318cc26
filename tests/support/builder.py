"""Build small extracts record by record and write them as real CSV files.

Defaults make every record valid; tests override only the fields they are about.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from dsvb.ingest import extract_format as fmt

INCIDENT_DEFAULTS = {
    "reported_at": "2010-03-01T10:00:00",
    "area": "E09000022",
    "channel": "emergency_call",
    "dv_flag": "true",
    "sexual_offence_flag": "false",
    "crime_id": "",
    "no_crime_report_reason": "",
    "suspect_present": "",
    "arrest_made": "",
}
CRIME_DEFAULTS = {
    "incident_id": "",
    "recorded_at": "2010-03-01T12:00:00",
    "area": "E09000022",
    "unit": "CSU",
    "offence_group": "violence_with_injury",
    "status": "confirmed",
    "dv": "true",
    "serious_sexual": "false",
    "hbv": "false",
    "forced_marriage": "false",
    "fgm": "false",
    "lgbt": "",
    "risk_form": "",
    "risk_form_supervised": "",
    "risk_level": "",
    "arrested_at": "",
    "outcome": "",
    "outcome_at": "",
    "unsupported_prosecution": "",
    "withdrawn_after_charge": "",
    "havens_referral": "",
}
PERSON_DEFAULTS = {
    "sex": "female",
    "birth_year": "1980",
    "ethnicity": "white",
    "disabled": "",
    "lgbt": "",
}


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass
class ExtractBuilder:
    incidents: list[dict[str, str]] = field(default_factory=list)
    crimes: list[dict[str, str]] = field(default_factory=list)
    people: list[dict[str, str]] = field(default_factory=list)
    crime_people: list[dict[str, str]] = field(default_factory=list)
    victim_contacts: list[dict[str, str]] = field(default_factory=list)
    with_contacts_file: bool = True
    _n: int = 0

    def _next(self, prefix: str) -> str:
        self._n += 1
        return f"{prefix}{self._n:06d}"

    def person(self, person_id: str | None = None, **fields: object) -> str:
        person_id = person_id or self._next("P")
        row = {"person_id": person_id, **PERSON_DEFAULTS}
        row.update({k: _text(v) for k, v in fields.items()})
        self.people.append(row)
        return person_id

    def incident(self, incident_id: str | None = None, **fields: object) -> str:
        incident_id = incident_id or self._next("INC")
        row = {"incident_id": incident_id, **INCIDENT_DEFAULTS}
        row.update({k: _text(v) for k, v in fields.items()})
        self.incidents.append(row)
        return incident_id

    def crime(
        self,
        crime_id: str | None = None,
        *,
        victims: tuple[str, ...] | list[str] = (),
        suspects: tuple[str, ...] | list[str] = (),
        with_incident: bool = False,
        **fields: object,
    ) -> str:
        """A crime; with_incident=True also adds the incident it came from, linked both ways."""
        crime_id = crime_id or self._next("CRM")
        row = {"crime_id": crime_id, **CRIME_DEFAULTS}
        row.update({k: _text(v) for k, v in fields.items()})
        if with_incident:
            incident_fields = {
                "crime_id": crime_id,
                "area": row["area"],
                "reported_at": row["recorded_at"],
                "dv_flag": row["dv"],
                "sexual_offence_flag": _text(
                    row["serious_sexual"] == "true"
                    or row["offence_group"] in ("rape", "other_sexual")
                ),
            }
            row["incident_id"] = self.incident(**incident_fields)
        self.crimes.append(row)
        for person in victims:
            self.link(crime_id, person, "victim")
        for person in suspects:
            self.link(crime_id, person, "suspect")
        return crime_id

    def link(self, crime_id: str, person_id: str, role: str) -> None:
        self.crime_people.append({"crime_id": crime_id, "person_id": person_id, "role": role})

    def contact(self, crime_id: str, reason: str, due_at: str, made_at: str = "") -> None:
        self.victim_contacts.append(
            {"crime_id": crime_id, "reason": reason, "due_at": due_at, "made_at": made_at}
        )

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        for spec in fmt.FILES:
            if spec.name == "victim_contacts" and not self.with_contacts_file:
                continue
            rows = getattr(self, spec.name)
            # people's identifier columns (format 2) only when some person has one: without
            # them the files are a format 1 extract
            with_ids = any(c in row for row in self.people for c in fmt.IDENTIFIER_COLUMNS)
            columns = [c.name for c in spec.columns if with_ids or not c.identifier]
            with (folder / spec.filename).open("w", newline="", encoding="utf-8") as f:
                writer = csv.DictWriter(f, columns, lineterminator="\n")
                writer.writeheader()
                writer.writerows(rows)
        return folder


def rewrite_cell(path: Path, row: int, column: str, value: str) -> None:
    """Change one cell of a CSV file (row 1 = first data row)."""
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    rows[row][header.index(column)] = value
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def small_extract(b: ExtractBuilder) -> None:
    """A small valid extract: two crimes with victims and a suspect, a no-crime incident, a
    Victims' Code contact made in time."""
    v1, v2 = b.person(), b.person(sex="male", birth_year=1990)
    s1 = b.person(sex="male")
    c1 = b.crime(victims=[v1], suspects=[s1], with_incident=True, outcome="charge")
    b.crime(victims=[v2], suspects=[s1], with_incident=True, outcome="caution")
    b.incident(no_crime_report_reason="verbal argument, no offence disclosed")
    b.contact(c1, "support_referral", "2010-03-03T12:00:00", "2010-03-02T09:00:00")
