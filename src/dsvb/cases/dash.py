"""DASH risk identification: the checklists, the score, the level and professional judgement.

Partner agencies use the SafeLives (formerly CAADA) DASH risk identification checklist: 24
questions answered yes, no or not known. The police use the ACPO DASH (2009): the same 24
and three about children and dependants, 27 in the score, with optional stalking and
so-called honour-based violence screening questions that are *not* in the score
(decision 0036). The score is the number of "yes" among the scored questions; a score of
``visible_high_risk_score`` (a dated case setting, 14) or more is *visible high risk*.

A score alone shows high or standard, never medium: medium comes from the police grading
(standard, medium, high) or professional judgement. Either may *raise* the level, never
lower it, and a raise must say why -- so an assessment can always be read back as "the
checklist said this, and a person who knew more said that, because ...".

The questions are data, ``reference/data/dash_questions.csv`` (checklist, id, number,
section, short label, scored, dates), read and checked like every reference file. The
official wording is copyright (SafeLives; ACPO DASH (c) Laura Richards 2009): the labels
shipped are short wording of our own, and an installation with a licence loads the official
wording from its own copy (:func:`load_wording`; the web reads ``DSVB_DASH_WORDING``).

:func:`escalation` compares one victim's assessments in date order, so a rising score, a
question newly answered yes or a higher level shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import pairwise
from pathlib import Path
from types import MappingProxyType
from typing import Protocol

from dsvb.cases import settings as case_settings
from dsvb.cases.agencies import AgencyKind
from dsvb.cases.states import RiskLevel
from dsvb.reference.file_errors import (
    ReferenceFileError,
    checked_rows,
    read_date,
    read_optional_date,
)

__all__ = [
    "ANSWERS",
    "Assessed",
    "Change",
    "Checklist",
    "DashError",
    "DashFileError",
    "JudgementError",
    "Question",
    "assess",
    "checklist",
    "checklists",
    "default_checklist",
    "escalation",
    "load_questions",
    "load_wording",
    "visible_high_risk",
    "wording_file",
]

FILE_NAME = "dash_questions.csv"
COLUMNS = (
    "checklist",
    "question_id",
    "number",
    "section",
    "label",
    "scored",
    "valid_from",
    "valid_to",
    "source",
)
WORDING_COLUMNS = ("checklist", "question_id", "wording")

SAFELIVES, ACPO_DASH = "safelives", "acpo_dash"
#: the checklists and their names, in the order a person chooses between them
CHECKLIST_NAMES = {
    SAFELIVES: "SafeLives DASH risk identification checklist",
    ACPO_DASH: "Police DASH risk assessment (ACPO 2009)",
}
#: the sections a checklist's questions are grouped in, in order, with their headings
SECTIONS = {
    "current_situation": "The current situation",
    "children": "Children and dependants",
    "history": "The history of the abuse",
    "abuser": "The abuser",
    "stalking": "Stalking and harassment screening",
    "hbv": "So-called honour-based violence screening",
}
YES, NO, NOT_KNOWN = "yes", "no", "not_known"
ANSWERS = {YES: "Yes", NO: "No", NOT_KNOWN: "Not known"}


class DashError(ValueError):
    """Answers or a choice that cannot be assessed, said in words."""


class JudgementError(DashError):
    """A grading or judgement that would lower the level, or a raise without reasons.
    ``field`` names what is wrong (``graded``, ``judgement`` or ``reasons``) so a form can
    show the message beside it."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


class DashFileError(ReferenceFileError):
    """A questions or wording file that cannot be used, with the file, line and column."""


@dataclass(frozen=True)
class Question:
    checklist: str
    id: str
    number: str  # as the checklist numbers it: "1".."27", "S1" for screening
    section: str
    label: str  # our own short wording, never the official text
    scored: bool
    valid_from: dt.date
    valid_to: dt.date | None
    source: str

    def in_force(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)

    @property
    def section_label(self) -> str:
        return SECTIONS[self.section]


