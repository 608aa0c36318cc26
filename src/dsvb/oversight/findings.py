"""Findings rules: draft commendations and follow-up requests for a borough from the data.

After a borough's session the board writes to its commander with what it commends and what
it asks the borough to follow up (DOMAIN.md, "The board's cycle"). Some of those come from the
figures alone: the 2010 annual report asked Newham and Hounslow about their use of cautions
and commended Sutton, Greenwich and Hackney for high sanction detection rates made of few
cautions. Those judgements are rules here, kept as dated data
(``reference/data/findings_rules.csv``, one row per rule and period it applies in), so the
secretariat changes a threshold or adds a rule by editing a file, and a rule applies only
while it is in force.

Each rule names its kind (``commend`` or ``follow_up``), the theme it is reported under, the
family it applies to, one condition on an indicator (and optionally a second, both must
hold), and the sentence its finding is written from. A condition compares the borough's
figure (exactly, from its numerator and denominator) with a number or with the force's own
figure (``force``). The sentence's ``{placeholders}`` are filled from the figures, written
the way every page writes them (:mod:`dsvb.indicators.formatting`).

A finding is a **draft**: the secretariat edits it before anything is sent (the web app keeps
the edited text). A rule that cannot be judged -- its indicator is not in the data assessed
(a published table has no Victims' Code figures), or the borough has no figure for it (no
contacts due) -- is skipped and reported with the reason, never turned into a finding.

The file is checked as it is read: a mistake names the file, the line and the column.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from importlib import resources
from pathlib import Path

from dsvb.indicators import formatting
from dsvb.indicators.assessment import Assessment, Figure, IndicatorAssessment
from dsvb.indicators.definitions import FAMILIES, INDICATORS
from dsvb.indicators.periods import months_label
from dsvb.oversight import themes
from dsvb.reference.file_errors import (
    ReferenceFileError,
    checked_rows,
    read_date,
    read_optional_date,
)

__all__ = [
    "COLUMNS",
    "COMPARISONS",
    "KINDS",
    "THEMES",
    "Basis",
    "Condition",
    "Finding",
    "Findings",
    "FindingsRule",
    "FindingsRules",
    "FindingsRulesError",
    "Skipped",
    "draft_all",
    "draft_findings",
    "findings_rules",
    "load_findings_rules",
    "read_findings_rules",
]

FILE_NAME = "findings_rules.csv"
COLUMNS = (
    "rule",
    "kind",
    "theme",
    "family",
    "indicator",
    "comparison",
    "threshold",
    "also_indicator",
    "also_comparison",
    "also_threshold",
    "text",
    "valid_from",
    "valid_to",
    "source",
)
KINDS = {"commend": "commendation", "follow_up": "follow-up request"}
#: the themes a rule's findings belong to (one list: :mod:`dsvb.oversight.themes`)
THEMES = themes.TITLES
#: comparison -> (the test, how it reads in a sentence)
COMPARISONS: dict[str, tuple[Callable[[Fraction, Fraction], bool], str]] = {
    "above": (operator.gt, "above"),
    "at_least": (operator.ge, "at or above"),
    "below": (operator.lt, "below"),
    "at_most": (operator.le, "at or below"),
    "equals": (operator.eq, "equal to"),
}
FORCE = "force"  # a threshold that is the force's own figure for the indicator
_RULE_ID = re.compile(r"^[a-z0-9_]+$")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_FIELDS = ("numerator", "denominator", "force", "rank", "ranked", "threshold")


class FindingsRulesError(ReferenceFileError):
    """A findings-rules file that cannot be used, with the file, line and column named."""


@dataclass(frozen=True)
class Condition:
    """The borough's figure for ``indicator`` compared with ``threshold`` (a proportion as a
    fraction, a count, or None for the force's own figure)."""

    indicator: str
    comparison: str
    threshold: Fraction | None

    @property
    def against_force(self) -> bool:
        return self.threshold is None

    def describe(self) -> str:
        """The condition in words: 'Sanction detection rate above the force's figure'."""
        info = INDICATORS[self.indicator]
        words = COMPARISONS[self.comparison][1]
        if self.threshold is None:
            return f"{info.label} {words} the force's figure"
        return f"{info.label} {words} {formatting.value(float(self.threshold), info.kind)}"


