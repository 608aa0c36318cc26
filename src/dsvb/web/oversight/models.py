"""The board's cycle, stored: members, meetings, briefs, borough reports, minutes, actions,
findings, letters, follow-up responses, recommendations and annual reports.

Thin: the rules live in :mod:`dsvb.oversight` (deadlines, states and their moves, who may
see what, the findings rules, the documents). Each model turns itself into the plain object
those rules are asked about (:meth:`access_object`), and changes its state only through
:meth:`move_to` (the one set of allowed moves, :func:`dsvb.oversight.states.move`).
Documents sent (a brief, a letter) are kept as sent -- the PDF and DOCX bytes -- so what the
borough received can always be shown again, whatever the data say later.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from dsvb import reference
from dsvb.access.model import AreaRef
from dsvb.oversight import deadlines
from dsvb.oversight.access import CycleObject
from dsvb.oversight.due import past_due
from dsvb.oversight.states import (
    ActionStatus,
    Attendance,
    BriefStatus,
    FindingKind,
    FindingStatus,
    LetterStatus,
    MeetingKind,
    MeetingStatus,
    MinutesStatus,
    RecommendationStatus,
    ReportKind,
    ReportStatus,
    ResponseStatus,
    move,
)


def _choices(enum: type[StrEnum]) -> list[tuple[str, str]]:
    return [(e.value, getattr(e, "label", e.value.replace("_", " ").capitalize())) for e in enum]


def _area_choices() -> list[tuple[str, str]]:
    return [(a.code, a.name) for a in sorted(reference.areas(), key=lambda a: a.name)]


def area_name(code: str) -> str:
    try:
        return reference.areas().by_code(code).name
    except KeyError:
        return code


class StatefulModel(models.Model):
    """A model with a typed ``status``: changed by :meth:`move_to` only, by the moves of its
    domain (``MOVE``: the cycle's :func:`~dsvb.oversight.states.move` here; the partnership
    cases' models set their own)."""

    STATES: type[StrEnum]
    MOVE = staticmethod(move)

    class Meta:
        abstract = True

    @property
    def state(self) -> StrEnum:
        return self.STATES(self.status)

    def move_to(self, to: StrEnum | str, *, reason: str = "") -> None:
        """Change the state if the move is allowed (else ``InvalidMove``); the caller saves
        and audits."""
        self.status = self.MOVE(self.state, self.STATES(to), reason=reason).value


# --- the board --------------------------------------------------------------------------------


class Member(models.Model):
    """A member of the board, their organisation and their part in it (co-chair, member,
    adviser); linked to an account when they sign in."""

    name = models.CharField(max_length=200)
    organisation = models.CharField(max_length=200)
    role = models.CharField(
        max_length=40,
        choices=[("co_chair", "Co-chair"), ("member", "Member"), ("adviser", "Adviser")],
        default="member",
    )
    email = models.EmailField(blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    joined = models.DateField(null=True, blank=True)
    left = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.organisation}"

    def serving_on(self, day: dt.date) -> bool:
        return (self.joined is None or self.joined <= day) and (
            self.left is None or day <= self.left
        )


class Cycle(models.Model):
    """A review cycle: every borough reviewed once between ``starts`` and ``ends``."""

    name = models.CharField(max_length=100, unique=True)
    starts = models.DateField()
    ends = models.DateField()

    class Meta:
        ordering = ["-starts"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def current(cls, day: dt.date | None = None) -> Cycle | None:
        day = day or timezone.localdate()
        return cls.objects.filter(starts__lte=day, ends__gte=day).first()


class Meeting(StatefulModel):
    STATES = MeetingStatus

    date = models.DateField()
    starts_at = models.TimeField(default=dt.time(14, 0))
    kind = models.CharField(max_length=40, choices=_choices(MeetingKind))
    title = models.CharField(max_length=300, blank=True, help_text="The theme of a thematic one")
    location = models.CharField(max_length=300, blank=True)
    status = models.CharField(
        max_length=20, choices=_choices(MeetingStatus), default=MeetingStatus.PLANNED.value
    )
    agenda = models.TextField(blank=True, help_text="One item per line")
    units = models.CharField(
        max_length=300, blank=True, help_text="Units invited beside the boroughs (SCD2 teams)"
    )
    status_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date:%-d %B %Y}" + (
            f": {self.title}" if self.title else ""
        )

    @property
    def area_codes(self) -> list[str]:
        return [s.area_code for s in self.sessions.all()]

    @property
    def agenda_items(self) -> list[str]:
        return [line.strip() for line in self.agenda.splitlines() if line.strip()]

    def next_meeting(self) -> Meeting | None:
        return (
            Meeting.objects.filter(date__gt=self.date)
            .exclude(status=MeetingStatus.CANCELLED.value)
            .order_by("date")
            .first()
        )

    def previous_meeting(self) -> Meeting | None:
        return (
            Meeting.objects.filter(date__lt=self.date)
            .exclude(status=MeetingStatus.CANCELLED.value)
            .order_by("-date")
            .first()
        )


