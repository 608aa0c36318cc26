"""Kinds of agency that take part in partnership cases.

A case belongs to one agency; others see it once it is referred or shared with them, and
then only the field groups their kind of agency needs (:mod:`dsvb.cases.fields`). A MARAC is
itself an agency of kind ``marac``: its coordinators are the partner users of that agency
(decision 0035), so no new role is needed and a coordinator's rights follow the MARAC they
coordinate. Police caseworkers are partner users of an agency of kind ``police`` (a
borough's Community Safety Unit), apart from the force's performance analysts.
"""

from __future__ import annotations

from enum import StrEnum


class AgencyKind(StrEnum):
    POLICE = "police"
    IDVA = "idva"
    MARAC = "marac"
    CHILDREN = "children_services"
    ADULTS = "adult_services"
    HEALTH = "health"
    HOUSING = "housing"
    REFUGE = "refuge"
    PROBATION = "probation"
    VICTIM_SUPPORT = "victim_support"
    SUBSTANCE_MISUSE = "substance_misuse"
    EDUCATION = "education"
    OTHER = "other"

    @property
    def label(self) -> str:
        return LABELS[self]


LABELS = {
    AgencyKind.POLICE: "Police",
    AgencyKind.IDVA: "IDVA service",
    AgencyKind.MARAC: "MARAC",
    AgencyKind.CHILDREN: "Children's social care",
    AgencyKind.ADULTS: "Adult social care",
    AgencyKind.HEALTH: "Health",
    AgencyKind.HOUSING: "Housing",
    AgencyKind.REFUGE: "Refuge",
    AgencyKind.PROBATION: "Probation",
    AgencyKind.VICTIM_SUPPORT: "Victim support",
    AgencyKind.SUBSTANCE_MISUSE: "Substance misuse service",
    AgencyKind.EDUCATION: "Education",
    AgencyKind.OTHER: "Other agency",
}