@dataclass(frozen=True)
class FindingsRule:
    """One rule as the file gives it, in force on ``[valid_from, valid_to)``."""

    rule: str
    kind: str  # commend | follow_up
    theme: str
    family: str
    conditions: tuple[Condition, ...]
    text: str
    valid_from: dt.date
    valid_to: dt.date | None
    source: str
    line: int = 0  # where the rule is in its file (for messages)

    def in_force(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)

    @property
    def indicators(self) -> tuple[str, ...]:
        return tuple(c.indicator for c in self.conditions)

    def describe(self) -> str:
        return " and ".join(c.describe() for c in self.conditions)


class FindingsRules:
    """The checked rules, with the file they came from."""

    def __init__(self, rules: tuple[FindingsRule, ...], file: str) -> None:
        self.rules = rules
        self.file = file

    def __iter__(self) -> Iterator[FindingsRule]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def in_force(self, family: str, on: dt.date) -> tuple[FindingsRule, ...]:
        """The rules of ``family`` in force on ``on``, in the file's order."""
        return tuple(r for r in self.rules if r.family == family and r.in_force(on))

    def rule(self, rule_id: str, on: dt.date) -> FindingsRule:
        for r in self.rules:
            if r.rule == rule_id and r.in_force(on):
                return r
        raise KeyError(f"no findings rule {rule_id!r} in force on {on.isoformat()}")


# --- reading the file -------------------------------------------------------------------------


def _threshold(file: str, line: int, column: str, value: str, indicator: str) -> Fraction | None:
    """A threshold: ``force``, a number, or for a proportion a percentage ('57%')."""
    if value == FORCE:
        return None
    kind = INDICATORS[indicator].kind
    text = value[:-1].strip() if value.endswith("%") else value
    try:
        number = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise FindingsRulesError(
            file,
            line,
            column,
            f"{value!r} is not a number, a percentage or 'force' (the force's own figure)",
        ) from None
    if value.endswith("%"):
        if kind != "proportion":
            raise FindingsRulesError(
                file, line, column, f"{value!r} is a percentage but {indicator} is a {kind}"
            )
        number /= 100
    if number < 0:
        raise FindingsRulesError(file, line, column, f"{value!r} is negative")
    if kind == "proportion" and number > 1:
        raise FindingsRulesError(
            file,
            line,
            column,
            f"{value!r} is more than 1 but {indicator} is a proportion: write 0.57 or 57%",
        )
    return number


def _check_text(file: str, line: int, text: str, indicators: tuple[str, ...]) -> None:
    """Every ``{placeholder}`` is one the finding can fill, and braces are balanced."""
    allowed = {"area", "period", "family"}
    for indicator in indicators:
        allowed.add(indicator)
        allowed.update(f"{indicator}.{field}" for field in _FIELDS)
    for match in _PLACEHOLDER.finditer(text):
        if match.group(1) not in allowed:
            raise FindingsRulesError(
                file,
                line,
                "text",
                f"{{{match.group(1)}}} is not something a finding can fill in; use "
                f"{{area}}, {{period}}, {{family}}, or for this rule's indicators "
                f"{{{indicators[0]}}} and {{{indicators[0]}.numerator}}, .denominator, "
                ".force, .rank, .ranked, .threshold",
            )
    rest = _PLACEHOLDER.sub("", text)
    if "{" in rest or "}" in rest:
        raise FindingsRulesError(file, line, "text", "a '{' or '}' is not part of a {placeholder}")


def load_findings_rules(text: str, file: str = FILE_NAME) -> FindingsRules:
    """Read and check a rules file's text; FindingsRulesError names the file, line, column."""
    rules = [
        _rule(file, line, values)
        for line, values in checked_rows(text, file, COLUMNS, FindingsRulesError)
    ]
    if not rules:
        raise FindingsRulesError(file, 2, None, "the file has no rules")
    for i, rule in enumerate(rules):
        for other in rules[:i]:
            if (other.rule, other.family) == (rule.rule, rule.family) and _overlap(rule, other):
                raise FindingsRulesError(
                    file,
                    rule.line,
                    "valid_from",
                    f"{rule.rule} is already in force then (line {other.line}); the periods "
                    "of one rule must not overlap",
                )
    return FindingsRules(tuple(rules), file)