@dataclass(frozen=True)
class Checklist:
    id: str
    name: str
    questions: tuple[Question, ...]  # every period's, in the file's order

    def on(self, day: dt.date) -> tuple[Question, ...]:
        """The questions in use on ``day``."""
        return tuple(q for q in self.questions if q.in_force(day))

    def scored(self, day: dt.date) -> tuple[Question, ...]:
        return tuple(q for q in self.on(day) if q.scored)

    def question(self, question_id: str, day: dt.date) -> Question:
        for q in self.on(day):
            if q.id == question_id:
                return q
        raise DashError(
            f"{question_id!r} is not a question of the {self.name} in use on {day.isoformat()}"
        )

    def sections(self, day: dt.date) -> list[tuple[str, tuple[Question, ...]]]:
        """(section, its questions) in order, for a form or a page."""
        questions = self.on(day)
        return [
            (s, tuple(q for q in questions if q.section == s))
            for s in SECTIONS
            if any(q.section == s for q in questions)
        ]

    def first_used(self) -> dt.date:
        return min(q.valid_from for q in self.questions)


def load_questions(text: str, file: str = FILE_NAME) -> dict[str, Checklist]:
    """Read and check a questions file: every checklist known, each question id once per
    checklist and period, a number once per checklist, a known section, scored yes or no.
    DashFileError names the file, line and column."""
    found: dict[str, list[tuple[int, Question]]] = {c: [] for c in CHECKLIST_NAMES}
    for line, v in checked_rows(text, file, COLUMNS, DashFileError):
        if v["checklist"] not in CHECKLIST_NAMES:
            known = ", ".join(CHECKLIST_NAMES)
            raise DashFileError(
                file, line, "checklist", f"{v['checklist']!r} is not a checklist ({known})"
            )
        if not v["question_id"].replace("_", "").isalnum() or not v["question_id"].islower():
            raise DashFileError(
                file,
                line,
                "question_id",
                f"{v['question_id']!r} is not an id (lower-case letters, digits and _)",
            )
        if v["section"] not in SECTIONS:
            known = ", ".join(SECTIONS)
            raise DashFileError(
                file, line, "section", f"{v['section']!r} is not a section ({known})"
            )
        for column in ("number", "label"):
            if not v[column]:
                raise DashFileError(file, line, column, f"the {column} is empty")
        if v["scored"] not in ("yes", "no"):
            raise DashFileError(file, line, "scored", f"{v['scored']!r} is not yes or no")
        start = read_date(file, line, "valid_from", v["valid_from"], DashFileError)
        end = read_optional_date(file, line, "valid_to", v["valid_to"], DashFileError)
        if end is not None and end <= start:
            raise DashFileError(file, line, "valid_to", f"{end} is not after {start}")
        question = Question(
            v["checklist"],
            v["question_id"],
            v["number"],
            v["section"],
            v["label"],
            v["scored"] == "yes",
            start,
            end,
            v["source"],
        )
        for other_line, other in found[question.checklist]:
            if not _overlap(question, other):
                continue
            if other.id == question.id:
                raise DashFileError(
                    file, line, "question_id", f"{question.id} is also on line {other_line}"
                )
            if other.number == question.number:
                raise DashFileError(
                    file, line, "number", f"number {question.number} is also on line {other_line}"
                )
        found[question.checklist].append((line, question))
    for checklist_id, rows in found.items():
        if not rows:
            raise DashFileError(file, 1, "checklist", f"no questions for {checklist_id}")
    return {
        c: Checklist(c, CHECKLIST_NAMES[c], tuple(q for _, q in rows)) for c, rows in found.items()
    }


def _overlap(a: Question, b: Question) -> bool:
    far = dt.date.max
    return a.valid_from < (b.valid_to or far) and b.valid_from < (a.valid_to or far)


