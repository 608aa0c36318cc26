"""Partnership cases, stored: agencies, people, cases, DASH assessments, MARAC referrals,
meetings and actions, shares and emergency grants, Victims' Code events and contacts.

Thin: the rules live in :mod:`dsvb.cases` (field groups and needs, states and their moves,
who may see what, DASH scoring, MARAC criteria, Victims' Code deadlines). A case turns itself
into the plain object those rules are asked about (:meth:`Case.access_object`) and changes
state only through :meth:`move_to`. Every field shown of a case belongs to a field group
(:data:`FIELD_GROUPS` names the group of each model), so a page shows a model's rows only
when the viewer may see its group.

Personal data: names, dates of birth, addresses and contact details are held here and
nowhere else (never in the audit log, whose entries name cases by id; never in the store).
A person's records can be deleted when their retention period has passed
(:mod:`dsvb.cases.retention`); what remains is the audit entry that says so.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from dsvb.access.model import AgencyRef
from dsvb.cases.access import CaseObject, MaracObject
from dsvb.cases.agencies import AgencyKind
from dsvb.cases.fields import FieldGroup
from dsvb.cases.states import (
    ActionState,
    CaseState,
    Consent,
    MeetingState,
    PartyRole,
    ReferralState,
    RiskLevel,
    ShareBasis,
    ShareState,
    move,
)
from dsvb.web.oversight.models import StatefulModel as OversightStateful
from dsvb.web.oversight.models import _choices


class StatefulModel(OversightStateful):
    """A case model with a typed ``status``, moved by the cases' own moves."""

    MOVE = staticmethod(move)

    class Meta:
        abstract = True


class Agency(models.Model):
    """An agency taking part in partnership cases. Its ``name`` is what partner users'
    memberships name (``User.agency``). A MARAC is an agency of kind ``marac`` with member
    agencies (those that attend and receive its referrals)."""

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=40, choices=_choices(AgencyKind))
    area_code = models.CharField(max_length=9, blank=True, help_text="Borough served, if one")
    members = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="maracs",
        help_text="For a MARAC: the agencies that attend it",
    )
    # a MARAC's local setting: incidents in 12 months that make potential escalation
    escalation_incidents = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name

    @property
    def agency_kind(self) -> AgencyKind:
        return AgencyKind(self.kind)

    def marac_object(self) -> MaracObject:
        return MaracObject(
            id=str(self.pk),
            owner_agency=self.name,
            shared_with=frozenset(AgencyRef(a.name) for a in self.members.all()),
        )


class Person(models.Model):
    """A person an agency holds a record of: a victim, an alleged perpetrator, a child.
    Each agency keeps its own records (a subject access request gathers them across
    agencies, matched on names and date of birth)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="people")
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    other_names = models.CharField(max_length=200, blank=True, help_text="Aliases, former names")
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(
        max_length=20,
        choices=[("female", "Female"), ("male", "Male"), ("other", "Other"), ("", "Not known")],
        blank=True,
    )
    ethnicity = models.CharField(
        max_length=20,
        choices=[
            ("white", "White"),
            ("black", "Black"),
            ("asian", "Asian"),
            ("mixed", "Mixed"),
            ("other", "Other"),
            ("", "Not recorded"),
        ],
        blank=True,
    )
    disabled = models.BooleanField(null=True, blank=True)
    lgbt = models.BooleanField(null=True, blank=True, verbose_name="LGBT")
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    safe_contact = models.TextField(blank=True, help_text="When and how it is safe to contact")
    health_notes = models.TextField(blank=True)
    identifiers = models.JSONField(default=dict, blank=True, help_text="e.g. NHS number, PNC id")
    external_id = models.CharField(max_length=100, blank=True, help_text="Id in an import")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["family_name", "given_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "external_id"],
                condition=~models.Q(external_id=""),
                name="person_external_id_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def age_on(self, day: dt.date) -> int | None:
        if self.date_of_birth is None:
            return None
        b = self.date_of_birth
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


class Case(StatefulModel):
    """A victim's case, owned by one agency (which sees all of it and shares parts)."""

    STATES = CaseState

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="cases")
    victim = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases")
    team = models.CharField(max_length=100, blank=True, help_text="e.g. Lambeth CSU, IDVA team")
    area_code = models.CharField(max_length=9, blank=True, help_text="Borough")
    status = models.CharField(max_length=20, choices=_choices(CaseState), default="open")
    opened_on = models.DateField(default=dt.date.today)
    closed_on = models.DateField(null=True, blank=True)
    domestic_abuse = models.BooleanField(default=True)
    sexual_offence = models.BooleanField(default=False)
    crime_reference = models.CharField(max_length=60, blank=True, help_text="Police crime id")
    external_id = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opened_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "external_id"],
                condition=~models.Q(external_id=""),
                name="case_external_id_unique",
            )
        ]

    def __str__(self) -> str:
        return f"Case {self.pk}"

    @property
    def enhanced_service(self) -> bool:
        """DV and sexual-offence victims are owed the Victims' Code's enhanced service."""
        return self.domestic_abuse or self.sexual_offence

    def active_shares(self) -> models.QuerySet[Share]:
        return self.shares.filter(status=ShareState.ACTIVE)

    def access_object(self, *, now: dt.datetime | None = None) -> CaseObject:
        now = now or timezone.now()
        shared = {AgencyRef(s.to_agency.name) for s in self.active_shares().select_related()}
        emergency = frozenset(
            self.emergency_grants.filter(expires_at__gt=now).values_list("user_id", flat=True)
        )
        return CaseObject(
            id=str(self.pk),
            owner_agency=self.agency.name,
            owner_area=self.area_code or None,
            shared_with=frozenset(shared),
            state=self.status,
            emergency_users=emergency,
        )

    def share_groups(self) -> dict[str, frozenset[FieldGroup]]:
        """Agency name -> groups shared, over the active shares (several shares add up)."""
        out: dict[str, set[FieldGroup]] = {}
        for s in self.active_shares().select_related("to_agency"):
            out.setdefault(s.to_agency.name, set()).update(FieldGroup(g) for g in s.groups)
        return {k: frozenset(v) for k, v in out.items()}


