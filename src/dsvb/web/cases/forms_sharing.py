"""Forms of sharing, emergency access, subject access and retention. The checks are the
domain's (:mod:`dsvb.cases.sharing`); a form turns their refusal into an error in words on
the field it is about."""

from __future__ import annotations

import datetime as dt
from typing import Any

from crispy_forms_gds.layout import Submit
from django import forms

from dsvb.cases.fields import FieldGroup
from dsvb.cases.sharing import ShareRefused, ShareRequest, check_reason, check_share
from dsvb.cases.states import ShareBasis
from dsvb.web.cases.models import Agency, Case
from dsvb.web.forms import fields_only

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ShareForm(forms.Form):
    """A share of ``case`` with one agency (the template lays out the groups with their
    sensitivity and why the recipient needs them)."""

    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        label="Agency to share with",
        error_messages={"required": "Choose the agency to share with"},
    )
    groups = forms.MultipleChoiceField(
        choices=[(g.value, g.label) for g in FieldGroup],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="What to share",
    )
    basis = forms.ChoiceField(
        choices=[
            (ShareBasis.CONSENT.value, "The victim's consent"),
            (ShareBasis.LEGAL_BASIS.value, "A legal basis, without consent"),
        ],
        widget=forms.RadioSelect,
        label="Why sharing is lawful",
        error_messages={"required": "Say whether the share is on consent or a legal basis"},
    )
    consent_recorded_on = forms.DateField(
        required=False, widget=DATE, label="Date the victim's consent was recorded"
    )
    legal_basis = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Legal basis",
        help_text="e.g. Crime and Disorder Act 1998 s.115; the risk of serious harm",
    )

    def __init__(self, *args: Any, case: Case, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        self.today = today
        self.fields["agency"].queryset = Agency.objects.exclude(pk=case.agency_id)
        self.request: ShareRequest | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        agency = data.get("agency")
        if agency is None or "basis" not in data:
            return data
        try:
            self.request = check_share(
                owner=self.case.agency.name,
                recipient=agency.name,
                recipient_kind=agency.kind,
                groups=data.get("groups", []),
                basis=data["basis"],
                legal_basis=data.get("legal_basis", ""),
                consent_recorded_on=data.get("consent_recorded_on"),
                on=self.today,
            )
        except ShareRefused as e:
            text = str(e)
            field = (
                "consent_recorded_on"
                if "consent" in text
                else "legal_basis"
                if "legal basis" in text
                else "groups"
            )
            self.add_error(field, text[:1].upper() + text[1:])
        return data


class ReasonForm(forms.Form):
    """A reason for an act that needs one (withdrawing a share, deleting records)."""

    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Reason",
        error_messages={"required": "Give the reason"},
    )

    def __init__(self, *args: Any, submit: str = "Confirm", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = fields_only(*self.fields, Submit("submit", submit))


DELETION_REASONS = [
    ("no_further_need", "The retention period has passed and nothing requires the records"),
    ("no_open_matter", "No court case, complaint, review or inquiry needs them"),
    ("duplicate", "They duplicate records held elsewhere"),
    ("other", "Another reason (kept by the secretariat outside this service)"),
]
"""Why records past retention are deleted: a code, because the audit log keeps it forever
and cannot be edited -- a sentence typed there could name the very person deleted."""


class DeletionForm(forms.Form):
    """The reason for deleting a case past retention, chosen from :data:`DELETION_REASONS`."""

    reason = forms.ChoiceField(
        label="Why are these records being deleted?",
        choices=DELETION_REASONS,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose why the records are being deleted",
            "invalid_choice": "Choose one of the reasons listed",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = fields_only(*self.fields, Submit("submit", "Delete"))


class BreakGlassForm(forms.Form):
    case_number = forms.IntegerField(
        min_value=1,
        label="Case number",
        error_messages={"required": "Enter the case number", "invalid": "Enter a number"},
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why you need to see this case now",
        help_text="A sentence: the owning agency is told who looked, when and why.",
        error_messages={"required": "Give the reason you need emergency access"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = fields_only(*self.fields, Submit("submit", "See the case now"))

    def clean_reason(self) -> str:
        try:
            return check_reason(self.cleaned_data["reason"])
        except ShareRefused as e:
            text = str(e)
            raise forms.ValidationError(text[:1].upper() + text[1:]) from None


class SubjectAccessForm(forms.Form):
    given_name = forms.CharField(
        max_length=100, error_messages={"required": "Enter the person's given name"}
    )
    family_name = forms.CharField(
        max_length=100, error_messages={"required": "Enter the person's family name"}
    )
    date_of_birth = forms.DateField(
        required=False,
        widget=DATE,
        help_text="If given, only records with exactly this date of birth are included",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = fields_only(*self.fields, Submit("submit", "Search every agency"))
