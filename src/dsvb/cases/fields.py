"""A case's fields in groups, each with a sensitivity, and which groups each kind of agency
needs: the one definition of "need to know".

Every field the web shows of a case belongs to one :class:`FieldGroup` (a person's name and
date of birth are ``identity``; a refuge's address is ``refuge_address``; DASH answers are
``risk``). What a kind of agency needs is data, ``reference/data/case_field_needs.csv``
(one row per kind and group, with why), so an installation changes it without a code change
and a reviewer can read it. :func:`visible_groups` answers, for one person and one case,
which groups they may see and why: the owning agency sees all of its own case; an agency a
case is shared with (or referred to, as a MARAC) sees the groups the share names *and* its
kind needs -- a share can narrow what is seen, never widen it beyond the need; an emergency
("break glass") view sees what its kind needs, for a limited time. A refuge's address is
``restricted``: it is never shown to an agency whose kind does not need it, whoever shares.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources

from dsvb.cases.agencies import AgencyKind
from dsvb.reference.file_errors import ReferenceFileError, checked_rows

FILE_NAME = "case_field_needs.csv"
COLUMNS = ("agency_kind", "field_group", "why")


class Sensitivity(StrEnum):
    PERSONAL = "personal"  # personal data (a name, a telephone number)
    SPECIAL = "special_category"  # health, risk, sexual life, criminal allegations
    RESTRICTED = "restricted"  # where a victim is hiding: shown to those who need it only


class FieldGroup(StrEnum):
    IDENTITY = "identity"
    CONTACT = "contact"
    ADDRESS = "address"
    REFUGE_ADDRESS = "refuge_address"
    HOUSEHOLD = "household"
    PERPETRATOR = "perpetrator"
    RISK = "risk"
    MARAC = "marac"
    HEALTH = "health"
    CRIMINAL_JUSTICE = "criminal_justice"
    VICTIMS_CODE = "victims_code"
    NOTES = "notes"

    @property
    def label(self) -> str:
        return GROUPS[self][0]

    @property
    def sensitivity(self) -> Sensitivity:
        return GROUPS[self][1]

    @property
    def fields(self) -> str:
        return GROUPS[self][2]


# label, sensitivity, what it holds (in words, shown where a share is made)
GROUPS: dict[FieldGroup, tuple[str, Sensitivity, str]] = {
    FieldGroup.IDENTITY: (
        "Identity",
        Sensitivity.PERSONAL,
        "names, date of birth, sex, ethnicity, disability, sexual orientation",
    ),
    FieldGroup.CONTACT: (
        "Safe contact",
        Sensitivity.PERSONAL,
        "telephone, e-mail, when and how it is safe to make contact",
    ),
    FieldGroup.ADDRESS: ("Home address", Sensitivity.PERSONAL, "current and previous addresses"),
    FieldGroup.REFUGE_ADDRESS: (
        "Refuge or safe address",
        Sensitivity.RESTRICTED,
        "the address of a refuge or safe house the victim is staying in",
    ),
    FieldGroup.HOUSEHOLD: (
        "Children and household",
        Sensitivity.PERSONAL,
        "children and other members of the household",
    ),
    FieldGroup.PERPETRATOR: (
        "Alleged perpetrator",
        Sensitivity.SPECIAL,
        "the alleged perpetrator's identity and relationship to the victim",
    ),
    FieldGroup.RISK: (
        "Risk assessments",
        Sensitivity.SPECIAL,
        "DASH answers, score, level, professional judgement",
    ),
    FieldGroup.MARAC: (
        "MARAC",
        Sensitivity.SPECIAL,
        "referrals, consent, meetings, actions",
    ),
    FieldGroup.HEALTH: (
        "Health",
        Sensitivity.SPECIAL,
        "physical and mental health, drug and alcohol use",
    ),
    FieldGroup.CRIMINAL_JUSTICE: (
        "Criminal justice",
        Sensitivity.SPECIAL,
        "incidents, crimes, arrests, bail, charges",
    ),
    FieldGroup.VICTIMS_CODE: (
        "Victims' Code",
        Sensitivity.PERSONAL,
        "events and the contacts owed to the victim",
    ),
    FieldGroup.NOTES: ("Case notes", Sensitivity.SPECIAL, "the owning agency's case notes"),
}

ALL_GROUPS = frozenset(FieldGroup)


class FieldNeedsError(ReferenceFileError):
    """A field-needs file that cannot be used, with the file, line and column named."""


@dataclass(frozen=True)
class Need:
    kind: AgencyKind
    group: FieldGroup
    why: str


def load_needs(text: str, file: str = FILE_NAME) -> dict[AgencyKind, dict[FieldGroup, str]]:
    """The needs by kind of agency (group -> why); FieldNeedsError names file, line, column.
    Owners' notes are never a need of another agency (they stay with the owner)."""
    needs: dict[AgencyKind, dict[FieldGroup, str]] = {kind: {} for kind in AgencyKind}
    for line, v in checked_rows(text, file, COLUMNS, FieldNeedsError):
        try:
            kind = AgencyKind(v["agency_kind"])
        except ValueError:
            known = ", ".join(k.value for k in AgencyKind)
            raise FieldNeedsError(
                file, line, "agency_kind", f"{v['agency_kind']!r} is not a kind ({known})"
            ) from None
        try:
            group = FieldGroup(v["field_group"])
        except ValueError:
            known = ", ".join(g.value for g in FieldGroup)
            raise FieldNeedsError(
                file, line, "field_group", f"{v['field_group']!r} is not a group ({known})"
            ) from None
        if group == FieldGroup.NOTES:
            raise FieldNeedsError(
                file, line, "field_group", "case notes stay with the agency that wrote them"
            )
        if not v["why"]:
            raise FieldNeedsError(file, line, "why", "say why the agency needs it")
        if group in needs[kind]:
            raise FieldNeedsError(
                file, line, "field_group", f"{kind.value} already needs {group.value}"
            )
        needs[kind][group] = v["why"]
    return needs