class Attendee(models.Model):
    """Who was at a meeting, sent apologies, or was invited to present."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT)
    name = models.CharField(max_length=200, blank=True, help_text="A guest's name")
    organisation = models.CharField(max_length=200, blank=True)
    attendance = models.CharField(max_length=20, choices=_choices(Attendance))

    class Meta:
        ordering = ["attendance", "name"]

    @property
    def display_name(self) -> str:
        return self.member.name if self.member else self.name

    @property
    def display_organisation(self) -> str:
        return self.member.organisation if self.member else self.organisation


class Session(models.Model):
    """A borough invited to a meeting: the unit the brief, the report, the findings, the
    letter and the follow-up belong to. A held session is the borough's review."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="sessions")
    area_code = models.CharField("borough", max_length=16, choices=_area_choices)
    planned_reason = models.TextField(
        blank=True, help_text="The planner's reasons when the proposal was accepted"
    )

    class Meta:
        ordering = ["meeting__date", "area_code"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "area_code"], name="one_session_per_area")
        ]

    def __str__(self) -> str:
        return f"{self.area_name} at the {self.meeting}"

    @property
    def area_name(self) -> str:
        return area_name(self.area_code)


class PastReview(models.Model):
    """A review held before dsvb (the planner counts from it): a borough and a date."""

    area_code = models.CharField("borough", max_length=16, choices=_area_choices)
    date = models.DateField()
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-date"]


# --- briefs and reports -----------------------------------------------------------------------


class BriefTemplate(models.Model):
    """The brief's sections B2-B5 for a year, as the secretariat edited them (Markdown-ish
    text read by :mod:`dsvb.oversight.brief`); with none, the 2010 brief."""

    year = models.PositiveSmallIntegerField(unique=True)
    text = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-year"]


class Brief(StatefulModel):
    STATES = BriefStatus

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="brief")
    period_start = models.DateField(help_text="First day of the data period")
    period_end = models.DateField(help_text="Last day of the data period")
    sent_on = models.DateField(null=True, blank=True)
    draft_due = models.DateField()
    final_due = models.DateField()
    length_limit = models.CharField(max_length=100, default="No more than 20 pages")
    contacts = models.TextField(blank=True, help_text="One per line")
    published = models.BooleanField(
        default=False, help_text="Published briefs show figures under disclosure control"
    )
    status = models.CharField(
        max_length=20, choices=_choices(BriefStatus), default=BriefStatus.DRAFT.value
    )
    status_reason = models.CharField(max_length=300, blank=True)
    # as sent
    sent_pdf = models.BinaryField(null=True, blank=True, editable=False)
    sent_docx = models.BinaryField(null=True, blank=True, editable=False)
    sent_html = models.TextField(blank=True, editable=False)

    def __str__(self) -> str:
        return f"Brief for {self.session}"

    @classmethod
    def defaults_for(cls, meeting_date: dt.date) -> dict[str, Any]:
        dates = deadlines.brief_dates(meeting_date)
        return {"draft_due": dates.draft_due, "final_due": dates.final_due}

    @property
    def area_code(self) -> str:
        return self.session.area_code

    def access_object(self) -> CycleObject:
        return CycleObject(
            "brief",
            str(self.pk),
            owner_area=self.area_code,
            state=self.status,
            # a brief withdrawn before it was ever sent was never the borough's to see
            board_only=self.status == BriefStatus.DRAFT.value
            or (self.status == BriefStatus.WITHDRAWN.value and self.sent_on is None),
        )