def _rule(file: str, line: int, v: dict[str, str]) -> FindingsRule:
    def fail(column: str, problem: str) -> FindingsRulesError:
        return FindingsRulesError(file, line, column, problem)

    for column in ("rule", "text", "valid_from", "source"):
        if not v[column]:
            raise fail(column, f"the {column} is empty")
    if not _RULE_ID.match(v["rule"]):
        raise fail("rule", f"{v['rule']!r}: a rule id is lower-case letters, digits and '_'")
    if v["kind"] not in KINDS:
        raise fail("kind", f"{v['kind']!r} is not a kind of finding ({', '.join(KINDS)})")
    if v["theme"] not in THEMES:
        raise fail("theme", f"{v['theme']!r} is not a theme ({', '.join(THEMES)})")
    if v["family"] not in FAMILIES:
        raise fail("family", f"{v['family']!r} is not a family ({', '.join(FAMILIES)})")
    conditions = []
    for prefix in ("", "also_"):
        parts = [v[f"{prefix}{c}"] for c in ("indicator", "comparison", "threshold")]
        if prefix and not any(parts):
            continue
        for column, value in zip(("indicator", "comparison", "threshold"), parts, strict=True):
            if not value:
                raise fail(f"{prefix}{column}", f"the {prefix}{column} is empty")
        indicator, comparison, threshold = parts
        info = INDICATORS.get(indicator)
        if info is None:
            raise fail(
                f"{prefix}indicator",
                f"{indicator!r} is not an indicator (`dsvb definitions` lists them)",
            )
        if not info.applies_to(v["family"]):
            raise fail(
                f"{prefix}indicator",
                f"{indicator} does not apply to the {v['family']} family",
            )
        if comparison not in COMPARISONS:
            raise fail(
                f"{prefix}comparison",
                f"{comparison!r} is not a comparison ({', '.join(COMPARISONS)})",
            )
        conditions.append(
            Condition(
                indicator,
                comparison,
                _threshold(file, line, f"{prefix}threshold", threshold, indicator),
            )
        )
    if len(conditions) == 2 and conditions[0].indicator == conditions[1].indicator:
        raise fail("also_indicator", "the second condition must be on another indicator")
    indicators = tuple(c.indicator for c in conditions)
    _check_text(file, line, v["text"], indicators)
    valid_from = read_date(file, line, "valid_from", v["valid_from"], FindingsRulesError)
    valid_to = read_optional_date(file, line, "valid_to", v["valid_to"], FindingsRulesError)
    if valid_to is not None and valid_to <= valid_from:
        raise fail("valid_to", f"{valid_to} is not after valid_from {valid_from}")
    return FindingsRule(
        v["rule"],
        v["kind"],
        v["theme"],
        v["family"],
        tuple(conditions),
        v["text"],
        valid_from,
        valid_to,
        v["source"],
        line,
    )


def _overlap(a: FindingsRule, b: FindingsRule) -> bool:
    a_end = a.valid_to or dt.date.max
    b_end = b.valid_to or dt.date.max
    return a.valid_from < b_end and b.valid_from < a_end


def read_findings_rules(path: Path) -> FindingsRules:
    """A rules file the secretariat keeps elsewhere (an edited copy of the default)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FindingsRulesError(str(path), 1, None, f"cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise FindingsRulesError(str(path), 1, None, "is not UTF-8 text") from None
    return load_findings_rules(text, str(path))


@cache
def findings_rules() -> FindingsRules:
    """The rules shipped with dsvb (read and checked once)."""
    text = resources.files("dsvb.reference").joinpath("data", FILE_NAME).read_text("utf-8")
    return load_findings_rules(text, f"reference/data/{FILE_NAME}")


# --- findings ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Basis:
    """A figure a finding rests on: the borough's and the force's, for one indicator."""

    indicator: str
    label: str
    figure: Figure
    force: Figure


@dataclass(frozen=True)
class Finding:
    """A drafted commendation or follow-up request (the secretariat edits it before sending)."""

    rule: str
    kind: str  # commend | follow_up
    theme: str
    area_code: str
    area_name: str
    text: str
    figures: tuple[Basis, ...]

    @property
    def theme_label(self) -> str:
        return THEMES[self.theme]


@dataclass(frozen=True)
class Skipped:
    """A rule in force that could not be judged for the area, and why (in words)."""

    rule: str
    kind: str
    area_code: str
    reason: str


@dataclass(frozen=True)
class Findings:
    """The drafts for one area, and the rules in force that could not be judged."""

    area_code: str
    area_name: str
    family: str
    period: str  # '12 months to November 2010'
    on: dt.date  # the date the rules were taken in force on
    findings: tuple[Finding, ...]
    skipped: tuple[Skipped, ...]

    @property
    def commendations(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.kind == "commend")

    @property
    def follow_ups(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.kind == "follow_up")


def _exact(figure: Figure) -> Fraction | None:
    """The figure's value as an exact fraction (so 98 of 100 is exactly 98%)."""
    if figure.value is None or figure.numerator is None:
        return None
    num, den = figure.numerator, figure.denominator
    if den is None:
        return Fraction(num)
    if not den:
        return None
    return Fraction(num) / Fraction(den)


