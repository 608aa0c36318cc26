"""The secretariat's form for the disclosure-control settings."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Field, Size, Submit
from django import forms

from dsvb.reports.disclosure import DEFAULT_PROTECTION_WIDTH, DEFAULT_THRESHOLD, ROUNDING_BASE
from dsvb.web.forms import fields_only
from dsvb.web.public.models import MAX_PROTECTION_WIDTH, MAX_THRESHOLD


class PolicyForm(forms.Form):
    threshold = forms.IntegerField(
        label="Suppression threshold",
        help_text=(
            "Counts of people or crimes from 1 up to this number are withheld below force "
            f"level. The default is {DEFAULT_THRESHOLD}."
        ),
        min_value=1,
        max_value=MAX_THRESHOLD,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        error_messages={
            "required": "Enter a suppression threshold",
            "invalid": "Enter the suppression threshold as a whole number, like 9",
            "min_value": "The suppression threshold must be 1 or more",
            "max_value": f"The suppression threshold must be {MAX_THRESHOLD} or less",
        },
    )
    protection_width = forms.IntegerField(
        label="Protection width",
        help_text=(
            "No withheld count may be narrowed, from everything published, to a range "
            "narrower than this: with 3, working out that a figure is 1 or 2 counts as "
            f"giving it away. The default is {DEFAULT_PROTECTION_WIDTH}."
        ),
        min_value=1,
        max_value=MAX_PROTECTION_WIDTH,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        error_messages={
            "required": "Enter a protection width",
            "invalid": "Enter the protection width as a whole number, like 3",
            "min_value": "The protection width must be 1 or more",
            "max_value": f"The protection width must be {MAX_PROTECTION_WIDTH} or less",
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
            Field.text("protection_width", field_width=3),
            Field.radios("rounding", legend_size=Size.SMALL, inline=True),
            Submit("submit", "Save settings"),
        )


class PublishForm(forms.Form):
    """Publishing the next release: a deliberate act, confirmed."""

    confirm = forms.BooleanField(
        label="I have checked the figures and the release can be published",
        error_messages={"required": "Confirm that the release can be published"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = fields_only(
            Field.checkbox("confirm"),
            Submit("submit", "Publish the release"),
        )
