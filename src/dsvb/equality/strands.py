"""The equality strands and measures, declared once.

A *strand* is a characteristic of a person the board asks about (sex, age band, ethnic
group, disability, sexual orientation as the LGBT flag), for a victim or a suspect: the
engine's cut of the same name (``victim_ethnicity``, ``suspect_sex`` …;
:mod:`dsvb.indicators.sources`). A *measure* is what is compared across a strand's groups:
victims or suspects per 1,000 residents (population estimates as the denominator), or an
outcome of the crimes as a share of crimes (the indicator of the same name in
:mod:`dsvb.indicators.definitions`, cut by the strand). Everything else — the analysis, the
pages, the exports, the command line — reads these declarations.

Each strand compares its groups with one *reference group*, stated here and printed beside
every ratio: the group the papers compare with (white residents, as the 2010 annual report
does against London's population), or the largest group. Groups that describe no one
(``not_recorded``, and ``none`` for a crime with no victim or suspect linked) get rates but
no ratio: comparing with them would measure recording, which :mod:`.recording` measures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from dsvb.indicators import definitions as defs
from dsvb.indicators.sources import AGE_BANDS, NO_ONE, NOT_RECORDED

Role = Literal["victim", "suspect"]
ROLES: tuple[Role, ...] = ("victim", "suspect")
ROLE_LABELS = {"victim": "Victim", "suspect": "Suspect"}
ROLE_PLURALS = {"victim": "victims", "suspect": "suspects"}


@dataclass(frozen=True)
class Strand:
    """A characteristic, its groups in display order, and the reference group."""

    id: str  # sex, age_band, ethnicity, disability, lgbt
    label: str
    groups: tuple[str, ...]
    reference: str
    in_population: bool  # population estimates give residents by this strand
    why_reference: str

    def cut(self, role: Role) -> str:
        """The engine's cut for this strand of a person in ``role``."""
        return f"{role}_{self.id}"

    def __post_init__(self) -> None:
        if self.reference not in self.groups:
            raise ValueError(f"strand {self.id}: reference {self.reference} is not a group")


STRANDS: dict[str, Strand] = {
    s.id: s
    for s in (
        Strand(
            "sex",
            "Sex",
            ("female", "male", "other"),
            "male",
            True,
            "men: so that the ratio reads as how many times as likely women are",
        ),
        Strand(
            "age_band",
            "Age band",
            AGE_BANDS,
            "36_60",
            True,
            "36 to 60: the largest adult group of residents",
        ),
        Strand(
            "ethnicity",
            "Ethnic group",
            ("white", "black", "asian", "mixed", "other"),
            "white",
            True,
            "white: the largest group, and the comparison the board's papers make",
        ),
        Strand(
            "disability",
            "Disability",
            ("disabled", "not_disabled"),
            "not_disabled",
            False,
            "not disabled: the largest group",
        ),
        Strand(
            "lgbt",
            "Sexual orientation (LGBT flag)",
            ("lgbt", "not_lgbt"),
            "not_lgbt",
            False,
            "not flagged LGBT: the largest group",
        ),
    )
}

UNDESCRIBED = (NOT_RECORDED, NO_ONE)  # groups that describe no one: rates, no ratio

GROUP_LABELS: dict[str, str] = {
    "female": "Female",
    "male": "Male",
    "other": "Other",
    "under_18": "Under 18",
    "18_35": "18 to 35",
    "36_60": "36 to 60",
    "61_plus": "61 and over",
    "white": "White",
    "black": "Black",
    "asian": "Asian",
    "mixed": "Mixed",
    "disabled": "Disabled",
    "not_disabled": "Not disabled",
    "lgbt": "LGBT",
    "not_lgbt": "Not flagged LGBT",
    NOT_RECORDED: "Not recorded",
    NO_ONE: "No one linked",
}

# How a group is named in a sentence ("black residents", "women").
GROUP_NOUNS: dict[str, str] = {
    "female": "women and girls",
    "male": "men and boys",
    "under_18": "people under 18",
    "18_35": "people aged 18 to 35",
    "36_60": "people aged 36 to 60",
    "61_plus": "people aged 61 and over",
    "white": "white people",
    "black": "black people",
    "asian": "Asian people",
    "mixed": "people of mixed ethnicity",
    "disabled": "disabled people",
    "not_disabled": "people who are not disabled",
    "lgbt": "people flagged LGBT",
    "not_lgbt": "people not flagged LGBT",
}