class BoroughReport(models.Model):
    """One version of a borough's report against its brief (every upload kept), with the
    check of the figures it states (``dsvb.oversight.report_check``) as JSON."""

    brief = models.ForeignKey(Brief, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(max_length=10, choices=_choices(ReportKind))
    version = models.PositiveSmallIntegerField()
    file_name = models.CharField(max_length=255)
    content = models.BinaryField()
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.CharField(max_length=150)
    check_result = models.JSONField(null=True, blank=True)
    check_error = models.TextField(blank=True)

    class Meta:
        ordering = ["brief", "-uploaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["brief", "kind", "version"], name="one_version")
        ]

    def access_object(self) -> CycleObject:
        return CycleObject("report", str(self.pk), owner_area=self.brief.area_code, state=self.kind)

    @property
    def late(self) -> bool:
        due = self.brief.final_due if self.kind == ReportKind.FINAL else self.brief.draft_due
        return past_due(due, timezone.localtime(self.uploaded_at).date())

    @classmethod
    def next_version(cls, brief: Brief, kind: str) -> int:
        last = cls.objects.filter(brief=brief, kind=kind).aggregate(models.Max("version"))
        return (last["version__max"] or 0) + 1


# --- minutes and actions ----------------------------------------------------------------------


class Minutes(StatefulModel):
    STATES = MinutesStatus

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="minutes")
    status = models.CharField(
        max_length=20, choices=_choices(MinutesStatus), default=MinutesStatus.DRAFT.value
    )
    source_name = models.CharField(max_length=255, blank=True, help_text="Imported from")
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.CharField(max_length=150, blank=True)
    approved_at_meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="approved_minutes"
    )

    def access_object(self) -> CycleObject:
        return CycleObject(
            "minutes",
            str(self.pk),
            shared_with=frozenset(AreaRef(c) for c in self.meeting.area_codes),
            state=self.status,
            board_only=self.status == MinutesStatus.DRAFT.value,
        )


class Paragraph(models.Model):
    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="paragraphs")
    order = models.PositiveIntegerField()
    number = models.CharField(max_length=20)
    heading = models.CharField(max_length=300, blank=True)
    text = models.TextField()

    class Meta:
        ordering = ["minutes", "order"]


class ActionItem(StatefulModel):
    """An action from the minutes: owners (names as written, and the boroughs among them),
    the task, its source paragraph, a due date and a status."""

    STATES = ActionStatus

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    paragraph = models.ForeignKey(Paragraph, null=True, blank=True, on_delete=models.SET_NULL)
    paragraph_number = models.CharField(max_length=20, blank=True)
    owners = models.CharField(max_length=500, help_text="As written, joined by '; '")
    owner_area_codes = models.CharField(max_length=300, blank=True, help_text="Comma-separated")
    task = models.TextField()
    due = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=_choices(ActionStatus), default=ActionStatus.OPEN.value
    )
    form = models.CharField(max_length=40, blank=True, help_text="How the minutes wrote it")
    progress = models.TextField(blank=True)
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["meeting__date", "id"]

    @property
    def area_codes(self) -> list[str]:
        return [c for c in self.owner_area_codes.split(",") if c]

    @property
    def is_open(self) -> bool:
        return self.state.is_open  # type: ignore[attr-defined]

    def access_object(self) -> CycleObject:
        codes = self.area_codes
        return CycleObject(
            "action",
            str(self.pk),
            owner_area=codes[0] if codes else None,
            shared_with=frozenset(AreaRef(c) for c in codes[1:]),
            state=self.status,
            # draft minutes are never published, nor the actions written in them
            board_only=not self.minutes_approved,
            why_board_only="comes from minutes not yet approved",
        )

    @property
    def effective_due(self) -> dt.date | None:
        """When it is due: the date the minutes gave, else the next meeting (the dated rule
        ``action_due``), else None while no next meeting is planned. The register and
        what's due both judge lateness by this."""
        if self.due is not None:
            return self.due
        nxt = self.meeting.next_meeting()
        return deadlines.due("action_due", self.meeting.date, next_meeting=nxt and nxt.date)

    @property
    def due_is_next_meeting(self) -> bool:
        return self.due is None and self.effective_due is not None

    @property
    def minutes_approved(self) -> bool:
        minutes = getattr(self.meeting, "minutes", None)
        return minutes is not None and minutes.status == MinutesStatus.APPROVED.value


class ActionUpdate(models.Model):
    action = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="updates")
    on = models.DateTimeField(default=timezone.now)
    by = models.CharField(max_length=150)
    status = models.CharField(max_length=20, choices=_choices(ActionStatus))
    note = models.TextField()

    class Meta:
        ordering = ["action", "on"]


# --- findings, letters, follow-ups ------------------------------------------------------------