@cache
def checklists() -> dict[str, Checklist]:
    """The shipped checklists by id (read once)."""
    text = resources.files("dsvb.reference").joinpath("data", FILE_NAME).read_text("utf-8")
    return load_questions(text)


def checklist(checklist_id: str) -> Checklist:
    try:
        return checklists()[checklist_id]
    except KeyError:
        known = ", ".join(CHECKLIST_NAMES)
        raise DashError(f"{checklist_id!r} is not a DASH checklist ({known})") from None


def default_checklist(agency_kind: AgencyKind | str) -> str:
    """The checklist an agency uses: the police the ACPO DASH, everyone else SafeLives'."""
    return ACPO_DASH if str(agency_kind) == AgencyKind.POLICE.value else SAFELIVES


def visible_high_risk(score: int, on: dt.date) -> bool:
    """A score of the dated threshold (14) or more: visible high risk on ``on``."""
    return score >= case_settings.number("visible_high_risk_score", on)


@dataclass(frozen=True)
class Assessed:
    """One assessment's result. ``level`` is the final level: the highest of the score's,
    the police grading and professional judgement. ``judgement_raised`` says a grading or
    judgement took it above the score's level (a MARAC referral on professional judgement).
    ``unanswered`` lists the scored questions given no answer (counted as not "yes")."""

    checklist: str
    assessed_on: dt.date
    answers: Mapping[str, str]
    score: int
    score_level: RiskLevel
    level: RiskLevel
    visible_high_risk: bool
    judgement_raised: bool
    unanswered: tuple[str, ...]
    rules_version: str


def assess(
    checklist_id: str,
    answers: Mapping[str, str],
    *,
    on: dt.date,
    graded: RiskLevel | None = None,
    judgement: RiskLevel | None = None,
    reasons: str = "",
) -> Assessed:
    """Score ``answers`` (question id -> "yes", "no", "not_known"; "" for not answered) on
    the checklist in use on ``on`` and settle the level.

    DashError for an unknown checklist, question or answer; JudgementError when a police
    grading or professional judgement would lower the level below the score's (or a
    judgement below the grading), or raises it without reasons."""
    chosen = checklist(checklist_id)
    questions = chosen.on(on)
    if not questions:
        raise DashError(
            f"the {chosen.name} was not in use on {on.isoformat()} "
            f"(it is used from {chosen.first_used().isoformat()})"
        )
    known = {q.id for q in questions}
    given: dict[str, str] = {}
    for question_id, answer in answers.items():
        if question_id not in known:
            chosen.question(question_id, on)  # raises, naming the question
        value = (answer or "").strip()
        if value and value not in ANSWERS:
            choices = ", ".join(ANSWERS)
            raise DashError(f"question {question_id}: {answer!r} is not an answer ({choices})")
        if value:
            given[question_id] = value
    scored = [q for q in questions if q.scored]
    score = sum(1 for q in scored if given.get(q.id) == YES)
    high = visible_high_risk(score, on)
    score_level = RiskLevel.HIGH if high else RiskLevel.STANDARD
    level = _judged(score_level, graded, judgement, reasons)
    threshold = case_settings.setting_row("visible_high_risk_score", on)
    return Assessed(
        checklist=chosen.id,
        assessed_on=on,
        answers=MappingProxyType(given),
        score=score,
        score_level=score_level,
        level=level,
        visible_high_risk=high,
        judgement_raised=level.rank > score_level.rank,
        unanswered=tuple(q.id for q in scored if q.id not in given),
        rules_version=(
            f"{chosen.id}:{max(q.valid_from for q in questions).isoformat()}:vhr{threshold.value}"
        ),
    )