class CaseParty(models.Model):
    """Someone else in the case: the alleged perpetrator, a child, a household member."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="parties")
    role = models.CharField(max_length=30, choices=_choices(PartyRole))
    relationship = models.CharField(max_length=100, blank=True, help_text="To the victim")
    in_household = models.BooleanField(default=False)

    class Meta:
        ordering = ["role", "pk"]


class Address(models.Model):
    """An address of the victim's. A refuge's or safe house's is in its own restricted
    field group (``refuge_address``)."""

    KINDS = [("home", "Home"), ("previous", "Previous"), ("refuge", "Refuge or safe house")]
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(max_length=20, choices=KINDS, default="home")
    lines = models.TextField()
    postcode = models.CharField(max_length=10, blank=True)
    current = models.BooleanField(default=True)

    @property
    def group(self) -> FieldGroup:
        return FieldGroup.REFUGE_ADDRESS if self.kind == "refuge" else FieldGroup.ADDRESS


class CaseIncident(models.Model):
    """An incident of abuse between the victim and a perpetrator, as any agency learnt of
    it (for potential escalation and MARAC repeats)."""

    KINDS = [
        ("violence", "Violence"),
        ("threats", "Threats"),
        ("stalking", "Stalking or harassment"),
        ("sexual", "Rape or sexual abuse"),
        ("other", "Other abuse (coercive control, economic abuse, ...)"),
    ]
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="incidents")
    perpetrator = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL)
    occurred_on = models.DateField()
    kind = models.CharField(max_length=20, choices=KINDS)
    reported_to_police = models.BooleanField(default=False)
    police_reference = models.CharField(max_length=60, blank=True)
    recorded_by = models.ForeignKey(Agency, on_delete=models.PROTECT)
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["-occurred_on", "-pk"]


class Assessment(models.Model):
    """A DASH risk assessment (``dsvb.cases.dash``): the answers by question id, the score
    and levels computed, professional judgement that may only raise the level, with reasons."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT)
    checklist = models.CharField(max_length=40)  # dsvb.cases.dash checklist id
    assessed_on = models.DateField(default=dt.date.today)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    assessor_name = models.CharField(max_length=150, blank=True)
    answers = models.JSONField(default=dict)  # question id -> "yes" | "no" | "not_known"
    score = models.PositiveSmallIntegerField()
    score_level = models.CharField(max_length=20, choices=_choices(RiskLevel))
    graded_level = models.CharField(
        max_length=20, choices=_choices(RiskLevel), blank=True, help_text="Police grading"
    )
    judgement_level = models.CharField(max_length=20, choices=_choices(RiskLevel), blank=True)
    judgement_reasons = models.TextField(blank=True)
    level = models.CharField(max_length=20, choices=_choices(RiskLevel))
    rules_version = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-assessed_on", "-pk"]

    @property
    def risk_level(self) -> RiskLevel:
        return RiskLevel(self.level)


class MaracMeeting(StatefulModel):
    STATES = MeetingState

    marac = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="marac_meetings")
    date = models.DateField()
    status = models.CharField(max_length=20, choices=_choices(MeetingState), default="planned")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-date"]


class Referral(StatefulModel):
    """A case referred to a MARAC, on the criteria met (``dsvb.cases.marac``), with consent
    or the reason for proceeding without it; a repeat records the definition it was judged
    by."""

    STATES = ReferralState

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    marac = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="referrals")
    referring_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    referred_on = models.DateField(default=dt.date.today)
    criteria = models.JSONField(default=list)  # dsvb.cases.marac criterion ids
    concerns = models.TextField(blank=True, help_text="Professional judgement: the concerns")
    is_repeat = models.BooleanField(default=False)
    repeat_definition = models.CharField(max_length=40, blank=True)
    consent = models.CharField(max_length=20, choices=_choices(Consent))
    consent_reason = models.TextField(blank=True, help_text="Why proceeding without consent")
    status = models.CharField(max_length=20, choices=_choices(ReferralState), default="referred")
    meeting = models.ForeignKey(
        MaracMeeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals"
    )
    transferred_to = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="transfers_in"
    )
    status_reason = models.TextField(blank=True)
    external_id = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-referred_on", "-pk"]


