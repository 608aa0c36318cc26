"""The secretariat's form for the disclosure-control settings."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Field, Size, Submit
from django import forms

from dsvb.reports.disclosure import ROUNDING_BASE
from dsvb.web.forms import fields_only
from dsvb.web.public.models import MAX_THRESHOLD


class PolicyForm(forms.Form):
    threshold = forms.IntegerField(
        label="Suppression threshold",
        help_text=(
            "Counts of people or crimes from 1 up to this number are withheld below force "
            "level. The default is 7."
        ),
        min_value=1,
        max_value=MAX_THRESHOLD,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        error_messages={
            "required": "Enter a suppression threshold",
            "invalid": "Enter the suppression threshold as a whole number, like 7",
            "min_value": "The suppression threshold must be 1 or more",
            "max_value": f"The suppression threshold must be {MAX_THRESHOLD} or less",
        },
    )
    rounding = forms.TypedChoiceField(
        label=f"Round other counts to the nearest {ROUNDING_BASE}?",
        help_text="Totals and rates are then worked out from the rounded counts.",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={
            "required": f"Select whether to round counts to the nearest {ROUNDING_BASE}"
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = fields_only(
            Field.text("threshold", field_width=3),
            Field.radios("rounding", legend_size=Size.SMALL, inline=True),
            Submit("submit", "Save settings"),
        )
