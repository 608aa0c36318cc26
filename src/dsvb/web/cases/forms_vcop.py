"""Forms of the Victims' Code part: an event in the investigation, a contact made, the
compliance page's period (GOV.UK markup via crispy, :func:`dsvb.web.forms.fields_only`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from crispy_forms_gds.layout import Submit
from django import forms
from django.utils import timezone
from django.utils.dateformat import format as date_format

from dsvb.cases.vcop import EventKind, code_in_force_from
from dsvb.web.forms import fields_only

DATE = forms.DateInput(
    attrs={"type": "date", "class": "govuk-input govuk-input--width-10"}, format="%Y-%m-%d"
)
TIME = forms.TimeInput(
    attrs={"type": "time", "class": "govuk-input govuk-input--width-5"}, format="%H:%M"
)


def _layout(form: forms.Form, label: str) -> None:
    form.helper = fields_only(*form.fields, Submit("submit", label))  # type: ignore[attr-defined]


def _aware(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


class EventForm(forms.Form):
    """An event that owes the victim contacts: its kind, the day and time (London time).
    A date ahead is allowed: a bail return or an interview may be set in advance, and its
    contact falls due from that date."""

    kind = forms.ChoiceField(label="What happened", choices=[(k.value, k.label) for k in EventKind])
    occurred_on = forms.DateField(label="Date", widget=DATE)
    occurred_time = forms.TimeField(label="Time", widget=TIME, help_text="For example, 16:00")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _layout(self, "Record the event")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        day = data.get("occurred_on")
        first = code_in_force_from()
        if day is not None and day < first:
            self.add_error(
                "occurred_on",
                f"The Victims' Code came into force on {date_format(first, 'j F Y')}: "
                "enter a date on or after that day",
            )
            return data
        if day and data.get("occurred_time") is not None:
            data["occurred_at"] = _aware(day, data["occurred_time"])
        return data


class ContactMadeForm(forms.Form):
    """When a contact was made; left empty, now. ``not_before`` (the event the contact
    follows, or the investigation's opening for a monthly update) and ``after_what`` (its
    words) refuse a contact said to be made before the thing it reports."""

    made_on = forms.DateField(label="Date made", widget=DATE, required=False)
    made_time = forms.TimeField(label="Time made", widget=TIME, required=False)

    def __init__(
        self,
        *args: Any,
        not_before: dt.datetime | None = None,
        after_what: str = "the event it follows",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.not_before = not_before
        self.after_what = after_what
        self.helper = fields_only(*self.fields)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        day, time = data.get("made_on"), data.get("made_time")
        if day is None and time is None:
            at = timezone.now()
        elif day is None:
            self.add_error("made_on", "Enter the date the contact was made")
            return data
        else:
            at = _aware(day, time or dt.time(12, 0))
        if at > timezone.now():
            self.add_error("made_on", "The contact cannot have been made in the future")
        elif self.not_before is not None and at < self.not_before:
            when = date_format(timezone.localtime(self.not_before), "j F Y, H:i")
            self.add_error(
                "made_on",
                f"The contact cannot have been made before {self.after_what} ({when})",
            )
        data["made_at"] = at
        return data


class PeriodForm(forms.Form):
    """The compliance page's period: contacts falling due from ``from`` up to, not
    including, ``to``."""

    start = forms.DateField(label="From", widget=DATE, required=False)
    end = forms.DateField(label="To (not included)", widget=DATE, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end <= start:
            self.add_error("end", "The end of the period must be after its start")
        return data
