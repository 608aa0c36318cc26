"""Forms of the cycle after a session: minutes, actions, findings, letters, follow-ups,
recommendations and the annual report. Fields only: what a value means and whether a move is
allowed is decided in :mod:`dsvb.oversight` (states, register) and by the views' guards."""

from __future__ import annotations

import datetime as dt
from typing import Any

from crispy_forms_gds.layout import Field, Size, Submit
from django import forms

from dsvb.oversight.states import ActionStatus, RecommendationStatus, ResponseStatus
from dsvb.web.forms import fields_only
from dsvb.web.oversight import models as m

MINUTES_SUFFIXES = (".txt", ".md", ".docx")
MAX_MINUTES_BYTES = 5 * 1024 * 1024


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MinutesForm(forms.Form):
    """Minutes typed or pasted, or a file to import (one of the two)."""

    text = forms.CharField(
        label="Minutes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="Number the paragraphs (1., 2., ...). Write actions as the minutes do: "
        "'Action: Board staff to ...'.",
    )
    upload = forms.FileField(
        label="Or import a file (.txt, .md or .docx)",
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = fields_only(
            Field.textarea("text", label_size=Size.SMALL),
            Field("upload", context={"label_size": Size.for_label("s")}),
            Submit("preview", "Preview the paragraphs and actions"),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        upload = cleaned.get("upload")
        text = (cleaned.get("text") or "").strip()
        if upload is None and not text:
            raise forms.ValidationError("Enter the minutes or choose a file to import")
        if upload is not None:
            name = upload.name or "minutes"
            if not name.lower().endswith(MINUTES_SUFFIXES):
                self.add_error("upload", f"{name} is not a .txt, .md or .docx file")
            elif upload.size > MAX_MINUTES_BYTES:
                self.add_error("upload", f"{name} is larger than 5 MB")
        return cleaned


class ParagraphForm(forms.ModelForm):
    class Meta:
        model = m.Paragraph
        fields = ["heading", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = fields_only(
            Field.text("heading"),
            Field.textarea("text"),
            Submit("save", "Save the paragraph"),
        )


class ApproveMinutesForm(forms.Form):
    approved_at_meeting = forms.ModelChoiceField(
        label="Approved at the meeting of",
        queryset=m.Meeting.objects.none(),
        required=False,
        empty_label="(not recorded)",
    )

    def __init__(self, *args: Any, meeting: m.Meeting | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        later = m.Meeting.objects.exclude(status="cancelled")
        if meeting is not None:
            later = later.filter(date__gt=meeting.date)
        self.fields["approved_at_meeting"].queryset = later  # type: ignore[attr-defined]
        self.helper = fields_only(
            Field.select("approved_at_meeting"), Submit("approve", "Approve the minutes")
        )


class ActionStatusForm(forms.Form):
    """The board moves an action's status (with a note; a reason where the move needs one)."""

    status = forms.ChoiceField(label="Status", choices=[(s.value, s.value) for s in ActionStatus])
    due = forms.DateField(label="Due", required=False, widget=_date_input())
    note = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = m._choices(ActionStatus)  # type: ignore[attr-defined]
        self.helper = fields_only(
            Field.select("status"),
            Field.text("due", field_width=10),
            Field.textarea("note"),
            Submit("update", "Update the action"),
        )


class ProgressForm(forms.Form):
    """A borough reports progress on its own action."""

    note = forms.CharField(
        label="Progress", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = fields_only(Field.textarea("note"), Submit("report", "Report progress"))


def finding_themes() -> list[tuple[str, str]]:
    """The findings rules' themes (one list: :data:`dsvb.oversight.findings.THEMES`)."""
    from dsvb.oversight.findings import THEMES

    return [("", "No theme"), *THEMES.items()]


class FindingForm(forms.ModelForm):
    theme = forms.ChoiceField(label="Theme", required=False, choices=finding_themes)

    class Meta:
        model = m.Finding
        fields = ["kind", "theme", "text"]
        widgets = {"kind": forms.RadioSelect, "text": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = fields_only(
            Field.radios("kind", legend_size=Size.SMALL, inline=True),
            Field.select("theme"),
            Field.textarea("text"),
            Submit("save", "Save the finding"),
        )


class LetterForm(forms.ModelForm):
    class Meta:
        model = m.Letter
        fields = ["date", "reference", "addressee", "signatories"]
        widgets = {"date": _date_input(), "signatories": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"signatories": "One per line: name, then a comma and the title"}

    def __init__(self, *args: Any, meeting_date: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.meeting_date = meeting_date
        self.helper = fields_only(
            Field.text("date", field_width=10),
            Field.text("reference"),
            Field.text("addressee"),
            Field.textarea("signatories"),
            Submit("save", "Save the letter"),
        )

    def clean_date(self) -> dt.date:
        day = self.cleaned_data["date"]
        if self.meeting_date is not None and day < self.meeting_date:
            raise forms.ValidationError(
                f"The letter follows the session: date it on or after {self.meeting_date:%-d %B %Y}"
            )
        return day


class ResponseForm(forms.Form):
    """A borough's answer to one follow-up item."""

    response = forms.CharField(
        label="Response", widget=forms.Textarea(attrs={"rows": 4}), max_length=10000
    )
    response_status = forms.ChoiceField(
        label="Is the item answered?",
        choices=[
            (s.value, s.value.replace("_", " ").capitalize())
            for s in ResponseStatus
            if s is not ResponseStatus.AWAITED
        ],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = fields_only(
            Field.textarea("response"),
            Field.radios("response_status", legend_size=Size.SMALL, inline=True),
            Submit("answer", "Save the response"),
        )


class FollowUpBoardForm(forms.ModelForm):
    class Meta:
        model = m.Letter
        fields = ["follow_up_due", "follow_up_meeting", "follow_up_received"]
        widgets = {"follow_up_due": _date_input(), "follow_up_received": _date_input()}
        labels = {
            "follow_up_due": "Follow-up report due",
            "follow_up_meeting": "Follow-up session",
            "follow_up_received": "Follow-up report received on",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = fields_only(
            Field.text("follow_up_due", field_width=10),
            Field.select("follow_up_meeting"),
            Field.text("follow_up_received", field_width=10),
            Submit("follow_up", "Save the follow-up"),
        )


class RecommendationForm(forms.ModelForm):
    class Meta:
        model = m.Recommendation
        fields = ["year", "text", "owner", "theme"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = fields_only(
            Field.text("year", field_width=4),
            Field.textarea("text"),
            Field.text("owner"),
            Field.text("theme"),
            Submit("add", "Add the recommendation"),
        )


class RecommendationUpdateForm(forms.Form):
    on = forms.DateField(label="Date", widget=_date_input())
    status = forms.ChoiceField(label="Status")
    text = forms.CharField(label="Update", widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(
        label="Why it is reopened", required=False, help_text="Needed when it was complete"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = m._choices(RecommendationStatus)  # type: ignore[attr-defined]
        self.helper = fields_only(
            Field.text("on", field_width=10),
            Field.select("status"),
            Field.textarea("text"),
            Field.text("reason"),
            Submit("update", "Add the update"),
        )


class AnnualReportForm(forms.Form):
    """The report's period, the secretariat's texts, one per theme, and the critical success
    factors."""

    period_start = forms.DateField(label="Period from", widget=_date_input())
    period_end = forms.DateField(
        label="Period to",
        widget=_date_input(),
        help_text="The report's figures are for these months (the last day of the last month)",
    )
    success_factors = forms.CharField(
        label="Critical success factors",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One per paragraph: a title line, then its text (a blank line between)",
    )

    def __init__(self, *args: Any, themes: tuple[tuple[str, str], ...] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        layout = []
        for key, label in themes:
            self.fields[f"theme_{key}"] = forms.CharField(
                label=label,
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text="One finding per paragraph (a blank line between)",
            )
            layout.append(Field.textarea(f"theme_{key}", label_size=Size.SMALL))
        self.theme_keys = [key for key, _ in themes]
        if self.is_bound and not (self.data.get("period_start") or self.data.get("period_end")):
            # a post of the texts alone keeps the stored period
            for name in ("period_start", "period_end"):
                self.fields[name].required = False
        self.helper = fields_only(
            Field.text("period_start", field_width=10),
            Field.text("period_end", field_width=10),
            *layout,
            Field.textarea("success_factors", label_size=Size.SMALL),
            Submit("save", "Save the texts"),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The period ends after it starts")
        return cleaned


class AnnualReportNewForm(forms.Form):
    year = forms.IntegerField(label="Year", min_value=2000, max_value=2100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = fields_only(Field.text("year", field_width=4), Submit("start", "Start"))

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if m.AnnualReport.objects.filter(year=year).exists():
            raise forms.ValidationError(f"There is already an annual report for {year}")
        return year
