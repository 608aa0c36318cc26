"""DASH risk identification: the shipped checklists, scoring, the 14 boundary, the police
grading and professional judgement (raise with reasons, never lower), dated thresholds, the
licensed wording file, and escalation between a victim's assessments."""

from __future__ import annotations

import datetime as dt
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dsvb.cases import dash
from dsvb.cases import settings as case_settings
from dsvb.cases.agencies import AgencyKind
from dsvb.cases.states import RiskLevel

DAY = dt.date(2024, 5, 1)
SAFELIVES = dash.checklist("safelives").scored(DAY)
ACPO = dash.checklist("acpo_dash")


def yes_to(n: int, checklist: str = "safelives") -> dict[str, str]:
    """The first ``n`` scored questions yes, the rest no."""
    questions = dash.checklist(checklist).scored(DAY)
    return {q.id: "yes" if i < n else "no" for i, q in enumerate(questions)}


def test_the_shipped_checklists_have_24_and_27_scored_questions_and_unscored_screening() -> None:
    assert len(SAFELIVES) == 24
    police = ACPO.on(DAY)
    scored = [q for q in police if q.scored]
    assert len(scored) == 27
    # the police checklist is SafeLives' 24 plus three about children and dependants
    assert {q.id for q in scored} - {q.id for q in SAFELIVES} == {
        "children_dependants",
        "children_hurt",
        "children_threatened",
    }
    screening = [q for q in police if not q.scored]
    assert {q.section for q in screening} == {"stalking", "hbv"}
    assert all(q.number.startswith(("S", "H")) for q in screening)
    sections = [s for s, _ in ACPO.sections(DAY)]
    assert sections == ["current_situation", "children", "history", "abuser", "stalking", "hbv"]


def test_the_default_checklist_follows_the_agency_kind() -> None:
    assert dash.default_checklist(AgencyKind.POLICE) == "acpo_dash"
    assert dash.default_checklist("police") == "acpo_dash"
    assert dash.default_checklist(AgencyKind.IDVA) == "safelives"
    assert dash.default_checklist(AgencyKind.HEALTH) == "safelives"


def test_the_score_counts_yes_only_and_lists_the_unanswered() -> None:
    answers = {"injured": "yes", "frightened": "no", "isolated": "not_known", "weapons": "yes"}
    result = dash.assess("safelives", answers, on=DAY)
    assert result.score == 2
    assert result.score_level is RiskLevel.STANDARD
    assert result.level is RiskLevel.STANDARD
    assert not result.visible_high_risk
    assert not result.judgement_raised
    assert len(result.unanswered) == 20
    assert "injured" not in result.unanswered
    assert "fears_harm" in result.unanswered
    assert result.rules_version == "safelives:2009-01-01:vhr14"


def test_13_yes_is_standard_and_14_is_visible_high_risk() -> None:
    thirteen = dash.assess("safelives", yes_to(13), on=DAY)
    fourteen = dash.assess("safelives", yes_to(14), on=DAY)
    assert (thirteen.score, thirteen.visible_high_risk, thirteen.level) == (
        13,
        False,
        RiskLevel.STANDARD,
    )
    assert (fourteen.score, fourteen.visible_high_risk, fourteen.level) == (14, True, "high")
    assert dash.visible_high_risk(13, DAY) is False
    assert dash.visible_high_risk(14, DAY) is True


def test_screening_answers_are_kept_but_never_scored() -> None:
    answers = yes_to(13, "acpo_dash") | {
        q.id: "yes" for q in ACPO.on(DAY) if q.section in ("stalking", "hbv")
    }
    result = dash.assess("acpo_dash", answers, on=DAY)
    assert result.score == 13
    assert not result.visible_high_risk
    assert result.answers["stalking_threats"] == "yes"
    assert result.unanswered == ()


def test_the_childrens_questions_count_in_the_police_score() -> None:
    answers = {"children_dependants": "yes", "children_hurt": "yes", "children_threatened": "yes"}
    assert dash.assess("acpo_dash", answers, on=DAY).score == 3


