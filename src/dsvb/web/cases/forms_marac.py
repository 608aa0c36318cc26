"""Forms of the MARAC part: a referral (criteria, consent or the reason to go without), a
meeting, an action, an action's update, a transfer, the return's period and inputs."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Submit
from django import forms

from dsvb.cases.marac import Criterion
from dsvb.cases.states import ActionState, Consent
from dsvb.web.cases.models import Agency
from dsvb.web.forms import fields_only

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

CONSENT_CHOICES = [
    (Consent.GIVEN.value, "Given"),
    (Consent.NOT_GIVEN.value, "Not given: proceeding without it"),
    (Consent.NOT_SOUGHT.value, "Not sought: seeking it would raise the risk"),
]


class _Form:
    submit_label = "Save"

    def _layout(self) -> None:
        self.helper = fields_only(*self.fields, Submit("submit", self.submit_label))  # type: ignore[attr-defined]


class ReferralForm(_Form, forms.Form):
    submit_label = "Refer to the MARAC"
    marac = forms.ModelChoiceField(queryset=Agency.objects.none(), label="MARAC", empty_label=None)
    criteria = forms.MultipleChoiceField(
        choices=[(c.value, c.label) for c in Criterion],
        widget=forms.CheckboxSelectMultiple,
        label="Criteria met",
        error_messages={"required": "Choose at least one criterion"},
    )
    concerns = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        label="Concerns",
        help_text="Needed for professional judgement: what makes the risk high",
    )
    consent = forms.ChoiceField(
        choices=CONSENT_CHOICES, widget=forms.RadioSelect, label="The victim's consent"
    )
    consent_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Why the referral proceeds without consent",
    )

    def __init__(self, *args: Any, maracs: list[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["marac"].queryset = Agency.objects.filter(pk__in=[m.pk for m in maracs])
        order = {m.pk: i for i, m in enumerate(maracs)}
        self.fields["marac"].choices = [
            (m.pk, m.name) for m in sorted(maracs, key=lambda m: order[m.pk])
        ]
        self._layout()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (
            Criterion.PROFESSIONAL_JUDGEMENT in data.get("criteria", [])
            and not (data.get("concerns") or "").strip()
        ):
            self.add_error("concerns", "Give the concerns behind the professional judgement")
        consent = data.get("consent")
        if consent and consent != Consent.GIVEN and not (data.get("consent_reason") or "").strip():
            self.add_error(
                "consent_reason", "Give the reason for referring without the victim's consent"
            )
        return data


class MeetingForm(_Form, forms.Form):
    submit_label = "Plan the meeting"
    date = forms.DateField(widget=DATE, label="Date of the meeting")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._layout()


class ActionForm(_Form, forms.Form):
    submit_label = "Record the action"
    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label="Agency")
    owner = forms.CharField(max_length=150, label="Person responsible")
    task = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Action")
    due_on = forms.DateField(widget=DATE, label="Due by")

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        self._layout()


class ActionUpdateForm(_Form, forms.Form):
    submit_label = "Update the action"
    status = forms.ChoiceField(
        choices=[
            (ActionState.OPEN.value, "Open"),
            (ActionState.DONE.value, "Done"),
            (ActionState.DROPPED.value, "Dropped"),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Needed when an action is dropped or reopened",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._layout()


class TransferForm(_Form, forms.Form):
    submit_label = "Transfer the referral"
    to = forms.ModelChoiceField(queryset=Agency.objects.none(), label="To the MARAC")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), help_text="For example: the victim moved"
    )

    def __init__(self, *args: Any, targets: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = targets
        self._layout()


class ReturnForm(_Form, forms.Form):
    submit_label = "Show the return"
    start = forms.DateField(widget=DATE, label="From")
    end = forms.DateField(widget=DATE, label="To")
    women = forms.IntegerField(
        min_value=1, required=False, label="Adult women (16+) in the area",
        help_text="For the volume of cases a year per 10,000 against the benchmark",
    )  # fmt: skip
    idva_fte = forms.DecimalField(
        min_value=0.1, max_digits=6, decimal_places=2, required=False,
        label="Full-time IDVAs", help_text="For referrals a year per IDVA against the benchmark",
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._layout()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "The end must be on or after the start")
        return data
