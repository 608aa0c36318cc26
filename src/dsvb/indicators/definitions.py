"""Every indicator the board asks for, defined once.

This module is the one place where indicators are defined. Each is a numerator count over
a denominator count (``docs/glossary.md`` explains the terms; ``DOMAIN.md`` in the shared
papers gives the board's table). Counts are Ibis expressions over a source's rows, so the
same definitions run on any engine Ibis supports. Each count also declares here how it
relates to the others (``part_of``, ``parts``, ``people``; ``Family.parts`` for families):
disclosure control and the published-returns reader derive their relations from these
(``docs/indicators-and-relations.md``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dsvb.indicators import relations
from dsvb.indicators.model import Context, Count, Family, Indicator
from dsvb.ingest.extract_format import CONTACT_REASONS

if TYPE_CHECKING:  # Ibis only when a query is built (see dsvb.indicators.compiled)
    import ibis.expr.types as ir

FAMILIES: dict[str, Family] = {
    f.id: f
    for f in (
        Family("dv", "Domestic violence", "Crimes flagged DV; incidents flagged DV at the call"),
        Family(
            "serious_sexual",
            "Serious sexual offences",
            "Rape, assault by penetration, causing sexual activity and attempts, victim 16+ "
            "(in London investigated by SCD2 Sapphire from September 2009)",
        ),
        Family(
            "sexual",
            "Sexual offences",
            "All sexual offences: serious ones and 'less serious' ones investigated on borough",
            parts=("serious_sexual", "other_sexual"),
        ),
        Family(
            "other_sexual",
            "Other sexual offences",
            "Sexual offences that are not serious sexual offences (usually investigated on "
            "borough)",
        ),
    )
}
ALL_FAMILIES = tuple(FAMILIES)


# --- predicates on crime rows --------------------------------------------------------------


def confirmed(t: ir.Table, ctx: Context) -> ir.BooleanValue:
    return t.status == "confirmed"


def sanction_detected(t: ir.Table, ctx: Context) -> ir.BooleanValue:
    return confirmed(t, ctx) & t.outcome.isin(ctx.sanction_detection_outcomes)


def outcome_is(outcome: str):  # noqa: ANN201 - returns a Predicate
    def predicate(t: ir.Table, ctx: Context) -> ir.BooleanValue:
        return (
            confirmed(t, ctx)
            & (t.outcome == outcome)
            & (outcome in ctx.sanction_detection_outcomes)
        )

    return predicate


def flag(column: str, base=confirmed):  # noqa: ANN001, ANN201 - builds a Predicate
    def predicate(t: ir.Table, ctx: Context) -> ir.BooleanValue:
        return base(t, ctx) & t[column].fill_null(False)

    return predicate


def has_risk_form(t: ir.Table, ctx: Context) -> ir.BooleanValue:
    return confirmed(t, ctx) & t.risk_form.isin(("completed", "partial"))


def contact_on_time(t: ir.Table, ctx: Context) -> ir.BooleanValue:
    return t.made_at.notnull() & (t.made_at <= t.due_at)


COUNTS: dict[str, Count] = {
    c.id: c
    for c in (
        # incidents
        Count("incidents", "incidents", "Incidents reported in the period"),
        Count(
            "incidents_with_arrest",
            "incidents",
            "Incidents at or after which an arrest was made",
            where=lambda t, ctx: t.arrest_made.fill_null(False),
            part_of=("incidents",),
        ),
        Count(
            "incidents_suspect_present",
            "incidents",
            "Incidents where the suspect was at the scene when police arrived",
            where=lambda t, ctx: t.suspect_present.fill_null(False),
            part_of=("incidents",),
        ),
        Count(
            "arrests_suspect_present",
            "incidents",
            "Incidents with the suspect present at which an arrest was made",
            where=lambda t, ctx: (
                t.suspect_present.fill_null(False) & t.arrest_made.fill_null(False)
            ),
            part_of=("incidents_suspect_present", "incidents_with_arrest"),
        ),
        Count(
            "incidents_compliant",
            "incidents",
            "Incidents that became a crime report or carry a reason why none was needed",
            where=lambda t, ctx: t.crime_id.notnull() | t.no_crime_report_reason.notnull(),
            part_of=("incidents",),
            returns_name="incidents_with_crime_or_reason",
        ),
        Count(
            "havens_referrals",
            "incidents",
            "Incidents whose crime record was referred to the Havens (sexual assault referral "
            "centres), as the SCD2 return counts them",
            where=lambda t, ctx: t.linked_havens_referral.fill_null(False),
            part_of=("incidents",),
        ),
        Count(
            "front_counter_incidents",
            "incidents",
            "Incidents reported at a police front counter",
            where=lambda t, ctx: t.channel == "front_counter",
            part_of=("incidents",),
        ),
        # crimes
        Count(
            "offences",
            "crimes",
            "Confirmed crimes recorded in the period",
            where=confirmed,
            people="victims",
        ),
        Count(
            "sanction_detections",
            "crimes",
            "Confirmed crimes with a sanction detection outcome",
            where=sanction_detected,
            part_of=("offences",),
            parts=("charges", "cautions", "other_sds"),
        ),
        Count("charges", "crimes", "Crimes resulting in a charge or summons", outcome_is("charge")),
        Count(
            "cautions",
            "crimes",
            "Crimes resulting in a caution",
            where=outcome_is("caution"),
            people="cautioned_offenders",
        ),
        Count(
            "other_sds",
            "crimes",
            "Sanction detections other than charges and cautions (TICs, penalty notices, "
            "cannabis warnings)",
            where=lambda t, ctx: sanction_detected(t, ctx) & ~t.outcome.isin(("charge", "caution")),
        ),
        Count(
            "offences_with_arrest",
            "crimes",
            "Confirmed crimes where a suspect was arrested",
            where=lambda t, ctx: confirmed(t, ctx) & t.arrested_at.notnull(),
            part_of=("offences",),
        ),
        Count(
            "offences_risk_form_completed",
            "crimes",
            "Confirmed crimes with a completed risk form (124D / DASH)",
            where=lambda t, ctx: confirmed(t, ctx) & (t.risk_form == "completed"),
            part_of=("risk_forms",),
            returns_name="risk_forms_completed",
        ),
        Count(
            "risk_forms",
            "crimes",
            "Confirmed crimes with a risk form",
            where=has_risk_form,
            part_of=("offences",),
        ),
        Count(
            "risk_forms_supervised",
            "crimes",
            "Risk forms checked by a supervisor",
            where=lambda t, ctx: has_risk_form(t, ctx) & t.risk_form_supervised.fill_null(False),
            part_of=("risk_forms",),
        ),
        Count(
            "no_crimes",
            "crimes",
            "Crime records cancelled ('no-crimed') under the counting rules",
            where=lambda t, ctx: t.status == "no_crime",
        ),
        Count(
            "cris",
            "crimes",
            "Crime-related incidents: reports that would amount to a crime but are not "
            "recorded as one",
            where=lambda t, ctx: t.status == "cri",
        ),
        Count(
            "unsupported_prosecutions",
            "crimes",
            "Crimes prosecuted without the victim's support",
            where=flag("unsupported_prosecution"),
            part_of=("offences",),
        ),
        Count(
            "withdrawn_after_charge",
            "crimes",
            "Charged crimes discontinued or failed after charge",
            where=lambda t, ctx: (
                outcome_is("charge")(t, ctx) & t.withdrawn_after_charge.fill_null(False)
            ),
            part_of=("charges",),
        ),
        Count(
            "hbv_fm_crimes",
            "crimes",
            "Crimes flagged as so-called honour-based violence or forced marriage",
            where=lambda t, ctx: confirmed(t, ctx) & (t.hbv | t.forced_marriage),
            part_of=("offences",),
        ),
        Count(
            "fgm_crimes",
            "crimes",
            "Crimes flagged female genital mutilation",
            flag("fgm"),
            part_of=("offences",),
        ),
        Count("lgbt_flagged", "crimes", "Crimes flagged LGBT", flag("lgbt"), part_of=("offences",)),
        Count(
            "dv_and_serious_sexual",
            "crimes",
            "Crimes flagged both DV and serious sexual offence",
            where=lambda t, ctx: confirmed(t, ctx) & t.dv & t.serious_sexual,
            part_of=("offences",),
        ),
        Count(
            "homicides",
            "crimes",
            "Homicides",
            where=lambda t, ctx: confirmed(t, ctx) & (t.offence_group == "homicide"),
            part_of=("offences",),
        ),
        # Victims' Code contacts
        Count(
            "contacts_due",
            "contacts",
            "Victims' Code contacts falling due in the period",
            parts=tuple(f"contacts_due_{reason}" for reason in CONTACT_REASONS),
        ),
        Count(
            "contacts_on_time",
            "contacts",
            "Victims' Code contacts made by their deadline",
            where=contact_on_time,
            part_of=("contacts_due",),
            parts=tuple(f"contacts_on_time_{reason}" for reason in CONTACT_REASONS),
        ),
        *(
            c
            for reason in CONTACT_REASONS
            for c in (
                Count(
                    f"contacts_due_{reason}",
                    "contacts",
                    f"Victims' Code contacts due: {reason.replace('_', ' ')}",
                    where=lambda t, ctx, r=reason: t.reason == r,
                ),
                Count(
                    f"contacts_on_time_{reason}",
                    "contacts",
                    f"Victims' Code contacts made on time: {reason.replace('_', ' ')}",
                    where=lambda t, ctx, r=reason: (t.reason == r) & contact_on_time(t, ctx),
                    part_of=(f"contacts_due_{reason}",),
                ),
            )
        ),
        # people
        Count("victims", "victims", "Victims of offences recorded in the period"),
        Count(
            "repeat_victims",
            "victims",
            "Victims with another offence against them within the look-back window",
            where=lambda t, ctx: t.is_repeat,
            part_of=("victims",),
        ),
        Count(
            "repeat_offences",
            "victims",
            "Offences in the period against a victim of another offence of the family within "
            "the look-back window before it (one per victim of the offence)",
            sum_of=lambda t, ctx: t.repeat_offences.cast("int64"),
        ),
        Count(
            "offences_against_repeat_victims",
            "victims",
            "Offences against repeat victims in the window (from the start of the look-back "
            "to the end of the period): at least two each",
            sum_of=lambda t, ctx: t.offences_in_window.cast("int64") * t.is_repeat.cast("int64"),
            people="repeat_victims",
        ),
        Count(
            "suspects",
            "suspects",
            "People named as suspects in offences recorded in the period (each once)",
        ),
        Count("cautioned_offenders", "cautioned_offenders", "Offenders cautioned in the period"),
        Count(
            "repeat_caution_offenders",
            "cautioned_offenders",
            "Offenders cautioned in the period who had been cautioned before for an offence "
            "in the same family",
            where=lambda t, ctx: t.is_repeat,
            part_of=("cautioned_offenders",),
        ),
    )
}

DV = ("dv",)
SERIOUS_SEXUAL = ("serious_sexual",)

INDICATORS: dict[str, Indicator] = {
    i.id: i
    for i in (
        Indicator("incidents", "Incidents", "incidents"),
        Indicator("offences", "Offences", "offences"),
        Indicator(
            "victims",
            "Victims",
            "victims",
            description="People who were victims of offences recorded in the period, each once",
        ),
        Indicator(
            "suspects",
            "Suspects",
            "suspects",
            description="People named as suspects in offences recorded in the period, each once",
        ),
        Indicator(
            "crime_conversion",
            "Crime conversion (offences per incident)",
            "offences",
            "incidents",
            description="Confirmed offences as a share of incidents",
        ),
        Indicator("sanction_detections", "Sanction detections", "sanction_detections"),
        Indicator(
            "sd_rate",
            "Sanction detection rate",
            "sanction_detections",
            "offences",
            higher_is_better=True,
        ),
        Indicator("charge_rate", "Charge rate", "charges", "offences", higher_is_better=True),
        Indicator(
            "caution_share",
            "Cautions as a share of sanction detections",
            "cautions",
            "sanction_detections",
            description="ACPO guidance: cautions are 'rarely appropriate' for domestic violence",
            higher_is_better=False,
        ),
        Indicator("caution_rate", "Caution rate", "cautions", "offences", higher_is_better=False),
        Indicator("other_sd", "Other sanction detections", "other_sds"),
        Indicator(
            "arrest_rate_offences",
            "Arrest rate (offences)",
            "offences_with_arrest",
            "offences",
            higher_is_better=True,
        ),
        Indicator(
            "arrest_rate_incidents",
            "Arrest rate (DV incidents)",
            "incidents_with_arrest",
            "incidents",
            families=DV,
            higher_is_better=True,
        ),
        Indicator(
            "arrest_rate_suspect_present",
            "Arrest rate where the suspect was present",
            "arrests_suspect_present",
            "incidents_suspect_present",
            higher_is_better=True,
        ),
        Indicator(
            "repeat_victim_rate",
            "Repeat victimisation",
            "repeat_victims",
            "victims",
            description="Victims with another offence against them within the look-back window",
        ),
        Indicator(
            "offences_per_repeat_victim",
            "Offences per repeat victim",
            "offences_against_repeat_victims",
            "repeat_victims",
            kind="ratio",
        ),
        Indicator(
            "repeat_victim_offences",
            "Offences representing repeat victimisation",
            "repeat_offences",
            description="Offences in the period against someone already a victim of the "
            "family within the look-back window (the brief's 'crimes representing repeat "
            "victimisation')",
        ),
        Indicator(
            "repeat_caution_offenders",
            "Offenders cautioned more than once",
            "repeat_caution_offenders",
            higher_is_better=False,
        ),
        Indicator(
            "risk_form_completion",
            "Risk form (124D / DASH) completion",
            "offences_risk_form_completed",
            "offences",
            families=DV,
            higher_is_better=True,
        ),
        Indicator(
            "risk_form_supervision",
            "Risk forms supervised",
            "risk_forms_supervised",
            "risk_forms",
            families=DV,
            higher_is_better=True,
        ),
        Indicator(
            "cad_to_cris",
            "CAD-to-CRIS compliance",
            "incidents_compliant",
            "incidents",
            families=DV,
            higher_is_better=True,
        ),
        Indicator("no_crime_rate", "No-crime rate", "no_crimes", "incidents"),
        Indicator("cri_rate", "Crime-related incident rate", "cris", "incidents"),
        Indicator(
            "havens_referral_rate",
            "Referrals to the Havens",
            "havens_referrals",
            "incidents",
            families=SERIOUS_SEXUAL,  # the SCD2 return's measure (DOMAIN.md)
            higher_is_better=True,
        ),
        Indicator(
            "vcop_compliance",
            "Victims' Code compliance",
            "contacts_on_time",
            "contacts_due",
            higher_is_better=True,
        ),
        *(
            Indicator(
                f"vcop_compliance_{reason}",
                f"Victims' Code compliance: {reason.replace('_', ' ')}",
                f"contacts_on_time_{reason}",
                f"contacts_due_{reason}",
                higher_is_better=True,
            )
            for reason in CONTACT_REASONS
        ),
        Indicator(
            "unsupported_prosecutions", "Unsupported prosecutions", "unsupported_prosecutions"
        ),
        Indicator(
            "attrition_rate",
            "Attrition after charge",
            "withdrawn_after_charge",
            "charges",
            higher_is_better=False,
        ),
        Indicator("hbv_fm_crimes", "HBV and forced marriage crimes", "hbv_fm_crimes"),
        Indicator("fgm_crimes", "FGM crimes", "fgm_crimes"),
        Indicator("lgbt_flagged", "Crimes flagged LGBT", "lgbt_flagged"),
        Indicator(
            "dv_and_serious_sexual",
            "Crimes flagged both DV and serious sexual",
            "dv_and_serious_sexual",
        ),
        Indicator("homicides", "Homicides", "homicides"),
        Indicator(
            "front_counter_share",
            "Reported at a front counter",
            "front_counter_incidents",
            "incidents",
        ),
    )
}


def check_definitions() -> None:
    """Fail loudly, at import, if an indicator names a count that does not exist or the
    declared relations among counts and families contradict themselves."""
    relations.check(COUNTS, FAMILIES, INDICATORS)


check_definitions()