def test_the_childrens_questions_are_not_on_the_safelives_checklist() -> None:
    with pytest.raises(dash.DashError, match="'children_hurt' is not a question of the SafeLives"):
        dash.assess("safelives", {"children_hurt": "yes"}, on=DAY)


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"strangled": "yes"}, "'strangled' is not a question"),
        ({"injured": "maybe"}, "question injured: 'maybe' is not an answer"),
        ({"injured": "Yes"}, "question injured: 'Yes' is not an answer"),
    ],
)
def test_unknown_questions_and_answers_are_refused_naming_the_question(
    answers: dict[str, str], message: str
) -> None:
    with pytest.raises(dash.DashError, match=message):
        dash.assess("safelives", answers, on=DAY)


def test_an_unknown_checklist_and_a_day_before_dash_are_refused() -> None:
    with pytest.raises(dash.DashError, match="'spec' is not a DASH checklist"):
        dash.assess("spec", {}, on=DAY)
    with pytest.raises(dash.DashError, match="was not in use on 2008-12-31"):
        dash.assess("safelives", {}, on=dt.date(2008, 12, 31))


def test_judgement_may_raise_the_level_with_reasons() -> None:
    result = dash.assess(
        "safelives",
        yes_to(6),
        on=DAY,
        judgement=RiskLevel.HIGH,
        reasons="recent escalation of threats",
    )
    assert result.score_level is RiskLevel.STANDARD
    assert result.level is RiskLevel.HIGH
    assert result.judgement_raised
    assert not result.visible_high_risk


def test_a_raise_without_reasons_is_refused() -> None:
    with pytest.raises(dash.JudgementError, match="give the reasons") as raised:
        dash.assess("safelives", yes_to(6), on=DAY, judgement=RiskLevel.MEDIUM, reasons="  ")
    assert raised.value.field == "reasons"
    with pytest.raises(dash.JudgementError, match="the police grading raises") as raised:
        dash.assess("acpo_dash", yes_to(6, "acpo_dash"), on=DAY, graded=RiskLevel.MEDIUM)
    assert raised.value.field == "reasons"


def test_judgement_the_same_as_the_score_needs_no_reasons() -> None:
    result = dash.assess("safelives", yes_to(15), on=DAY, judgement=RiskLevel.HIGH)
    assert result.level is RiskLevel.HIGH
    assert not result.judgement_raised


def test_judgement_cannot_lower_the_level() -> None:
    with pytest.raises(dash.JudgementError) as raised:
        dash.assess(
            "safelives", yes_to(15), on=DAY, judgement=RiskLevel.MEDIUM, reasons="she is coping"
        )
    assert "professional judgement cannot lower the level from high to medium" in str(raised.value)
    assert raised.value.field == "judgement"


def test_a_police_grading_below_the_score_is_refused() -> None:
    with pytest.raises(dash.JudgementError, match="cannot lower the level from high to medium"):
        dash.assess("acpo_dash", yes_to(14, "acpo_dash"), on=DAY, graded=RiskLevel.MEDIUM)


def test_judgement_cannot_lower_a_police_grading() -> None:
    with pytest.raises(dash.JudgementError, match=r"from high to medium \(the police grading"):
        dash.assess(
            "acpo_dash",
            yes_to(3, "acpo_dash"),
            on=DAY,
            graded=RiskLevel.HIGH,
            judgement=RiskLevel.MEDIUM,
            reasons="threats to the children",
        )


def test_a_grading_raises_and_judgement_raises_further() -> None:
    result = dash.assess(
        "acpo_dash",
        yes_to(3, "acpo_dash"),
        on=DAY,
        graded=RiskLevel.MEDIUM,
        judgement=RiskLevel.HIGH,
        reasons="the abuser has a gun licence",
    )
    assert (result.score_level, result.level, result.judgement_raised) == (
        RiskLevel.STANDARD,
        RiskLevel.HIGH,
        True,
    )


def test_the_threshold_in_force_on_the_day_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """A MARAC that set its visible-high-risk score to 12 from 2025: assessments before
    keep the old threshold, after take the new one, and say which they used."""
    shipped = (
        resources.files("dsvb.reference")
        .joinpath("data", case_settings.FILE_NAME)
        .read_text("utf-8")
    )
    old = 'visible_high_risk_score,14,2009-01-01,,"SafeLives DASH'
    assert old in shipped
    changed = shipped.replace(
        old,
        "visible_high_risk_score,12,2025-01-01,,local\n"
        'visible_high_risk_score,14,2009-01-01,2025-01-01,"SafeLives DASH',
    )
    loaded = case_settings.load_settings(changed)
    monkeypatch.setattr(case_settings, "settings", lambda: loaded)
    before = dash.assess("safelives", yes_to(12), on=dt.date(2024, 12, 31))
    after = dash.assess("safelives", yes_to(12), on=dt.date(2025, 1, 1))
    assert (before.visible_high_risk, before.level) == (False, RiskLevel.STANDARD)
    assert (after.visible_high_risk, after.level) == (True, RiskLevel.HIGH)
    assert before.rules_version.endswith("vhr14")
    assert after.rules_version.endswith("vhr12")
    assert dash.visible_high_risk(13, dt.date(2024, 12, 31)) is False
    assert dash.visible_high_risk(12, dt.date(2025, 1, 1)) is True


