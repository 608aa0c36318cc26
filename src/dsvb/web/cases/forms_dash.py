"""The DASH form: one yes / no / not known question per checklist question, grouped by
section (the police checklist's stalking and honour-based violence screening folded away in
``<details>``, optional), the assessment's date, the police grading (police agencies only)
and professional judgement with its reasons. Fields only: the score, the level and whether
a judgement may stand are :func:`dsvb.cases.dash.assess`'s, whose refusals the view puts on
the field they concern."""

from __future__ import annotations

import datetime as dt
from typing import Any

from crispy_forms_gds.layout import HTML, Field, Size, Submit
from django import forms
from django.utils import timezone
from django.utils.html import escape

from dsvb.cases import dash
from dsvb.cases.states import RiskLevel
from dsvb.web.forms import fields_only

SCREENING = ("stalking", "hbv")
LEVEL_CHOICES = [(r.value, r.value.capitalize()) for r in RiskLevel]
PREFIX = "q_"


def question_field(question_id: str) -> str:
    return f"{PREFIX}{question_id}"


class AssessmentForm(forms.Form):
    assessed_on = forms.DateField(
        label="Date of the assessment",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    graded = forms.ChoiceField(
        label="Police grading of the risk",
        required=False,
        choices=[("", "Not graded"), *LEVEL_CHOICES],
        widget=forms.RadioSelect,
        help_text="Standard: no current evidence of likely serious harm. Medium: identifiable "
        "indicators; harm unlikely unless circumstances change. High: harm could happen at "
        "any time, with serious impact.",
    )
    judgement = forms.ChoiceField(
        label="Professional judgement",
        required=False,
        choices=[("", "Keep the level the checklist gives"), *LEVEL_CHOICES],
        widget=forms.RadioSelect,
        help_text="Judgement may raise the level, never lower it.",
    )
    reasons = forms.CharField(
        label="Reasons for the grading or judgement",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Needed when the grading or judgement raises the level above the score's.",
    )

    def __init__(
        self,
        *args: Any,
        checklist: dash.Checklist,
        day: dt.date,
        police: bool,
        wording: dict[tuple[str, str], str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.checklist = checklist
        self.day = day
        self.police = police
        wording = wording or {}
        layout: list[Any] = [Field.text("assessed_on", field_width=10)]
        for section, questions in checklist.sections(day):
            screening = section in SCREENING
            heading = escape(dash.SECTIONS[section])
            if screening:
                answered = any(self.data.get(question_field(q.id)) for q in questions)
                layout.append(
                    HTML(
                        f'<details class="govuk-details"{" open" if answered else ""}>'
                        f'<summary class="govuk-details__summary"><span class="govuk-details__'
                        f'summary-text">{heading} (optional, not in the score)</span></summary>'
                        '<div class="govuk-details__text">'
                    )
                )
            else:
                layout.append(HTML(f'<h2 class="govuk-heading-m">{heading}</h2>'))
            for q in questions:
                name = question_field(q.id)
                self.fields[name] = forms.ChoiceField(
                    label=f"{q.number}. {wording.get((checklist.id, q.id), q.label)}",
                    choices=list(dash.ANSWERS.items()),
                    widget=forms.RadioSelect,
                    required=not screening,
                    error_messages={
                        "required": f"Answer question {q.number}: yes, no or not known"
                    },
                )
                layout.append(Field.radios(name, legend_size=Size.SMALL, inline=True, small=True))
            if screening:
                layout.append(HTML("</div></details>"))
        layout.append(HTML('<h2 class="govuk-heading-m">The level of risk</h2>'))
        if police:
            layout.append(Field.radios("graded", legend_size=Size.SMALL, small=True))
        else:
            del self.fields["graded"]
        layout += [
            Field.radios("judgement", legend_size=Size.SMALL, small=True),
            Field.textarea("reasons"),
            Submit("save", "Save the assessment"),
        ]
        self.helper = fields_only(*layout)

    def clean_assessed_on(self) -> dt.date:
        day = self.cleaned_data["assessed_on"]
        today = timezone.localdate()
        if day > today:
            raise forms.ValidationError(
                f"The assessment cannot be dated after today ({today:%-d %B %Y})"
            )
        return day

    def answers(self) -> dict[str, str]:
        """Question id -> answer, the questions answered only."""
        return {
            q.id: self.cleaned_data[question_field(q.id)]
            for q in self.checklist.on(self.cleaned_data.get("assessed_on") or self.day)
            if self.cleaned_data.get(question_field(q.id))
        }

    def level(self, name: str) -> RiskLevel | None:
        value = self.cleaned_data.get(name) or ""
        return RiskLevel(value) if value else None
