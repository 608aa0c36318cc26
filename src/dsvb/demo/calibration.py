"""Calibration of the demo-data generator to the published London figures.

Everything the generator draws from is a probability table built here, from the
published returns in ``dsvb/reference/published`` (12 months to November 2010) and from
the stated assumptions below. The tables are in *real scale*: the generator multiplies
the expected counts by ``scale = N / (122,049 DV + 13,263 sexual-offence incidents)``.

Families of records (the index of the first axis of every table):

``dv``
    DV incidents (flagged at the call) and the confirmed crimes the Community Safety Unit
    (CSU) records from them.
``homicide``
    DV homicides, investigated by SCD1. Crimes only: they come from DV incidents.
``sexual_borough``
    "Less serious" sexual offences investigated by the borough (``BOROUGH_OTHER``).
``scd2`` / ``scd5`` / ``scd1`` / ``scd9``
    Sexual offences investigated by the specialist units (Sapphire, child abuse,
    homicide, trafficking), spread over the boroughs in proportion to each borough's
    sexual incidents.

How the published DV figures are met. The indicators count a crime as DV when it is
flagged DV, whatever the unit, so the published borough DV figures are taken to include
the SCD2 offences flagged DV (826 in the year) and the DV homicides. Their expected
numbers (and their expected charges and cautions) are subtracted from each borough's
figures before the CSU rates are set, so that *all* DV-flagged confirmed crimes match the
published offences, sanction detections, charges and cautions per borough in
expectation. Incidents of the sexual families are not flagged DV at the call, so DV
incidents match the published DV incidents exactly in expectation.

Borough rows do not add up to the published force totals (records not attributed to a
borough): borough DV counts are scaled up by 122,049 / 122,022 and borough sexual
incidents by 5,967 / 5,937 so that the force totals hold; the borough rates are kept.

Borough variation in the measures that are not published per borough (arrest rates, risk
forms, supervision, CAD-to-CRIS compliance, Victims' Code timeliness, front counter
reports) is drawn once from a fixed random stream (``PROFILE_SEED``), independent of the
user's seed, and shifted so that the force average (weighted by the borough's volume) is
the stated target. A given borough therefore keeps its character from one demo extract to
the next; the user's seed only changes the sampling noise.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

from dsvb import reference
from dsvb.ingest import extract_format as fmt

# --- families, fates and vocabularies ------------------------------------------------------

FAMILIES = ("dv", "homicide", "sexual_borough", "scd2", "scd5", "scd1", "scd9")
DV, HOMICIDE, SEX_BOROUGH, SCD2, SCD5, SCD1, SCD9 = range(len(FAMILIES))
SEXUAL_FAMILIES = (SEX_BOROUGH, SCD2, SCD5, SCD1, SCD9)
SPECIALIST_FAMILIES = (SCD2, SCD5, SCD1, SCD9)
FAMILY_UNIT = {
    DV: "CSU",
    HOMICIDE: "SCD1",
    SEX_BOROUGH: "BOROUGH_OTHER",
    SCD2: "SCD2",
    SCD5: "SCD5",
    SCD1: "SCD1",
    SCD9: "SCD9",
}
# The row of the published sexual offences table for each specialist family.
UNIT_ROW = {SCD1: "SCD1", SCD2: "SCD2", SCD5: "SCD5", SCD9: "SCD9"}

# What became of an incident.
FATES = ("confirmed", "no_crime", "cri", "reason", "nothing", "homicide")
F_CONFIRMED, F_NO_CRIME, F_CRI, F_REASON, F_NOTHING, F_HOMICIDE = range(len(FATES))

OUTCOMES: tuple[str, ...] = tuple(reference.outcomes())  # 'pending' is written as empty
OUTCOME_INDEX = {name: i for i, name in enumerate(OUTCOMES)}
SD_OUTCOMES = ("charge", "caution", "tic", "penalty_notice", "cannabis_warning")
OFFENCE_GROUPS: tuple[str, ...] = tuple(reference.offence_groups())
GROUP_INDEX = {name: i for i, name in enumerate(OFFENCE_GROUPS)}
CHANNELS = fmt.CHANNELS
UNITS: tuple[str, ...] = tuple(reference.units())

# --- assumptions (not in the published tables) ---------------------------------------------

PROFILE_SEED = 20101130

# DV homicides in London in the year (SCD1; the Kingston return shows 1 in a borough of
# 1,474 DV incidents). Taken from DV incidents that would otherwise have no crime report.
DV_HOMICIDES = 20.0
HOMICIDE_CHARGE_SHARE = 0.85  # the rest still pending

# DV incidents that did not become a confirmed crime.
DV_NO_CRIME = 0.03  # crime report later cancelled under the counting rules
DV_CRI = 0.05  # crime-related incident
DV_CAD_TO_CRIS = 0.777  # incidents with a crime report or a valid reason (MPS, 2010)
DV_CAD_TO_CRIS_SPREAD = 0.35  # logit-scale spread between boroughs

# Split of the incidents of the sexual families that did not become a confirmed crime,
# where not published (SCD2 publishes its no-crimes and CRIs).
SEXUAL_NOT_CONFIRMED_SPLIT = {  # (no_crime, cri, reason)
    SEX_BOROUGH: (0.30, 0.45, 0.25),
    SCD5: (0.25, 0.45, 0.30),
    SCD1: (0.30, 0.40, 0.30),
    SCD9: (0.30, 0.40, 0.30),
}

# Outcomes that are not sanction detections: 'pending' is a share of all confirmed crimes,
# the rest of the non-SD mass is split as below.
PENDING = {DV: 0.08, SEX_BOROUGH: 0.10, SCD2: 0.15, SCD5: 0.12, SCD1: 0.10, SCD9: 0.15}
NON_SD_SPLIT = {
    "dv": {
        "victim_declined": 0.45,
        "no_further_action": 0.25,
        "evidential_difficulties": 0.18,
        "suspect_not_identified": 0.04,
        "community_resolution": 0.08,
    },
    "sexual": {
        "victim_declined": 0.35,
        "no_further_action": 0.20,
        "evidential_difficulties": 0.30,
        "suspect_not_identified": 0.15,
    },
}
# DV "other" sanction detections (SDs - charges - cautions), by type.
DV_OTHER_SD_SPLIT = {"tic": 0.60, "penalty_notice": 0.35, "cannabis_warning": 0.05}
# Sexual offences publish SDs and cautions only: the rest of the SDs are charges, with a
# few offences taken into consideration.
SEXUAL_CHARGE_SHARE_OF_OTHER_SDS = {SEX_BOROUGH: 0.90, SCD5: 0.90, SCD1: 1.0, SCD9: 0.90}
SCD2_CHARGE_SHARE_OF_OTHER_SDS = 1.0

# Arrests: the probability of an arrest given the outcome. The probability for the other
# outcomes (and pending) is set per borough so that the DV arrest rate of offences
# averages DV_ARREST_RATE (Kingston return: MPS average 59.7% in 2007, target 60% then 70%).
ARREST_GIVEN_OUTCOME = {
    "charge": 0.97,
    "caution": 0.95,
    "tic": 0.90,
    "penalty_notice": 0.60,
    "cannabis_warning": 0.60,
    "suspect_not_identified": 0.02,
}
DV_ARREST_RATE = 0.65
DV_ARREST_SPREAD = 0.5
SEXUAL_ARREST_OTHER = {SEX_BOROUGH: 0.45, SCD2: 0.50, SCD5: 0.40, SCD1: 0.90, SCD9: 0.60}
HOMICIDE_ARREST = 0.95

# DV incidents: suspect present and arrests (Kingston return: 56.3% incident arrest rate).
SUSPECT_PRESENT = 0.55
ARREST_IF_PRESENT = 0.80
ARREST_IF_ABSENT = 0.25

# Risk forms (124D / DASH) on DV crimes.
RISK_COMPLETED = 0.89
RISK_COMPLETED_SPREAD = 0.5
RISK_PARTIAL_SHARE_OF_INCOMPLETE = 0.45  # 5% partial, 6% missing on average
RISK_SUPERVISED = 0.70
RISK_SUPERVISED_SPREAD = 1.0  # boroughs from about 15% to 95%
RISK_LEVELS = {"standard": 0.65, "medium": 0.25, "high": 0.10}

# Victims' Code contacts: made on time / late / never.
VCOP_ON_TIME = 0.92
VCOP_ON_TIME_SPREAD = 0.7
VCOP_NEVER_SHARE_OF_MISSED = 0.375  # 3% never, 5% late on average
SUSPECT_RELEASED = 0.6  # of arrested suspects not charged
BAIL_CHANGE = 0.10  # of charged crimes
MAX_UPDATES = 2

# Channels.
DV_CHANNELS = {
    "emergency_call": 0.72,
    "non_emergency_call": 0.15,
    "front_counter": 0.08,
    "third_party": 0.03,
    "other": 0.02,
}
DV_FRONT_COUNTER_SPREAD = 0.35
SEXUAL_CHANNELS = {
    "emergency_call": 0.50,
    "non_emergency_call": 0.15,
    "front_counter": 0.10,
    "third_party": 0.20,
    "other": 0.05,
}

# Offence groups by family.
OFFENCE_GROUP_MIX = {
    DV: {
        "violence_with_injury": 0.33,
        "violence_without_injury": 0.30,
        "harassment": 0.12,
        "criminal_damage": 0.12,
        "fear_of_violence": 0.04,
        "threats_to_kill": 0.03,
        "other": 0.06,
    },
    HOMICIDE: {"homicide": 1.0},
    SEX_BOROUGH: {"other_sexual": 0.95, "child_sexual_exploitation": 0.05},
    SCD2: {"rape": 0.85, "other_sexual": 0.15},
    # SCD5's rape share is what brings all rapes to the VAW headline table's 3,208
    # offences (and about its 4,033 incidents) given SCD2's 85%.
    SCD5: {"other_sexual": 0.84, "rape": 0.06, "child_sexual_exploitation": 0.10},
    SCD1: {"rape": 0.70, "other_sexual": 0.30},
    SCD9: {"trafficking_sexual_exploitation": 1.0},
}
# Serious sexual offences: victim 16+ (so never SCD5, the child abuse command).
SERIOUS_SEXUAL = {(SCD2, g) for g in OFFENCE_GROUP_MIX[SCD2]} | {(SCD1, "rape")}

# Crime flags (DV crimes of the CSU).
HBV = 0.003
FORCED_MARRIAGE = 0.001
FGM_PER_DV_OFFENCE = 1 / 49_883  # about one offence a year in London (VAW headline table)
CRIME_LGBT = (0.01, 0.11)  # (true, false); the rest not recorded
UNSUPPORTED_PROSECUTION = {"dv": 0.10, "other": 0.02}  # of charged crimes
WITHDRAWN_AFTER_CHARGE = {"dv": 0.30, "rape": 0.45, "other": 0.30}  # of charged crimes

# Repeat victimisation (Kingston return: 28% of victims, 2.5 offences per repeat victim).
REPEAT_VICTIM_SHARE = 0.28
OFFENCES_PER_REPEAT_VICTIM = 2.5
SAME_SUSPECT = 0.85  # a repeat victim's further offences are by the same suspect
COUNTER_ALLEGATION = 0.02  # of DV crimes with a suspect
COUNTER_BOTH = 0.5  # of counter-allegations: two people, each both victim and suspect
NOT_CONFIRMED_SUSPECT = 0.6  # no-crimes and CRIs with a suspect recorded


def pool_repeat_share() -> float:
    """The repeat share to draw DV victims with, so that ``REPEAT_VICTIM_SHARE`` holds among
    all DV victims, counting the suspects who are also victims in a counter-allegation
    (nearly all of them victims once)."""
    identified = 0.98  # DV crimes with an identified suspect
    extra = COUNTER_ALLEGATION * COUNTER_BOTH * identified  # extra victims per offence
    target = REPEAT_VICTIM_SHARE
    return target * (1 + extra) / (1 - extra * target * (OFFENCES_PER_REPEAT_VICTIM - 1))


# --- people --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonProfile:
    """Who a kind of person is: probabilities over the people.csv vocabularies."""

    sex: dict[str, float]
    age_bands: tuple[tuple[int, int, float], ...]  # (youngest, oldest, probability)
    ethnicity: dict[str, float]
    disabled: tuple[float, float]  # (true, false); the rest not recorded
    lgbt: tuple[float, float] = (0.01, 0.09)
    birth_year_missing: float = 0.03


_LONDON_VICTIMS = {
    "white": 0.50,
    "black": 0.21,
    "asian": 0.15,
    "mixed": 0.04,
    "other": 0.05,
    "not_recorded": 0.05,
}
_LONDON_SUSPECTS = {
    "white": 0.46,
    "black": 0.25,
    "asian": 0.15,
    "mixed": 0.04,
    "other": 0.05,
    "not_recorded": 0.05,
}
_SEXUAL_VICTIMS = {  # 58-59% white, 37% BME, 4% not recorded
    "white": 0.59,
    "black": 0.17,
    "asian": 0.10,
    "mixed": 0.06,
    "other": 0.04,
    "not_recorded": 0.04,
}
_SEXUAL_SUSPECTS = {  # 41% white, 58% BME
    "white": 0.41,
    "black": 0.31,
    "asian": 0.14,
    "mixed": 0.06,
    "other": 0.07,
    "not_recorded": 0.01,
}
_SEXUAL_VICTIM_SEX = {"female": 0.93, "male": 0.06, "not_recorded": 0.01}

PERSON_KINDS = (
    "dv_victim",
    "dv_suspect",
    "sexual_victim_borough",
    "sexual_victim_serious",
    "sexual_victim_child",
    "sexual_victim_trafficking",
    "sexual_suspect",
)
(
    P_DV_VICTIM,
    P_DV_SUSPECT,
    P_SEX_VICTIM_BOROUGH,
    P_SEX_VICTIM_SERIOUS,
    P_SEX_VICTIM_CHILD,
    P_SEX_VICTIM_TRAFFICKING,
    P_SEX_SUSPECT,
) = range(len(PERSON_KINDS))

PROFILES: dict[int, PersonProfile] = {
    # DV then meant adults (18+): 18-35 60%, 36-60 37%, 61+ 3%.
    P_DV_VICTIM: PersonProfile(
        {"female": 0.80, "male": 0.18, "not_recorded": 0.02},
        ((18, 35, 0.60), (36, 60, 0.37), (61, 88, 0.03)),
        _LONDON_VICTIMS,
        (0.02, 0.45),
    ),
    P_DV_SUSPECT: PersonProfile(
        {"male": 0.87, "female": 0.12, "not_recorded": 0.01},
        ((18, 35, 0.55), (36, 60, 0.42), (61, 85, 0.03)),
        _LONDON_SUSPECTS,
        (0.01, 0.40),
    ),
    # Sexual offence victims overall: under 18 30%, 18-35 50%, 36-60 18%, 61+ 1-2%.
    P_SEX_VICTIM_BOROUGH: PersonProfile(
        _SEXUAL_VICTIM_SEX,
        ((10, 17, 0.30), (18, 35, 0.50), (36, 60, 0.18), (61, 85, 0.02)),
        _SEXUAL_VICTIMS,
        (0.02, 0.45),
    ),
    P_SEX_VICTIM_SERIOUS: PersonProfile(  # victims 16+
        _SEXUAL_VICTIM_SEX,
        ((16, 17, 0.08), (18, 35, 0.66), (36, 60, 0.24), (61, 88, 0.02)),
        _SEXUAL_VICTIMS,
        (0.06, 0.44),
    ),
    P_SEX_VICTIM_CHILD: PersonProfile(
        _SEXUAL_VICTIM_SEX, ((2, 17, 1.0),), _SEXUAL_VICTIMS, (0.03, 0.40)
    ),
    P_SEX_VICTIM_TRAFFICKING: PersonProfile(
        _SEXUAL_VICTIM_SEX,
        ((15, 17, 0.10), (18, 35, 0.85), (36, 60, 0.05)),
        _SEXUAL_VICTIMS,
        (0.01, 0.30),
    ),
    # Sexual offence suspects: 97% male, 12% under 18.
    P_SEX_SUSPECT: PersonProfile(
        {"male": 0.97, "female": 0.02, "not_recorded": 0.01},
        ((12, 17, 0.12), (18, 35, 0.50), (36, 60, 0.33), (61, 85, 0.05)),
        _SEXUAL_SUSPECTS,
        (0.01, 0.40),
    ),
}
VICTIM_KIND = {
    DV: P_DV_VICTIM,
    HOMICIDE: P_DV_VICTIM,
    SEX_BOROUGH: P_SEX_VICTIM_BOROUGH,
    SCD2: P_SEX_VICTIM_SERIOUS,
    SCD5: P_SEX_VICTIM_CHILD,
    SCD1: P_SEX_VICTIM_SERIOUS,
    SCD9: P_SEX_VICTIM_TRAFFICKING,
}
SUSPECT_KIND = {f: (P_DV_SUSPECT if f in (DV, HOMICIDE) else P_SEX_SUSPECT) for f in VICTIM_KIND}

# Texts recorded when a DV call needed no crime report (a valid reason is compliant).
DV_NO_CRIME_REASONS = (
    "verbal argument only, no offence disclosed",
    "verbal dispute, no allegation of crime",
    "no offence disclosed; parties advised",
    "third party call, parties seen and no offence",
    "civil dispute over child contact",
    "call made in error",
    "duplicate call, see linked CAD",
)
SEXUAL_NO_CRIME_REASONS = (
    "no offence disclosed on attendance",
    "report transferred to another force",
    "duplicate of an existing report",
)


# --- published figures ---------------------------------------------------------------------


def _published(name: str) -> list[dict[str, str]]:
    text = resources.files("dsvb.reference").joinpath("published", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def _int(value: str) -> int:
    return int(value.replace(",", "").strip())


@dataclass(frozen=True)
class UnitFigures:
    incidents: float
    offences: float
    sanction_detections: float
    cautions: float


@dataclass(frozen=True)
class Published:
    """The published figures the demo data are calibrated to (real scale)."""

    area_codes: tuple[str, ...]
    dv: dict[str, np.ndarray]  # incidents, offences, sds, charges, cautions; per borough
    dv_total_incidents: int
    sexual: dict[str, np.ndarray]  # incidents, offences, sds, cautions; per borough
    sexual_borough_total_incidents: int
    sexual_total_incidents: int
    units: dict[int, UnitFigures]
    scd2_no_crimed: int
    scd2_cri: int
    scd2_havens: int
    scd2_dv_flagged: int


def _borough_index(raw: str, codes: tuple[str, ...]) -> int | None:
    match = reference.areas().match(raw)
    if match.area is None or match.area.kind != "borough" or match.area.code not in codes:
        return None
    return codes.index(match.area.code)


@cache
def published() -> Published:
    codes = tuple(a.code for a in reference.areas().for_force("MPS") if a.kind == "borough")
    n = len(codes)

    dv_cols = ("dv_incidents", "dv_offences", "dv_sanction_detections", "dv_charges", "dv_cautions")
    dv_keys = ("incidents", "offences", "sds", "charges", "cautions")
    dv = {k: np.zeros(n) for k in dv_keys}
    seen = set()
    dv_total = None
    for row in _published("dv_by_borough_12m_to_2010-11.csv"):
        if row["borough"].strip().lower() == "mps total":
            dv_total = _int(row["dv_incidents"])
            continue
        i = _borough_index(row["borough"], codes)
        if i is None:
            raise ValueError(f"DV table: unknown borough {row['borough']!r}")
        seen.add(i)
        for key, col in zip(dv_keys, dv_cols, strict=True):
            dv[key][i] = _int(row[col])
    if len(seen) != n or dv_total is None:
        raise ValueError("DV table: expected every borough and an MPS Total row")

    sx_cols = (
        "sexual_incidents",
        "sexual_offences",
        "sexual_offence_sanction_detections",
        "sexual_offence_cautions",
    )
    sx_keys = ("incidents", "offences", "sds", "cautions")
    sexual = {k: np.zeros(n) for k in sx_keys}
    unit_rows: dict[str, dict[str, str]] = {}
    totals: dict[str, dict[str, str]] = {}
    seen = set()
    for row in _published("sexual_offences_by_unit_12m_to_2010-11.csv"):
        label = row["borough_or_unit"].strip()
        if label.lower().endswith("total"):
            totals[label.lower()] = row
            continue
        unit = label.split()[0]
        if unit in UNIT_ROW.values():
            unit_rows[unit] = row
            continue
        i = _borough_index(label, codes)
        if i is None:
            raise ValueError(f"sexual offences table: unknown borough or unit {label!r}")
        seen.add(i)
        for key, col in zip(sx_keys, sx_cols, strict=True):
            sexual[key][i] = _int(row[col])
    if len(seen) != n:
        raise ValueError("sexual offences table: expected every borough")

    units: dict[int, UnitFigures] = {}
    garbled = []
    for family, label in UNIT_ROW.items():
        row = unit_rows[label]
        try:
            incidents = float(_int(row["sexual_incidents"]))
        except ValueError:
            garbled.append(family)
            incidents = float("nan")
        units[family] = UnitFigures(
            incidents,
            float(_int(row["sexual_offences"])),
            float(_int(row["sexual_offence_sanction_detections"])),
            float(_int(row["sexual_offence_cautions"])),
        )
    # The SCD9 incidents cell is garbled in print ("116 47 1"). The Non-Borough Total
    # (7,296) less the other specialist units (14 + 4,541 + 2,577) implies 164, which we use.
    non_borough = float(_int(totals["non-borough total"]["sexual_incidents"]))
    if len(garbled) > 1:
        raise ValueError("sexual offences table: more than one unit's incidents unreadable")
    for family in garbled:
        known = sum(u.incidents for f, u in units.items() if f != family)
        u = units[family]
        units[family] = UnitFigures(
            non_borough - known, u.offences, u.sanction_detections, u.cautions
        )

    scd2 = {
        row["measure"]: row["2009/10"]
        for row in _published("scd2_sexual_offences_2009-10_vs_2008-09.csv")
    }
    return Published(
        area_codes=codes,
        dv=dv,
        dv_total_incidents=dv_total,
        sexual=sexual,
        sexual_borough_total_incidents=_int(totals["borough total"]["sexual_incidents"]),
        sexual_total_incidents=_int(totals["mps total"]["sexual_incidents"]),
        units=units,
        scd2_no_crimed=_int(scd2["Incidents 'no-crimed'"]),
        scd2_cri=_int(scd2["Incidents 'CRI'd'"]),
        scd2_havens=_int(scd2["Incidents referred to the Havens"]),
        scd2_dv_flagged=_int(scd2["SCD2 Sexual Offences flagged as DV"]),
    )


# --- borough variation ---------------------------------------------------------------------


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _logit(p: float) -> float:
    return float(np.log(p / (1.0 - p)))


def _solve_shift(make: Callable[[float], np.ndarray], weights: np.ndarray, target: float) -> float:
    """The shift for which the weighted mean of ``make(shift)`` is ``target``.

    ``make`` must be increasing in the shift.
    """
    lo, hi = -20.0, 20.0
    for _ in range(100):
        mid = (lo + hi) / 2
        if np.average(make(mid), weights=weights) < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _varied(
    target: float,
    spread: float,
    z: np.ndarray,
    weights: np.ndarray,
    lower: np.ndarray | None = None,
    upper: np.ndarray | None = None,
) -> np.ndarray:
    """Borough values around ``target`` (logit-normal), weighted mean exactly ``target``."""
    base = _logit(target) + spread * z
    lo = np.zeros_like(z) if lower is None else lower
    hi = np.ones_like(z) if upper is None else upper

    def make(shift: float) -> np.ndarray:
        return np.clip(_sigmoid(base + shift), lo, hi)

    return make(_solve_shift(make, weights, target))


# --- the calibration tables ----------------------------------------------------------------


@dataclass(frozen=True)
class Calibration:
    """Probability tables for the generator. Arrays are indexed [family, borough, ...]."""

    area_codes: tuple[str, ...]
    real_incidents: int  # DV + sexual incidents in the year: the denominator of the scale
    incident_weight: np.ndarray  # (family, borough) expected incidents, real scale
    fate_p: np.ndarray  # (family, borough, fate)
    unlinked_crimes: np.ndarray  # (family, borough) confirmed crimes without an incident
    outcome_p: np.ndarray  # (family, borough, outcome) for confirmed crimes
    arrest_p: np.ndarray  # (family, borough, outcome)
    channel_p: np.ndarray  # (family, borough, channel)
    offence_group_p: np.ndarray  # (family, offence group)
    serious_sexual: np.ndarray  # (family, offence group) bool
    dv_flag_p: np.ndarray  # (family,) crime rows flagged DV
    havens_p: float  # SCD2 crime rows from incidents referred to the Havens
    risk_form_p: np.ndarray  # (borough, 3) completed / partial / missing
    risk_supervised_p: np.ndarray  # (borough,)
    risk_level_p: np.ndarray  # (3,)
    vcop_p: np.ndarray  # (borough, 3) on time / late / never
    dv_arrest_rate: np.ndarray  # (borough,) expected DV arrest rate of offences
    dv_cad_to_cris: np.ndarray  # (borough,)
    expected: dict[str, float]  # expected force-level figures (real scale), for checks

    @property
    def n_areas(self) -> int:
        return len(self.area_codes)


def _fate_row(confirmed: float, no_crime: float, cri: float, reason: float) -> np.ndarray:
    nothing = 1.0 - confirmed - no_crime - cri - reason
    row = np.array([confirmed, no_crime, cri, reason, max(nothing, 0.0), 0.0])
    return row / row.sum()


def _outcome_row(
    sds: dict[str, float], pending: float, non_sd: dict[str, float], extra_pending: float = 0.0
) -> np.ndarray:
    """Outcome probabilities: sanction detection probabilities as given, ``pending``, and
    the rest split over the non-SD outcomes."""
    row = np.zeros(len(OUTCOMES))
    for name, p in sds.items():
        row[OUTCOME_INDEX[name]] = max(p, 0.0)
    row[OUTCOME_INDEX["pending"]] = pending + extra_pending
    rest = 1.0 - row.sum()
    if rest < -1e-9:
        raise ValueError("sanction detections and pending exceed 1")
    total = sum(non_sd.values())
    for name, p in non_sd.items():
        row[OUTCOME_INDEX[name]] += max(rest, 0.0) * p / total
    return row / row.sum()


@cache
def calibration() -> Calibration:
    pub = published()
    n = len(pub.area_codes)
    nf = len(FAMILIES)
    rng = np.random.default_rng(PROFILE_SEED)
    z_arrest, z_risk, z_super, z_cad, z_vcop, z_counter = rng.standard_normal((6, n))

    k_dv = pub.dv_total_incidents / pub.dv["incidents"].sum()
    dv = {k: v * k_dv for k, v in pub.dv.items()}
    k_sx = pub.sexual_borough_total_incidents / pub.sexual["incidents"].sum()
    sx_inc = pub.sexual["incidents"] * k_sx
    share = sx_inc / sx_inc.sum()  # spread of the specialist units over the boroughs
    real_incidents = pub.dv_total_incidents + pub.sexual_total_incidents

    weight = np.zeros((nf, n))
    fate = np.zeros((nf, n, len(FATES)))
    unlinked = np.zeros((nf, n))
    outcome = np.zeros((nf, n, len(OUTCOMES)))
    arrest = np.zeros((nf, n, len(OUTCOMES)))
    channel = np.zeros((nf, n, len(CHANNELS)))

    # --- specialist sexual units --------------------------------------------------------
    scd2 = pub.units[SCD2]
    for f in SPECIALIST_FAMILIES:
        u = pub.units[f]
        weight[f] = u.incidents * share
        if f == SCD2:
            no_crime, cri = float(pub.scd2_no_crimed), float(pub.scd2_cri)
            reason = 0.0
        else:
            rest = max(u.incidents - u.offences, 0.0)
            s_nc, s_cri, s_reason = SEXUAL_NOT_CONFIRMED_SPLIT[f]
            no_crime, cri, reason = rest * s_nc, rest * s_cri, rest * s_reason
        linked = min(u.offences, u.incidents - no_crime - cri - reason)
        # SCD2: 3,662 crimes + 328 no-crimed + 713 CRI'd exceed the 4,541 incidents, so
        # 162 confirmed crimes came without a call record (reported straight to the unit).
        # SCD1: 15 offences from 14 incidents, so one offence without an incident.
        unlinked[f] = (u.offences - linked) * share
        fate[f, :] = _fate_row(
            linked / u.incidents, no_crime / u.incidents, cri / u.incidents, reason / u.incidents
        )
        other_sd = u.sanction_detections - u.cautions
        charge_share = (
            SCD2_CHARGE_SHARE_OF_OTHER_SDS if f == SCD2 else SEXUAL_CHARGE_SHARE_OF_OTHER_SDS[f]
        )
        outcome[f, :] = _outcome_row(
            {
                "charge": other_sd * charge_share / u.offences,
                "caution": u.cautions / u.offences,
                "tic": other_sd * (1 - charge_share) / u.offences,
            },
            PENDING[f],
            NON_SD_SPLIT["sexual"],
        )
        channel[f, :] = [SEXUAL_CHANNELS[c] for c in CHANNELS]

    # --- borough sexual offences --------------------------------------------------------
    weight[SEX_BOROUGH] = sx_inc
    conv = np.minimum(pub.sexual["offences"] / pub.sexual["incidents"], 1.0)
    s_nc, s_cri, s_reason = SEXUAL_NOT_CONFIRMED_SPLIT[SEX_BOROUGH]
    cs = SEXUAL_CHARGE_SHARE_OF_OTHER_SDS[SEX_BOROUGH]
    for b in range(n):
        rest = 1.0 - conv[b]
        fate[SEX_BOROUGH, b] = _fate_row(conv[b], rest * s_nc, rest * s_cri, rest * s_reason)
        off = pub.sexual["offences"][b]
        other_sd = pub.sexual["sds"][b] - pub.sexual["cautions"][b]
        outcome[SEX_BOROUGH, b] = _outcome_row(
            {
                "charge": other_sd * cs / off,
                "caution": pub.sexual["cautions"][b] / off,
                "tic": other_sd * (1 - cs) / off,
            },
            PENDING[SEX_BOROUGH],
            NON_SD_SPLIT["sexual"],
        )
    channel[SEX_BOROUGH, :] = [SEXUAL_CHANNELS[c] for c in CHANNELS]

    # --- DV: the CSU's share is what is left once SCD2's DV-flagged crimes and the DV
    # homicides are taken out of the published borough figures ---------------------------
    weight[DV] = dv["incidents"]
    scd2_dv_share = pub.scd2_dv_flagged / scd2.offences
    scd2_dv = scd2.offences * scd2_dv_share * share  # expected SCD2 DV crimes per borough
    scd2_o = outcome[SCD2, 0]
    homicides = DV_HOMICIDES * dv["incidents"] / dv["incidents"].sum()
    csu_off = dv["offences"] - scd2_dv - homicides
    csu_charges = (
        dv["charges"]
        - scd2_dv * scd2_o[OUTCOME_INDEX["charge"]]
        - homicides * HOMICIDE_CHARGE_SHARE
    )
    csu_cautions = dv["cautions"] - scd2_dv * scd2_o[OUTCOME_INDEX["caution"]]
    csu_other_sd = np.maximum(
        dv["sds"] - dv["charges"] - dv["cautions"] - scd2_dv * scd2_o[OUTCOME_INDEX["tic"]], 0.0
    )
    p_conf = csu_off / dv["incidents"]
    p_hom = homicides / dv["incidents"]
    floor = p_conf + p_hom + DV_NO_CRIME + DV_CRI + 0.02
    cad = _varied(DV_CAD_TO_CRIS, DV_CAD_TO_CRIS_SPREAD, z_cad, dv["incidents"], lower=floor)
    for b in range(n):
        reason = cad[b] - p_conf[b] - p_hom[b] - DV_NO_CRIME - DV_CRI
        fate[DV, b] = [p_conf[b], DV_NO_CRIME, DV_CRI, reason, 1.0 - cad[b], p_hom[b]]
        sds = {"charge": csu_charges[b] / csu_off[b], "caution": csu_cautions[b] / csu_off[b]}
        for name, p in DV_OTHER_SD_SPLIT.items():
            sds[name] = csu_other_sd[b] * p / csu_off[b]
        outcome[DV, b] = _outcome_row(sds, PENDING[DV], NON_SD_SPLIT["dv"])
    outcome[HOMICIDE, :, OUTCOME_INDEX["charge"]] = HOMICIDE_CHARGE_SHARE
    outcome[HOMICIDE, :, OUTCOME_INDEX["pending"]] = 1 - HOMICIDE_CHARGE_SHARE

    # Arrests given the outcome; the "other" probability of the sexual units is fixed and
    # the CSU's is set per borough to give the DV family's arrest rate.
    fixed = np.zeros(len(OUTCOMES))
    known = np.zeros(len(OUTCOMES), dtype=bool)
    for name, p in ARREST_GIVEN_OUTCOME.items():
        fixed[OUTCOME_INDEX[name]] = p
        known[OUTCOME_INDEX[name]] = True
    for f in SEXUAL_FAMILIES:
        arrest[f] = np.where(known, fixed, SEXUAL_ARREST_OTHER[f])
    arrest[HOMICIDE] = HOMICIDE_ARREST
    scd2_arrest = float(outcome[SCD2, 0] @ arrest[SCD2, 0])
    dv_offences = dv["offences"]

    def dv_arrest_rate(shift: float) -> np.ndarray:
        other = _sigmoid(_logit(0.4) + DV_ARREST_SPREAD * z_arrest + shift)
        table = np.where(known, fixed, other[:, None])  # (borough, outcome)
        csu = (outcome[DV] * table).sum(axis=1)
        return (csu * csu_off + scd2_dv * scd2_arrest + homicides * HOMICIDE_ARREST) / (dv_offences)

    shift = _solve_shift(dv_arrest_rate, dv_offences, DV_ARREST_RATE)
    rate = dv_arrest_rate(shift)
    other = _sigmoid(_logit(0.4) + DV_ARREST_SPREAD * z_arrest + shift)
    arrest[DV] = np.where(known, fixed, other[:, None])

    front = _varied(
        DV_CHANNELS["front_counter"], DV_FRONT_COUNTER_SPREAD, z_counter, dv["incidents"]
    )
    rest_channels = {c: p for c, p in DV_CHANNELS.items() if c != "front_counter"}
    rest_total = sum(rest_channels.values())
    for i, c in enumerate(CHANNELS):
        if c == "front_counter":
            channel[DV, :, i] = front
        else:
            channel[DV, :, i] = (1 - front) * rest_channels[c] / rest_total

    offence_group = np.zeros((nf, len(OFFENCE_GROUPS)))
    serious = np.zeros((nf, len(OFFENCE_GROUPS)), dtype=bool)
    for f, mix in OFFENCE_GROUP_MIX.items():
        for g, p in mix.items():
            offence_group[f, GROUP_INDEX[g]] = p
            serious[f, GROUP_INDEX[g]] = (f, g) in SERIOUS_SEXUAL
    dv_flag = np.zeros(nf)
    dv_flag[[DV, HOMICIDE]] = 1.0
    dv_flag[SCD2] = scd2_dv_share

    completed = _varied(RISK_COMPLETED, RISK_COMPLETED_SPREAD, z_risk, dv_offences)
    partial = (1 - completed) * RISK_PARTIAL_SHARE_OF_INCOMPLETE
    risk_form = np.stack([completed, partial, 1 - completed - partial], axis=1)
    supervised = _varied(RISK_SUPERVISED, RISK_SUPERVISED_SPREAD, z_super, dv_offences)
    on_time = _varied(
        VCOP_ON_TIME, VCOP_ON_TIME_SPREAD, z_vcop, dv_offences + pub.sexual["offences"]
    )
    never = (1 - on_time) * VCOP_NEVER_SHARE_OF_MISSED
    vcop = np.stack([on_time, 1 - on_time - never, never], axis=1)

    if (fate < -1e-12).any() or (outcome < -1e-12).any():
        raise ValueError("calibration produced a negative probability")
    sd_idx = [OUTCOME_INDEX[o] for o in SD_OUTCOMES]
    expected_dv_sds = (
        (outcome[DV][:, sd_idx].sum(axis=1) * csu_off).sum()
        + scd2_dv.sum() * scd2_o[sd_idx].sum()
        + homicides.sum() * HOMICIDE_CHARGE_SHARE
    )
    expected = {
        "dv_incidents": float(weight[DV].sum()),
        "dv_offences": float(dv["offences"].sum()),
        "dv_sanction_detections": float(expected_dv_sds),
        "dv_cautions": float(dv["cautions"].sum()),
        "dv_arrest_rate": float(np.average(rate, weights=dv_offences)),
        "sexual_incidents": float(weight[list(SEXUAL_FAMILIES)].sum()),
    }
    return Calibration(
        area_codes=pub.area_codes,
        real_incidents=real_incidents,
        incident_weight=weight,
        fate_p=fate,
        unlinked_crimes=unlinked,
        outcome_p=outcome,
        arrest_p=arrest,
        channel_p=channel,
        offence_group_p=offence_group,
        serious_sexual=serious,
        dv_flag_p=dv_flag,
        havens_p=pub.scd2_havens / scd2.incidents,
        risk_form_p=risk_form,
        risk_supervised_p=supervised,
        risk_level_p=np.array(list(RISK_LEVELS.values())),
        vcop_p=vcop,
        dv_arrest_rate=rate,
        dv_cad_to_cris=cad,
        expected=expected,
    )
