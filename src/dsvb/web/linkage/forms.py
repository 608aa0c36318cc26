"""The split-a-link form: which records (a group: one person's records moved out together),
why (a sentence: :func:`dsvb.linkage.review.check_reason`)
and a confirmation that the records were checked."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Submit
from django import forms

from dsvb.linkage.review import SplitRefused, check_reason
from dsvb.web.forms import fields_only


class SplitForm(forms.Form):
    records = forms.MultipleChoiceField(
        label="Which records are another person?",
        help_text="Tick every record of the other person: they move out together, keep one "
        "person key between them, and are kept apart only from the records left here.",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose the records to split off"},
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why these records are not the same person",
        help_text="A sentence another analyst can check later. It is kept with the split in "
        "the store; the audit log records the split, not these words.",
        error_messages={"required": "Give the reason these records are not the same person"},
    )
    confirm = forms.BooleanField(
        label="I have checked these records and they are not the same person",
        error_messages={"required": "Confirm that you have checked the records"},
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["records"].choices = choices
        self.helper = fields_only(*self.fields, Submit("submit", "Split the records off"))

    def clean_records(self) -> list[str]:
        chosen = self.cleaned_data["records"]
        if len(chosen) >= len(self.fields["records"].choices):
            raise forms.ValidationError(
                "Leave at least one record with this person: tick only the other person's"
            )
        return chosen

    def clean_reason(self) -> str:
        try:
            return check_reason(self.cleaned_data["reason"])
        except SplitRefused as e:
            text = str(e)
            raise forms.ValidationError(text[:1].upper() + text[1:]) from None