def group_noun(strand: str, group: str) -> str:
    """How a group is named in a sentence; "other" depends on the strand."""
    if group == "other":
        return (
            "people of another ethnic group" if strand == "ethnicity" else "people of another sex"
        )
    return GROUP_NOUNS.get(group, group.replace("_", " "))


def group_label(group: str) -> str:
    return GROUP_LABELS.get(group, group.replace("_", " ").capitalize())


Kind = Literal["population_rate", "proportion"]


@dataclass(frozen=True)
class Measure:
    """What is compared across a strand's groups.

    ``population_rate``: people (the indicator's count of victims or suspects) per 1,000
    residents of the group a year; only for strands population estimates give.
    ``proportion``: the indicator's numerator over its denominator for the crimes whose
    principal victim (or suspect) is in the group.
    """

    id: str
    label: str
    indicator: str
    kind: Kind
    roles: tuple[Role, ...]
    phrase: str  # for sentences: "to be recorded as victims", "the sanction detection rate"

    def __post_init__(self) -> None:
        indicator = defs.INDICATORS[self.indicator]  # fails at import if misnamed
        if self.kind == "proportion" and indicator.denominator is None:
            raise ValueError(f"measure {self.id}: {self.indicator} is not a proportion")

    @property
    def counts(self) -> tuple[str, str | None]:
        indicator = defs.INDICATORS[self.indicator]
        return indicator.numerator, indicator.denominator

    @property
    def higher_is_better(self) -> bool | None:
        return defs.INDICATORS[self.indicator].higher_is_better

    def strands(self) -> tuple[Strand, ...]:
        if self.kind == "population_rate":
            return tuple(s for s in STRANDS.values() if s.in_population)
        return tuple(STRANDS.values())

    def cuts(self) -> tuple[tuple[Role, Strand, str], ...]:
        """(role, strand, engine cut) for every strand this measure is cut by."""
        return tuple((r, s, s.cut(r)) for r in self.roles for s in self.strands())


PER = 1000  # population rates are per 1,000 residents a year

MEASURES: dict[str, Measure] = {
    m.id: m
    for m in (
        Measure(
            "victims_per_1000",
            "Victims per 1,000 residents a year",
            "victims",
            "population_rate",
            ("victim",),
            "to be recorded as victims",
        ),
        Measure(
            "suspects_per_1000",
            "Suspects per 1,000 residents a year",
            "suspects",
            "population_rate",
            ("suspect",),
            "to be recorded as suspects",
        ),
        Measure(
            "sd_rate",
            "Sanction detection rate",
            "sd_rate",
            "proportion",
            ROLES,
            "the sanction detection rate",
        ),
        Measure(
            "charge_rate", "Charge rate", "charge_rate", "proportion", ROLES, "the charge rate"
        ),
        Measure(
            "arrest_rate",
            "Arrest rate",
            "arrest_rate_offences",
            "proportion",
            ROLES,
            "the arrest rate",
        ),
        Measure(
            "caution_share",
            "Cautions as a share of sanction detections",
            "caution_share",
            "proportion",
            ROLES,
            "the share of sanction detections that were cautions",
        ),
        Measure(
            "attrition_rate",
            "Attrition after charge",
            "attrition_rate",
            "proportion",
            ROLES,
            "attrition after charge",
        ),
    )
}


def strand_of_cut(cut: str) -> tuple[Role, Strand]:
    """``victim_ethnicity`` -> ("victim", the ethnicity strand)."""
    role, _, strand = cut.partition("_")
    if role not in ROLES or strand not in STRANDS:
        raise KeyError(f"unknown strand {cut}")
    return role, STRANDS[strand]  # type: ignore[return-value]


def all_cuts() -> tuple[str, ...]:
    """Every engine cut some measure uses, in a stable order."""
    return tuple(dict.fromkeys(c for m in MEASURES.values() for _, _, c in m.cuts()))