def _judged(
    score_level: RiskLevel,
    graded: RiskLevel | None,
    judgement: RiskLevel | None,
    reasons: str,
) -> RiskLevel:
    """The final level: raised by a grading or judgement, never lowered, a raise with reasons."""
    level = score_level
    if graded is not None:
        if graded.rank < level.rank:
            raise JudgementError(
                f"the police grading cannot lower the level from {level} to {graded}: "
                f"a score of visible high risk is high",
                "graded",
            )
        level = graded
    if judgement is not None:
        if judgement.rank < level.rank:
            before = "the police grading's" if level is graded else "the score's"
            raise JudgementError(
                f"professional judgement cannot lower the level from {level} to {judgement} "
                f"({before} level); it may only raise it",
                "judgement",
            )
        level = judgement
    if level.rank > score_level.rank and not reasons.strip():
        who = "professional judgement" if judgement is level else "the police grading"
        raise JudgementError(
            f"{who} raises the level from {score_level} to {level}: give the reasons", "reasons"
        )
    return level


class Record(Protocol):
    """What :func:`escalation` reads of an assessment (a stored one or :class:`Assessed`)."""

    @property
    def assessed_on(self) -> dt.date: ...
    @property
    def answers(self) -> Mapping[str, str]: ...
    @property
    def score(self) -> int: ...
    @property
    def level(self) -> str: ...


@dataclass(frozen=True)
class Change:
    """From one assessment of a victim to the next: the score, the questions newly answered
    yes (not yes before, yes now), and the level."""

    before_on: dt.date
    on: dt.date
    score_before: int
    score: int
    newly_yes: tuple[str, ...]
    level_before: RiskLevel
    level: RiskLevel

    @property
    def score_change(self) -> int:
        return self.score - self.score_before

    @property
    def level_raised(self) -> bool:
        return self.level.rank > self.level_before.rank

    @property
    def escalated(self) -> bool:
        """The risk rose: a higher score or level, or a question newly yes."""
        return self.score_change > 0 or self.level_raised or bool(self.newly_yes)


def escalation(assessments: Iterable[Record]) -> list[Change]:
    """One :class:`Change` per assessment after the first, in date order (assessments of the
    same day keep the order given)."""
    ordered = sorted(assessments, key=lambda a: a.assessed_on)
    changes = []
    for before, after in pairwise(ordered):
        newly = tuple(
            q for q, a in after.answers.items() if a == YES and before.answers.get(q) != YES
        )
        changes.append(
            Change(
                before_on=before.assessed_on,
                on=after.assessed_on,
                score_before=before.score,
                score=after.score,
                newly_yes=newly,
                level_before=RiskLevel(before.level),
                level=RiskLevel(after.level),
            )
        )
    return changes


def load_wording(text: str, file: str) -> dict[tuple[str, str], str]:
    """An installation's licensed wording, ``checklist,question_id,wording``: (checklist,
    question id) -> the official text. Every row must name a question of a checklist (in any
    period) and be given once; DashFileError names the file, line and column."""
    ids = {(c.id, q.id) for c in checklists().values() for q in c.questions}
    wording: dict[tuple[str, str], str] = {}
    lines: dict[tuple[str, str], int] = {}
    for line, v in checked_rows(text, file, WORDING_COLUMNS, DashFileError):
        if v["checklist"] not in CHECKLIST_NAMES:
            known = ", ".join(CHECKLIST_NAMES)
            raise DashFileError(
                file, line, "checklist", f"{v['checklist']!r} is not a checklist ({known})"
            )
        key = (v["checklist"], v["question_id"])
        if key not in ids:
            raise DashFileError(
                file,
                line,
                "question_id",
                f"{v['question_id']!r} is not a question of {v['checklist']}",
            )
        if key in lines:
            raise DashFileError(file, line, "question_id", f"{key[1]} is also on line {lines[key]}")
        if not v["wording"]:
            raise DashFileError(file, line, "wording", "the wording is empty")
        wording[key] = v["wording"]
        lines[key] = line
    return wording


def wording_file(path: str | Path) -> dict[tuple[str, str], str]:
    """:func:`load_wording` of a file (an installation's licensed copy)."""
    file = Path(path)
    try:
        text = file.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise DashFileError(str(file), 1, None, f"cannot be read: {error}") from None
    return load_wording(text, str(file))
