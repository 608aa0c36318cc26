"""Forms of cases and people: open a case (the victim, the case's details, a first address),
change the details or the victim, add a party, an address, an incident, a note, close and
reopen (GOV.UK markup via crispy, laid out by :func:`dsvb.web.forms.fields_only`).

A person's fields are offered by field group (:data:`dsvb.web.cases.models.PERSON_FIELDS`):
the form for the victim shows the identity, safe-contact and health fields under headings
of their group, so what is shared later is what was entered under that heading.
"""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Fieldset, Submit
from django import forms

from dsvb import reference
from dsvb.cases.fields import FieldGroup
from dsvb.cases.states import PartyRole
from dsvb.web.cases import models as m
from dsvb.web.forms import fields_only

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
#: a yes / no / not known answer, as a GOV.UK select (the value a NullBooleanField reads)
YES_NO = forms.Select(choices=[("", "Not known"), ("True", "Yes"), ("False", "No")])

IDENTITY_FIELDS = [
    "given_name",
    "family_name",
    "other_names",
    "date_of_birth",
    "sex",
    "ethnicity",
    "disabled",
    "lgbt",
]
CONTACT_FIELDS = ["phone", "email", "safe_contact"]
HEALTH_FIELDS = ["health_notes"]
CASE_FIELDS = ["team", "area_code", "domestic_abuse", "sexual_offence", "crime_reference"]

#: why a case was closed: codes only, so the audit entry may name the outcome
CLOSE_OUTCOMES = [
    ("support_completed", "Support completed"),
    ("risk_reduced", "Risk reduced: no further support needed"),
    ("disengaged", "The victim stopped engaging"),
    ("moved_away", "The victim moved out of the area"),
    ("transferred", "Passed to another agency"),
    ("other", "Another reason"),
]


PARTY_LABELS = {
    PartyRole.PERPETRATOR: "Alleged perpetrator",
    PartyRole.CHILD: "Child",
    PartyRole.HOUSEHOLD: "Another member of the household",
}


def area_choices() -> list[tuple[str, str]]:
    return [("", "Not recorded")] + [
        (a.code, a.name) for a in sorted(reference.areas(), key=lambda a: a.name)
    ]


class _Form:
    submit_label = "Save"
    groups: list[tuple[str, list[str]]] = []

    def _layout(self) -> None:
        names = list(self.fields)  # type: ignore[attr-defined]
        if not self.groups:
            self.helper = fields_only(*names, Submit("submit", self.submit_label))
            return
        grouped = [f for _, fs in self.groups for f in fs]
        parts: list[Any] = [f for f in names if f not in grouped]
        parts += [
            Fieldset(*[f for f in fs if f in names], legend=legend)
            for legend, fs in self.groups
            if any(f in names for f in fs)
        ]
        self.helper = fields_only(*parts, Submit("submit", self.submit_label))