def _no_figure(assessed: IndicatorAssessment, figure: Figure, whose: str) -> str:
    info = assessed.info
    if info.is_rate and not figure.denominator:
        denominator = (info.denominator_short or "denominator").lower()
        return f"{whose} no figure for {info.label.lower()} (no {denominator})"
    return f"{whose} no figure for {info.label.lower()}"


def _judge(
    rule: FindingsRule, assessment: Assessment, area_code: str
) -> tuple[tuple[Basis, ...], str | None, bool]:
    """The figures the rule reads, why it cannot be judged (or None), and whether it holds."""
    basis = []
    holds = True
    for condition in rule.conditions:
        try:
            assessed = assessment.indicator(condition.indicator)
        except KeyError:
            label = INDICATORS[condition.indicator].label
            return (), f"{label} ({condition.indicator}) is not in the data assessed", False
        figure, force = assessed.area(area_code), assessed.force
        basis.append(Basis(condition.indicator, assessed.info.label, figure, force))
        value = _exact(figure)
        if value is None:
            return (), _no_figure(assessed, figure, "the area has"), False
        threshold = condition.threshold
        if threshold is None:
            threshold = _exact(force)
            if threshold is None:
                return (), _no_figure(assessed, force, "the force has"), False
        holds = holds and COMPARISONS[condition.comparison][0](value, threshold)
    return tuple(basis), None, holds


def _write(rule: FindingsRule, basis: tuple[Basis, ...], assessment: Assessment, area: str) -> str:
    """The rule's sentence with its placeholders filled from the figures."""
    values = {
        "area": area,
        "period": months_label(assessment.period.period),
        "family": assessment.family_label.lower(),
    }
    for b, condition in zip(basis, rule.conditions, strict=True):
        kind = INDICATORS[b.indicator].kind
        threshold = condition.threshold
        values[b.indicator] = formatting.value(b.figure.value, kind)
        values[f"{b.indicator}.numerator"] = formatting.count(b.figure.numerator)
        values[f"{b.indicator}.denominator"] = formatting.count(b.figure.denominator)
        values[f"{b.indicator}.force"] = formatting.value(b.force.value, kind)
        values[f"{b.indicator}.rank"] = formatting.ordinal(b.figure.rank)
        values[f"{b.indicator}.ranked"] = formatting.count(b.figure.ranked)
        values[f"{b.indicator}.threshold"] = formatting.value(
            b.force.value if threshold is None else float(threshold), kind
        )
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], rule.text)


def draft_findings(
    assessment: Assessment,
    area_code: str,
    on: dt.date,
    rules: FindingsRules | None = None,
) -> Findings:
    """The draft findings for one borough: every rule of the assessment's family in force on
    ``on`` (the shipped rules unless ``rules`` are given), judged on the borough's figures.

    A rule that cannot be judged (its indicator not in the data, no figure for the borough or
    the force) is in ``skipped`` with the reason, and gives no finding."""
    area_name = assessment.area_name(area_code)
    chosen = findings_rules() if rules is None else rules
    findings: list[Finding] = []
    skipped: list[Skipped] = []
    for rule in chosen.in_force(assessment.family, on):
        basis, reason, holds = _judge(rule, assessment, area_code)
        if reason is not None:
            skipped.append(Skipped(rule.rule, rule.kind, area_code, reason))
        elif holds:
            text = _write(rule, basis, assessment, area_name)
            findings.append(
                Finding(rule.rule, rule.kind, rule.theme, area_code, area_name, text, basis)
            )
    return Findings(
        area_code,
        area_name,
        assessment.family,
        months_label(assessment.period.period),
        on,
        tuple(findings),
        tuple(skipped),
    )


def draft_all(
    assessment: Assessment, on: dt.date, rules: FindingsRules | None = None
) -> tuple[Findings, ...]:
    """:func:`draft_findings` for every borough of the assessment, in order of name."""
    return tuple(draft_findings(assessment, code, on, rules) for code, _ in assessment.areas)