HEADER = "checklist,question_id,number,section,label,scored,valid_from,valid_to,source\n"


def test_a_question_retired_on_a_day_is_not_asked_after_it() -> None:
    text = (
        HEADER
        + "safelives,injured,1,current_situation,Injured,yes,2009-01-01,,s\n"
        + "safelives,frightened,2,current_situation,Frightened,yes,2009-01-01,2020-01-01,s\n"
        + "acpo_dash,injured,1,current_situation,Injured,yes,2009-01-01,,s\n"
    )
    loaded = dash.load_questions(text)["safelives"]
    assert [q.id for q in loaded.on(dt.date(2019, 12, 31))] == ["injured", "frightened"]
    assert [q.id for q in loaded.on(dt.date(2020, 1, 1))] == ["injured"]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            "nhs,injured,1,current_situation,Injured,yes,2009-01-01,,s\n",
            "x.csv, line 3, column 'checklist': 'nhs' is not a checklist",
        ),
        (
            "safelives,Injured now,1,current_situation,Injured,yes,2009-01-01,,s\n",
            "x.csv, line 3, column 'question_id': 'Injured now' is not an id",
        ),
        (
            "safelives,weapons,2,weapons,Weapons,yes,2009-01-01,,s\n",
            "x.csv, line 3, column 'section': 'weapons' is not a section",
        ),
        (
            "safelives,weapons,2,history,Weapons,maybe,2009-01-01,,s\n",
            "x.csv, line 3, column 'scored': 'maybe' is not yes or no",
        ),
        (
            "safelives,weapons,2,history,,yes,2009-01-01,,s\n",
            "x.csv, line 3, column 'label': the label is empty",
        ),
        (
            "safelives,weapons,2,history,Weapons,yes,1/1/2009,,s\n",
            "x.csv, line 3, column 'valid_from': '1/1/2009' is not a date",
        ),
        (
            "safelives,injured,2,history,Injured,yes,2009-01-01,,s\n",
            "x.csv, line 3, column 'question_id': injured is also on line 2",
        ),
        (
            "safelives,weapons,1,history,Weapons,yes,2009-01-01,,s\n",
            "x.csv, line 3, column 'number': number 1 is also on line 2",
        ),
        (
            "safelives,weapons,2,history,Weapons,yes,2009-01-01\n",
            "x.csv, line 3: the row has 7 values; it needs 9",
        ),
    ],
)
def test_a_questions_file_with_a_mistake_names_the_line_and_column(rows: str, message: str) -> None:
    text = HEADER + "safelives,injured,1,current_situation,Injured,yes,2009-01-01,,s\n" + rows
    text += "acpo_dash,injured,1,current_situation,Injured,yes,2009-01-01,,s\n"
    with pytest.raises(dash.DashFileError) as raised:
        dash.load_questions(text, "x.csv")
    assert str(raised.value).startswith(message)


def test_a_questions_file_without_one_checklist_is_refused() -> None:
    text = HEADER + "safelives,injured,1,current_situation,Injured,yes,2009-01-01,,s\n"
    with pytest.raises(dash.DashFileError, match="line 1, column 'checklist': no questions for"):
        dash.load_questions(text, "x.csv")


WORDING = "checklist,question_id,wording\n"


