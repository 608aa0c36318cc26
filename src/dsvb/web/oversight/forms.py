"""Forms of the cycle's planning and papers: members, meetings, attendance, the planner's
cycles and past reviews, briefs and their template, borough report uploads, and the reasons
a state move needs (GOV.UK markup via crispy, laid out by :func:`dsvb.web.forms.fields_only`).
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from crispy_forms_gds.layout import Submit
from django import forms
from django.core.files.uploadedfile import UploadedFile

from dsvb.oversight.reading import SUFFIXES
from dsvb.oversight.states import Attendance, ReportKind
from dsvb.web.forms import fields_only
from dsvb.web.oversight import models as m

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
#: a borough report's largest size: reports are documents of a few dozen pages
REPORT_MAX_BYTES = 20 * 1024 * 1024


class _Form:
    submit_label = "Save"

    def _layout(self) -> None:
        self.helper = fields_only(*self.fields, Submit("submit", self.submit_label))  # type: ignore[attr-defined]


class MemberForm(_Form, forms.ModelForm):
    class Meta:
        model = m.Member
        fields = ["name", "organisation", "role", "email", "joined", "left"]
        widgets = {"joined": DATE, "left": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._layout()


class MeetingForm(_Form, forms.ModelForm):
    """A meeting and the boroughs it invites (each one a Session)."""

    boroughs = forms.MultipleChoiceField(
        label="Boroughs invited",
        required=False,
        choices=m._area_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="A borough with a brief already cannot be taken off here",
    )

    class Meta:
        model = m.Meeting
        fields = ["date", "starts_at", "kind", "title", "location", "agenda", "units"]
        widgets = {"date": DATE, "starts_at": forms.TimeInput(attrs={"type": "time"})}
        labels = {"starts_at": "Starts at", "title": "Title or theme"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["boroughs"].initial = self.instance.area_codes
        self._layout()


class AttendeeForm(_Form, forms.Form):
    submit_label = "Record"
    member = forms.ModelChoiceField(
        queryset=m.Member.objects.all(), required=False, help_text="Or a guest's name below"
    )
    name = forms.CharField(max_length=200, required=False, label="Guest's name")
    organisation = forms.CharField(max_length=200, required=False)
    attendance = forms.ChoiceField(choices=m._choices(Attendance))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._layout()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("member") and not (data.get("name") or "").strip():
            raise forms.ValidationError("Choose a member or give a guest's name")
        return data


class ReasonForm(_Form, forms.Form):
    """A state move's reason (cancelling a meeting, withdrawing a brief)."""

    reason = forms.CharField(max_length=300, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, submit: str = "Confirm", required: bool = True, **kw: Any):
        super().__init__(*args, **kw)
        self.fields["reason"].required = required
        self.submit_label = submit
        self._layout()


class ConfirmForm(_Form, forms.Form):
    def __init__(self, *args: Any, submit: str = "Confirm", **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.submit_label = submit
        self._layout()


class CycleForm(_Form, forms.ModelForm):
    class Meta:
        model = m.Cycle
        fields = ["name", "starts", "ends"]
        widgets = {"starts": DATE, "ends": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._layout()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("starts") and data.get("ends") and data["ends"] <= data["starts"]:
            raise forms.ValidationError("A cycle ends after it starts")
        return data


class PastReviewForm(_Form, forms.ModelForm):
    class Meta:
        model = m.PastReview
        fields = ["area_code", "date", "note"]
        widgets = {"date": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._layout()


class PlanChangeForm(_Form, forms.Form):
    """The secretariat's own choice of boroughs for each coming meeting (one field each)."""

    submit_label = "Save these boroughs"

    def __init__(self, *args: Any, meetings: list, initial_codes: dict, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for meeting in meetings:
            self.fields[f"meeting_{meeting.pk}"] = forms.MultipleChoiceField(
                label=str(meeting),
                required=False,
                choices=m._area_choices,
                initial=initial_codes.get(meeting.pk, []),
                widget=forms.CheckboxSelectMultiple,
            )
        self._layout()


class BriefForm(_Form, forms.ModelForm):
    class Meta:
        model = m.Brief
        fields = [
            "period_start",
            "period_end",
            "draft_due",
            "final_due",
            "length_limit",
            "contacts",
            "published",
        ]
        widgets = dict.fromkeys(("period_start", "period_end", "draft_due", "final_due"), DATE)

    def __init__(self, *args: Any, meeting_date: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.meeting_date = meeting_date
        self._layout()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The period's last day is after its first")
        draft, final = data.get("draft_due"), data.get("final_due")
        if draft and final and final < draft:
            self.add_error("final_due", "The final report is due on or after the draft")
        if final and self.meeting_date and final > self.meeting_date:
            self.add_error("final_due", "The final report is due on or before the meeting")
        return data


class BriefTemplateForm(_Form, forms.Form):
    submit_label = "Save the template"
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 30}),
        label="Template",
        help_text="Sections as '## B2: Title'; the brief's figures (B1) are filled in from data",
    )

    def __init__(self, *args: Any, year: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.year = year
        self._layout()

    def clean_text(self) -> str:
        from dsvb.web.oversight import papers

        text = self.cleaned_data["text"]
        problem = papers.template_problem(text, self.year)
        if problem:
            raise forms.ValidationError(problem)
        return text


class ReportUploadForm(_Form, forms.Form):
    submit_label = "Upload the report"
    kind = forms.ChoiceField(choices=m._choices(ReportKind), widget=forms.RadioSelect)
    file = forms.FileField(
        label="Report",
        help_text=f"A Word document (.docx), PDF or text file ({', '.join(SUFFIXES)})",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._layout()

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        suffix = PurePath(upload.name or "").suffix.lower()
        if suffix not in SUFFIXES:
            raise forms.ValidationError(
                f"{upload.name} is not a report dsvb can read: use {', '.join(SUFFIXES)}"
            )
        if upload.size is not None and upload.size > REPORT_MAX_BYTES:
            raise forms.ValidationError(
                f"{upload.name} is {upload.size // (1024 * 1024)} MB: a report must be smaller "
                f"than {REPORT_MAX_BYTES // (1024 * 1024)} MB"
            )
        if not upload.size:
            raise forms.ValidationError(f"{upload.name} is empty")
        return upload