class PersonForm(_Form, forms.ModelForm):
    """A victim's record, its fields under the heading of their field group."""

    groups = [
        (FieldGroup.IDENTITY.label, IDENTITY_FIELDS),
        (FieldGroup.CONTACT.label, CONTACT_FIELDS),
        (FieldGroup.HEALTH.label, HEALTH_FIELDS),
    ]

    class Meta:
        model = m.Person
        fields = IDENTITY_FIELDS + CONTACT_FIELDS + HEALTH_FIELDS
        widgets = {
            "date_of_birth": DATE,
            "disabled": YES_NO,
            "lgbt": YES_NO,
            "safe_contact": forms.Textarea(attrs={"rows": 2}),
            "health_notes": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {
            "given_name": "Given name",
            "family_name": "Family name",
            "disabled": "Disabled",
            "lgbt": "Lesbian, gay, bisexual or transgender",
            "phone": "Telephone",
            "email": "E-mail",
            "safe_contact": "When and how it is safe to make contact",
            "health_notes": "Health and support needs",
        }

    def __init__(self, *args: Any, submit: str = "Save", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.submit_label = submit
        self._layout()


class OpenCaseForm(_Form, forms.Form):
    """The case's own details when it is opened (the victim is a :class:`PersonForm`, the
    first address optional)."""

    submit_label = "Open the case"
    agency = forms.ModelChoiceField(
        queryset=m.Agency.objects.none(), label="Agency", help_text="The agency the case belongs to"
    )
    team = forms.CharField(max_length=100, required=False, help_text="For example, IDVA team")
    area_code = forms.ChoiceField(label="Borough", required=False, choices=area_choices)
    domestic_abuse = forms.BooleanField(
        label="Domestic abuse", required=False, initial=True,
        help_text="Domestic abuse and sexual-offence victims receive the Victims' Code's "
        "enhanced service",
    )  # fmt: skip
    sexual_offence = forms.BooleanField(label="Sexual offence", required=False)
    crime_reference = forms.CharField(
        max_length=60, required=False, help_text="The police crime reference, if there is one"
    )
    address_kind = forms.ChoiceField(
        label="First address",
        required=False,
        choices=[("", "No address yet"), ("home", "Home"), ("refuge", "Refuge or safe house")],
        help_text="A refuge's address is shown only to agencies that need it",
    )
    address_lines = forms.CharField(
        label="Address", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    postcode = forms.CharField(max_length=10, required=False)

    def __init__(self, *args: Any, agencies: list[m.Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = m.Agency.objects.filter(pk__in=[a.pk for a in agencies])
        if len(agencies) == 1:
            self.fields["agency"].initial = agencies[0].pk
            self.fields["agency"].widget = forms.HiddenInput()
        self._layout()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("address_kind") and not data.get("address_lines", "").strip():
            self.add_error("address_lines", "Enter the address, or choose no address yet")
        if data.get("address_lines", "").strip() and not data.get("address_kind"):
            self.add_error("address_kind", "Choose whether the address is a home or a refuge")
        return data


class CaseDetailsForm(_Form, forms.ModelForm):
    class Meta:
        model = m.Case
        fields = ["team", "area_code", "opened_on", *CASE_FIELDS[2:]]
        widgets = {"opened_on": DATE}
        labels = {"opened_on": "Opened on", "area_code": "Borough"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area_code"] = forms.ChoiceField(
            label="Borough", required=False, choices=area_choices
        )
        self._layout()


class PartyForm(_Form, forms.Form):
    """Someone else in the case: a new record of the owning agency's (or its existing record
    of the same person: the same names and date of birth)."""

    submit_label = "Add"
    role = forms.ChoiceField(
        label="Who they are",
        choices=[(r.value, PARTY_LABELS[r]) for r in PartyRole],
        widget=forms.RadioSelect,
    )
    given_name = forms.CharField(max_length=100, label="Given name")
    family_name = forms.CharField(max_length=100, label="Family name")
    other_names = forms.CharField(max_length=200, required=False, label="Other names")
    date_of_birth = forms.DateField(required=False, widget=DATE, label="Date of birth")
    sex = forms.ChoiceField(choices=m.Person._meta.get_field("sex").choices, required=False)
    relationship = forms.CharField(
        max_length=100, required=False, help_text="To the victim, for example ex-partner, son"
    )
    in_household = forms.BooleanField(label="Lives in the victim's household", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._layout()


class AddressForm(_Form, forms.ModelForm):
    submit_label = "Add the address"

    class Meta:
        model = m.Address
        fields = ["kind", "lines", "postcode"]
        widgets = {"kind": forms.RadioSelect, "lines": forms.Textarea(attrs={"rows": 3})}
        labels = {"kind": "Kind of address", "lines": "Address"}
        help_texts = {"kind": "A refuge's address is shown only to agencies that need it"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = m.Address.KINDS
        self._layout()


class IncidentForm(_Form, forms.ModelForm):
    submit_label = "Add the incident"

    class Meta:
        model = m.CaseIncident
        fields = ["occurred_on", "kind", "perpetrator", "reported_to_police", "police_reference",
                  "summary"]  # fmt: skip
        widgets = {
            "occurred_on": DATE,
            "kind": forms.RadioSelect,
            "summary": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"occurred_on": "Date of the incident", "kind": "What happened"}

    def __init__(self, *args: Any, perpetrators: list[m.Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = m.CaseIncident.KINDS
        if perpetrators:
            self.fields["perpetrator"].queryset = m.Person.objects.filter(
                pk__in=[p.pk for p in perpetrators]
            )
            self.fields["perpetrator"].label = "Alleged perpetrator"
        else:  # none recorded, or the viewer's agency does not see them
            del self.fields["perpetrator"]
        self._layout()


class NoteForm(_Form, forms.ModelForm):
    submit_label = "Add the note"

    class Meta:
        model = m.CaseNote
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 5})}
        labels = {"text": "Note"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._layout()


class CloseForm(_Form, forms.Form):
    submit_label = "Close the case"
    outcome = forms.ChoiceField(
        label="Why is the case closing?", choices=CLOSE_OUTCOMES, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._layout()


class ReopenForm(_Form, forms.Form):
    submit_label = "Reopen the case"
    reason = forms.CharField(
        label="Why is the case reopening?",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept as a note of your agency's on the case",
        error_messages={"required": "Say why the case is reopening"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._layout()