def test_licensed_wording_is_read_by_checklist_and_question() -> None:
    text = (
        WORDING
        + 'safelives,injured,"The official wording of question 1,\nover two lines"\n'
        + "acpo_dash,stalking_threats,The official wording of S6\n"
    )
    wording = dash.load_wording(text, "licensed.csv")
    assert wording == {
        ("safelives", "injured"): "The official wording of question 1,\nover two lines",
        ("acpo_dash", "stalking_threats"): "The official wording of S6",
    }


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            "safelives,children_hurt,Text\n",
            "licensed.csv, line 4, column 'question_id': 'children_hurt' is not a question "
            "of safelives",
        ),
        ("caada,injured,Text\n", "licensed.csv, line 4, column 'checklist': 'caada' is not"),
        (
            "safelives,injured,Again\n",
            "licensed.csv, line 4, column 'question_id': injured is also on line 2",
        ),
        ("safelives,weapons,\n", "licensed.csv, line 4, column 'wording': the wording is empty"),
    ],
)
def test_a_wording_file_with_a_mistake_names_the_line_and_column(rows: str, message: str) -> None:
    text = WORDING + "safelives,injured,One\n" + "safelives,frightened,Two\n" + rows
    with pytest.raises(dash.DashFileError) as raised:
        dash.load_wording(text, "licensed.csv")
    assert str(raised.value).startswith(message)


def test_a_wording_file_with_the_wrong_header_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    file = tmp_path / "w.csv"
    file.write_text("question,text\ninjured,x\n", encoding="utf-8")
    with pytest.raises(dash.DashFileError, match="line 1: the header must be"):
        dash.wording_file(file)
    with pytest.raises(dash.DashFileError, match="cannot be read"):
        dash.wording_file(tmp_path / "missing.csv")


def test_escalation_shows_the_score_newly_yes_answers_and_the_level() -> None:
    first = dash.assess("safelives", {"injured": "yes", "frightened": "no"}, on=dt.date(2024, 1, 5))
    second = dash.assess(
        "safelives",
        yes_to(15) | {"frightened": "yes"},
        on=dt.date(2024, 3, 1),
    )
    third = dash.assess("safelives", yes_to(15), on=dt.date(2024, 2, 1))
    changes = dash.escalation([second, first, third])  # any order: by date
    assert [(c.before_on, c.on) for c in changes] == [
        (dt.date(2024, 1, 5), dt.date(2024, 2, 1)),
        (dt.date(2024, 2, 1), dt.date(2024, 3, 1)),
    ]
    one, two = changes
    assert (one.score_before, one.score, one.score_change) == (1, 15, 14)
    assert "injured" not in one.newly_yes  # yes before as well
    assert "frightened" in one.newly_yes and len(one.newly_yes) == 14
    assert (one.level_before, one.level, one.level_raised, one.escalated) == (
        RiskLevel.STANDARD,
        RiskLevel.HIGH,
        True,
        True,
    )
    assert two.newly_yes == ()  # frightened was yes already in yes_to(15)
    assert (two.score_change, two.level_raised, two.escalated) == (0, False, False)
    assert dash.escalation([first]) == []


answer_maps = st.dictionaries(
    st.sampled_from([q.id for q in ACPO.on(DAY)]),
    st.sampled_from(["yes", "no", "not_known", ""]),
)
levels = st.one_of(st.none(), st.sampled_from(list(RiskLevel)))


@given(answers=answer_maps, graded=levels, judgement=levels)
def test_the_score_is_the_number_of_yes_and_the_level_never_below_the_score(
    answers: dict[str, str], graded: RiskLevel | None, judgement: RiskLevel | None
) -> None:
    scored = {q.id for q in ACPO.scored(DAY)}
    try:
        result = dash.assess(
            "acpo_dash", answers, on=DAY, graded=graded, judgement=judgement, reasons="why"
        )
    except dash.JudgementError as refused:
        # refused only for lowering: below the score's level, or judgement below grading
        count = sum(1 for q, a in answers.items() if q in scored and a == "yes")
        floor = RiskLevel.HIGH if count >= 14 else RiskLevel.STANDARD
        lowered = [lv for lv in (graded, judgement) if lv is not None and lv.rank < floor.rank]
        below_grading = graded and judgement and judgement.rank < graded.rank
        assert lowered or below_grading, refused
        return
    assert result.score == sum(1 for q, a in answers.items() if q in scored and a == "yes")
    assert result.visible_high_risk == (result.score >= 14)
    assert result.level.rank >= result.score_level.rank
    for chosen in (graded, judgement):
        if chosen is not None:
            assert result.level.rank >= chosen.rank
    assert result.judgement_raised == (result.level.rank > result.score_level.rank)
    assert set(result.unanswered) == {q for q in scored if not answers.get(q)}