class Finding(StatefulModel):
    """What the board commends or asks a borough to follow up, after its session: drafted by
    a findings rule (``rule_id``) or written by the secretariat, edited, then agreed."""

    STATES = FindingStatus

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(max_length=20, choices=_choices(FindingKind))
    theme = models.CharField(max_length=60, blank=True)
    rule_id = models.CharField(max_length=60, blank=True)
    drafted_text = models.TextField(blank=True, help_text="As the rule drafted it")
    text = models.TextField()
    evidence = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=20, choices=_choices(FindingStatus), default=FindingStatus.DRAFT.value
    )
    order = models.PositiveSmallIntegerField(default=0)
    # the borough's answer (follow-up items)
    response = models.TextField(blank=True)
    response_status = models.CharField(
        max_length=20, choices=_choices(ResponseStatus), default=ResponseStatus.AWAITED.value
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["session", "kind", "order", "id"]

    def access_object(self) -> CycleObject:
        return CycleObject(
            "finding",
            str(self.pk),
            owner_area=self.session.area_code,
            state=self.status,
            board_only=self.status != FindingStatus.AGREED.value
            or not hasattr(self.session, "letter")
            or self.session.letter.status != LetterStatus.SENT.value,
        )


class Letter(StatefulModel):
    STATES = LetterStatus

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="letter")
    date = models.DateField()
    reference = models.CharField(max_length=100, blank=True)
    addressee = models.CharField(max_length=200, default="The Borough Commander")
    signatories = models.TextField(blank=True, help_text="One per line")
    status = models.CharField(
        max_length=20, choices=_choices(LetterStatus), default=LetterStatus.DRAFT.value
    )
    follow_up_due = models.DateField(null=True, blank=True)
    follow_up_meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_ups"
    )
    follow_up_received = models.DateField(null=True, blank=True)
    sent_pdf = models.BinaryField(null=True, blank=True, editable=False)
    sent_docx = models.BinaryField(null=True, blank=True, editable=False)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.follow_up_due is None and self.date:
            self.follow_up_due = deadlines.due("follow_up_due", self.date)
        super().save(*args, **kwargs)

    def access_object(self) -> CycleObject:
        return CycleObject(
            "letter",
            str(self.pk),
            owner_area=self.session.area_code,
            state=self.status,
            board_only=self.status == LetterStatus.DRAFT.value,
        )


# --- recommendations and the annual report ----------------------------------------------------


class Recommendation(StatefulModel):
    STATES = RecommendationStatus

    year = models.PositiveSmallIntegerField()
    number = models.PositiveSmallIntegerField()
    text = models.TextField()
    owner = models.CharField(max_length=200)
    theme = models.CharField(max_length=60, blank=True)
    status = models.CharField(
        max_length=20,
        choices=_choices(RecommendationStatus),
        default=RecommendationStatus.OPEN.value,
    )

    class Meta:
        ordering = ["-year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="one_number_per_year")
        ]

    def __str__(self) -> str:
        return f"Recommendation {self.year}/{self.number}"

    @classmethod
    def next_number(cls, year: int) -> int:
        from dsvb.oversight.recommendations import number_next

        return number_next(cls.objects.filter(year=year).only("year", "number"), year)


class RecommendationUpdate(models.Model):
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="updates"
    )
    on = models.DateField()
    text = models.TextField()
    status = models.CharField(max_length=20, choices=_choices(RecommendationStatus))
    by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["recommendation", "on", "id"]


class AnnualReport(StatefulModel):
    """A year's annual report: the secretariat's texts by theme; the figures, tables, lists
    and recommendations come from the data and the cycle when it is generated."""

    STATES = ReportStatus

    year = models.PositiveSmallIntegerField(unique=True)
    period_start = models.DateField()
    period_end = models.DateField()
    themes = models.JSONField(default=dict, blank=True, help_text="theme -> text")
    success_factors = models.TextField(blank=True, help_text="One per paragraph")
    status = models.CharField(
        max_length=20, choices=_choices(ReportStatus), default=ReportStatus.DRAFT.value
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_pdf = models.BinaryField(null=True, blank=True, editable=False)
    published_docx = models.BinaryField(null=True, blank=True, editable=False)
    published_html = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["-year"]


class CalendarToken(models.Model):
    """A secret address for one person's calendar feed (calendar apps cannot sign in):
    the feed shows what that person may see, decided when it is fetched."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    @classmethod
    @transaction.atomic
    def for_user(cls, user: Any, *, renew: bool = False) -> CalendarToken:
        import secrets

        existing = cls.objects.filter(user=user).first()
        if existing is not None and not renew:
            return existing
        if existing is not None:
            existing.delete()
        return cls.objects.create(user=user, token=secrets.token_urlsafe(32))