@cache
def needs() -> dict[AgencyKind, dict[FieldGroup, str]]:
    """The installed needs (``reference/data/case_field_needs.csv``)."""
    text = resources.files("dsvb.reference").joinpath("data", FILE_NAME).read_text("utf-8")
    return load_needs(text)


def needed_groups(kind: AgencyKind | str) -> frozenset[FieldGroup]:
    return frozenset(needs()[AgencyKind(kind)])


@dataclass(frozen=True)
class Visibility:
    """Which groups of one case a person may see, and why (for the page and the audit)."""

    groups: frozenset[FieldGroup]
    reason: str
    emergency: bool = False

    def shows(self, group: FieldGroup | str) -> bool:
        return FieldGroup(group) in self.groups

    @property
    def hidden(self) -> tuple[FieldGroup, ...]:
        return tuple(g for g in FieldGroup if g not in self.groups)


NOTHING = Visibility(frozenset(), "")


def visible_groups(
    agencies: Iterable[str],
    *,
    owner: str,
    shares: Mapping[str, frozenset[FieldGroup]],
    kinds: Mapping[str, AgencyKind | str],
    emergency: bool = False,
) -> Visibility:
    """The groups of a case owned by ``owner`` that a person of ``agencies`` may see.

    ``shares`` maps each agency the case is actively shared with (or referred to) to the
    groups shared; ``kinds`` gives each agency's kind. ``emergency``: the person holds an
    active emergency grant on this case (their agency's needs, nothing more)."""
    agencies = tuple(agencies)
    if owner in agencies:
        return Visibility(ALL_GROUPS, f"{owner} owns the case")
    seen: set[FieldGroup] = set()
    via: list[str] = []
    for agency in agencies:
        if agency in shares and agency in kinds:
            seen |= shares[agency] & needed_groups(kinds[agency])
            via.append(agency)
    if via:
        return Visibility(
            frozenset(seen), f"shared with {' and '.join(via)}: what it needs and was shared"
        )
    if emergency:
        groups: set[FieldGroup] = set()
        for agency in agencies:
            if agency in kinds:
                groups |= needed_groups(kinds[agency])
        return Visibility(
            frozenset(groups), "emergency access (break glass): what the agency needs", True
        )
    return NOTHING
