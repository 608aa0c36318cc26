"""The partner agencies' case people as linkage reads them (:mod:`dsvb.linkage`): one
:class:`~dsvb.linkage.records.PersonRecord` per ``Person``, source = the agency's name,
record id = the person record's id.

A victim's postcode is that of a home address of their cases (a current one first, else a
previous one). A refuge's or safe house's address is never used: its postcode must not
travel with the person, even into the store's private linkage tables.

An agency named ``extract`` (in any case or spacing) cannot be a linkage source: its records
would be taken for the police extract's (``dsvb.linkage.records.EXTRACT``). Importing such
an agency is refused (``dsvb.cases.interchange_read``); one made another way stops the read
here.
"""

from __future__ import annotations

from dsvb.cases.interchange import agency_key
from dsvb.linkage.records import EXTRACT, PersonRecord
from dsvb.web.cases.models import Address, Agency, Person


class ReservedAgencyName(ValueError):
    """An agency's name is the police extract's source name."""


def person_records() -> list[PersonRecord]:
    """Every case person, by id."""
    names = Agency.objects.values_list("name", flat=True)
    for name in (n for n in names if agency_key(n) == agency_key(EXTRACT)):
        raise ReservedAgencyName(
            f"The agency {name!r} has the name linkage gives the police extract's records: "
            f"give the agency another name before linking."
        )
    postcodes: dict[int, str] = {}
    addresses = (
        Address.objects.filter(kind__in=("home", "previous"))
        .exclude(postcode="")
        .order_by("-current", "kind", "-pk")
        .values_list("case__victim_id", "postcode")
    )
    for victim_id, postcode in addresses:
        postcodes.setdefault(victim_id, postcode)
    people = Person.objects.select_related("agency").order_by("pk")
    return [
        PersonRecord(
            source=person.agency.name,
            record_id=str(person.pk),
            given_name=person.given_name or None,
            family_name=person.family_name or None,
            date_of_birth=person.date_of_birth,
            postcode=postcodes.get(person.pk),
            sex=person.sex or None,
            other_names=person.other_names or None,
        )
        for person in people
    ]