class MaracAction(StatefulModel):
    STATES = ActionState

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="actions")
    meeting = models.ForeignKey(MaracMeeting, null=True, blank=True, on_delete=models.SET_NULL)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="marac_actions")
    owner = models.CharField(max_length=150, blank=True, help_text="Person responsible")
    task = models.TextField()
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=_choices(ActionState), default="open")
    done_on = models.DateField(null=True, blank=True)
    status_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["due_on", "pk"]


class Share(StatefulModel):
    """A case's groups shared with one agency, on consent or a legal basis; withdrawn, it
    stays recorded (who could see what, when)."""

    STATES = ShareState

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="shares")
    to_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="shares_in")
    groups = models.JSONField(default=list)  # FieldGroup values
    basis = models.CharField(max_length=20, choices=_choices(ShareBasis))
    legal_basis = models.TextField(blank=True, help_text="e.g. Crime and Disorder Act 1998 s.115")
    consent_recorded_on = models.DateField(null=True, blank=True)
    referral = models.ForeignKey(Referral, null=True, blank=True, on_delete=models.SET_NULL)
    status = models.CharField(max_length=20, choices=_choices(ShareState), default="active")
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    shared_at = models.DateTimeField(default=timezone.now)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-shared_at"]


class EmergencyGrant(models.Model):
    """Break glass: one person's time-limited view of a case not shared with their agency,
    with the reason they gave; the owning agency is alerted (:class:`Alert`)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="emergency_grants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    agency = models.CharField(max_length=200)
    reason = models.TextField()
    opened_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-opened_at"]


class Alert(models.Model):
    """A notice to an agency about its case: someone broke the glass, a share was
    withdrawn, a referral transferred in. Read by the agency's users on their caseload."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="alerts")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE)
    kind = models.CharField(max_length=40)
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["-created_at"]


class CaseNote(models.Model):
    """An agency's own note on a case (seen by that agency only)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]


class VcopEvent(models.Model):
    """An event in the investigation that owes the victim a contact under the Victims'
    Code (an arrest, a charge, a decision not to charge, ...: ``dsvb.cases.vcop``)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="vcop_events")
    kind = models.CharField(max_length=40)
    occurred_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["-occurred_at"]


class VictimContact(models.Model):
    """A contact owed to the victim, its deadline (working days, from the Code in force),
    and when it was made."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="vcop_contacts")
    event = models.ForeignKey(VcopEvent, null=True, blank=True, on_delete=models.CASCADE)
    reason = models.CharField(max_length=40)  # contact type (extract format's, and more)
    edition = models.CharField(max_length=40, blank=True)
    due_at = models.DateTimeField()
    made_at = models.DateTimeField(null=True, blank=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["due_at"]
        constraints = [
            # one row per monthly update owed (two events may owe equal contacts: no such rule)
            models.UniqueConstraint(
                fields=["case", "reason", "due_at"],
                condition=models.Q(reason="update"),
                name="vcop_update_unique",
            )
        ]


class DeletedRecord(models.Model):
    """An imported case deleted after its retention period: its agency and id in the import
    (never a name), so ``dsvb import-cases`` refuses to bring it back from an old export."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="deleted_records")
    external_id = models.CharField(max_length=100)
    deleted_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "external_id"], name="deleted_record_unique")
        ]


# the field group each model's rows belong to (a page shows rows of groups the viewer sees)
FIELD_GROUPS: dict[type[models.Model], FieldGroup] = {
    CaseIncident: FieldGroup.CRIMINAL_JUSTICE,
    Assessment: FieldGroup.RISK,
    Referral: FieldGroup.MARAC,
    MaracAction: FieldGroup.MARAC,
    CaseNote: FieldGroup.NOTES,
    VcopEvent: FieldGroup.VICTIMS_CODE,
    VictimContact: FieldGroup.VICTIMS_CODE,
}


def party_group(party: CaseParty) -> FieldGroup:
    return FieldGroup.PERPETRATOR if party.role == PartyRole.PERPETRATOR else FieldGroup.HOUSEHOLD


def any_model(obj: Any) -> FieldGroup | None:
    """The group of a row of any case model (None: the case itself, shown by its fields)."""
    if isinstance(obj, Address):
        return obj.group
    if isinstance(obj, CaseParty):
        return party_group(obj)
    return FIELD_GROUPS.get(type(obj))


# the field group of each field of a person shown on a case (the rest: identity)
PERSON_FIELDS: dict[str, FieldGroup] = {
    "phone": FieldGroup.CONTACT,
    "email": FieldGroup.CONTACT,
    "safe_contact": FieldGroup.CONTACT,
    "health_notes": FieldGroup.HEALTH,
}
