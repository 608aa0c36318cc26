"""The cases' interchange format read from real CSV files: every problem collected, each at
the true line of its file with its column; references between files; DASH computed."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from dsvb.cases import dash
from dsvb.cases import interchange as fmt
from dsvb.cases.interchange_read import InterchangeError, Problem, read_folder
from dsvb.cases.states import RiskLevel

EXAMPLE = Path(__file__).parents[2] / "data" / "cases"
DOC = Path(__file__).parents[3] / "docs" / "cases-format.md"
MARAC_BY_IDVA = "Northbrook MARAC,Northbrook IDVA service"  # a referral's marac, referrer


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    out = tmp_path / "cases"
    shutil.copytree(EXAMPLE, out)
    return out


def write(folder: Path, name: str, text: str, *, encoding: str = "utf-8") -> None:
    (folder / name).write_text(text, encoding=encoding, newline="")


def append(folder: Path, name: str, text: str) -> int:
    """Add rows to a file; the line number of the first row added."""
    path = folder / name
    old = path.read_text("utf-8")
    path.write_text(old + text, "utf-8", newline="")
    return old.count("\n") + 1


def problems(folder: Path) -> list[Problem]:
    with pytest.raises(InterchangeError) as caught:
        read_folder(folder)
    return caught.value.problems


def where(found: list[Problem]) -> set[tuple[str, int, str]]:
    return {(p.file, p.line, p.column) for p in found}


def test_the_example_reads_with_scores_computed() -> None:
    data = read_folder(EXAMPLE)
    assert {k: len(v) for k, v in data.rows.items()} == {
        "agencies": 4,
        "people": 5,
        "cases": 2,
        "case_people": 3,
        "addresses": 3,
        "incidents": 2,
        "assessments": 2,
        "assessment_answers": 20,
        "meetings": 2,
        "referrals": 2,
        "actions": 2,
        "shares": 2,
    }
    a1, a2 = data.assessed["A-1"], data.assessed["A-2"]
    assert (a1.score, a1.visible_high_risk, a1.level) == (14, True, RiskLevel.HIGH)
    assert (a2.score, a2.visible_high_risk, a2.level, a2.judgement_raised) == (
        3,
        False,
        RiskLevel.HIGH,
        True,
    )
    case = data.of("cases")[0]
    assert case["opened_on"].isoformat() == "2024-02-01" and case["domestic_abuse"] is True
    person = data.of("people")[3]
    assert dict(person["identifiers"]) == {"nhs": "9990000022", "pnc": "00/000002Y"}


def test_only_the_three_required_files_are_needed(folder: Path) -> None:
    for spec in fmt.FILES:
        if not spec.required:
            (folder / spec.filename).unlink()
    (folder / "cases.csv").unlink()
    found = problems(folder)
    assert [str(p) for p in found] == ["cases.csv: the file is missing; it is required"]


def test_a_file_the_format_does_not_have_is_named(folder: Path) -> None:
    write(folder, "case_person.csv", "case,person,role\n")
    write(folder, "Meetings.CSV", "marac,meeting_id,date\n")
    assert where(problems(folder)) == {("case_person.csv", 0, ""), ("Meetings.CSV", 0, "")}


def test_a_missing_file_is_one_problem_not_one_per_reference(folder: Path) -> None:
    (folder / "people.csv").unlink()
    assert [str(p) for p in problems(folder)] == ["people.csv: the file is missing; it is required"]


def test_header_problems_name_line_1_and_the_column(folder: Path) -> None:
    write(folder, "meetings.csv", "marac,meeting_id,day,status\nNorthbrook MARAC,M-1,2024-01-01,\n")
    found = problems(folder)
    assert where(found) == {("meetings.csv", 1, "day"), ("meetings.csv", 1, "date")}
    assert "'day' is not a column of meetings.csv" in str(found)


def test_every_bad_value_is_reported_at_its_line(folder: Path) -> None:
    line = append(
        folder,
        "cases.csv",
        "Northbrook IDVA service,X-1,P-001,,,open,2024-13-01,,true,false,\n"
        "Northbrook IDVA service,X-2,P-001,,,open,2024-01-01,,perhaps,false,\n"
        "Northbrook IDVA service,X-3,P-001,,,pending,2024-01-01,,true,false,\n"
        "Northbrook IDVA service,X-4,,,,open,2024-01-01,,true,false,\n",
    )
    found = problems(folder)
    assert where(found) == {
        ("cases.csv", line, "opened_on"),
        ("cases.csv", line + 1, "domestic_abuse"),
        ("cases.csv", line + 2, "status"),
        ("cases.csv", line + 3, "victim_person_id"),
    }
    text = [str(p) for p in found]
    assert (
        f"cases.csv:{line}: opened_on: '2024-13-01' is not a date (write it as YYYY-MM-DD)" in text
    )
    assert f"cases.csv:{line + 1}: domestic_abuse: 'perhaps' is not true or false" in text
    assert f"cases.csv:{line + 3}: victim_person_id: a value is needed" in text
    assert "'pending' is not one of open, closed" in text[2]


def test_problems_in_several_files_are_all_reported_in_file_order(folder: Path) -> None:
    append(folder, "people.csv", "Northbrook IDVA service,P-9,Example,,,,,,,,,,\n")
    append(
        folder,
        "shares.csv",
        "CSU-2024-017,Northbrook IDVA service,identity,consent,,,2024-03-06,,\n",
    )
    found = problems(folder)
    assert [(p.file, p.column) for p in found] == [
        ("people.csv", "family_name"),
        ("shares.csv", "consent_recorded_on"),
    ]


def test_a_quoted_value_spanning_lines_keeps_the_true_line(folder: Path) -> None:
    write(
        folder,
        "addresses.csv",
        "case,kind,lines,postcode,current\n"
        'IDVA-2024-001,home,"1 Example Road\nFlat 2\nNorthbrook",ZZ1 1AA,true\n'
        'IDVA-2024-001,castle,"3 Sample Lane\nNorthbrook",ZZ1 1AB,true\n'
        "IDVA-2024-001,home,4 Test Street,ZZ1 1AC,maybe\n",
    )
    found = problems(folder)
    assert where(found) == {("addresses.csv", 5, "kind"), ("addresses.csv", 7, "current")}


def test_a_quoted_address_is_read_whole(folder: Path) -> None:
    data = read_folder(folder)
    assert data.of("addresses")[0]["lines"] == "1 Example Road\nNorthbrook"
    assert [r.line for r in data.of("addresses")] == [2, 4, 6]


def test_a_byte_order_mark_is_read_as_nothing(folder: Path) -> None:
    text = (folder / "agencies.csv").read_text("utf-8")
    (folder / "agencies.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    data = read_folder(folder)
    assert data.of("agencies")[0]["name"] == "Northbrook IDVA service"


def test_text_that_is_not_utf8_names_its_line(folder: Path) -> None:
    (folder / "people.csv").write_bytes(
        (folder / "people.csv").read_bytes()
        + "Northbrook IDVA service,P-7,Zoë,Test,,,,,,,,,\n".encode("latin-1")
    )
    found = problems(folder)
    assert where(found) == {("people.csv", 7, "")}
    assert "not UTF-8" in found[0].message


def test_a_row_with_the_wrong_number_of_values(folder: Path) -> None:
    line = append(folder, "meetings.csv", "Northbrook MARAC,M-9\n")
    assert [str(p) for p in problems(folder)] == [
        f"meetings.csv:{line}: the row has 2 values; the header has 4"
    ]


def test_a_repeated_key_names_the_line_it_was_first_on(folder: Path) -> None:
    line = append(folder, "people.csv", "Northbrook IDVA service,P-002,Other,Name,,,,,,,,,\n")
    found = problems(folder)
    assert where(found) == {("people.csv", line, "agency, person_id")}
    assert "is on line 3 already" in found[0].message


def test_the_same_person_id_at_two_agencies_is_two_people(folder: Path) -> None:
    append(folder, "people.csv", "Northbrook Police CSU,P-002,Other,Name,,,,,,,,,\n")
    assert len(read_folder(folder).of("people")) == 6


def test_references_between_files(folder: Path) -> None:
    cases = append(
        folder,
        "cases.csv",
        # a person of another agency is not this agency's
        "Northbrook IDVA service,X-1,C-100,,,open,2024-01-01,,true,false,\n"
        "Unknown agency,X-2,P-001,,,open,2024-01-01,,true,false,\n",
    )
    parties = append(folder, "case_people.csv", "NO-CASE,P-002,perpetrator,,\n")
    answers = append(folder, "assessment_answers.csv", "A-9,injured,yes\nA-1,not_a_question,yes\n")
    meetings = append(folder, "meetings.csv", "Northbrook IDVA service,M-9,2024-05-01,\n")
    referrals = append(
        folder,
        "referrals.csv",
        f"R-9,IDVA-2024-001,{MARAC_BY_IDVA},2024-05-01,repeat,,given,,M-404,\n",
    )
    found = problems(folder)
    assert where(found) == {
        ("cases.csv", cases, "victim_person_id"),
        ("cases.csv", cases + 1, "agency"),
        ("case_people.csv", parties, "case"),
        ("assessment_answers.csv", answers, "assessment_id"),
        ("assessment_answers.csv", answers + 1, "question_id"),
        ("meetings.csv", meetings, "marac"),
        ("referrals.csv", referrals, "meeting"),
    }
    text = "\n".join(map(str, found))
    assert "'C-100' is not a person of Northbrook IDVA service in people.csv" in text
    assert "'not_a_question' is not a question of the SafeLives DASH" in text
    assert "'Northbrook IDVA service' is not a MARAC (its kind is idva)" in text


def test_a_question_of_the_other_checklist_is_refused(folder: Path) -> None:
    # the police DASH has questions about children the SafeLives checklist does not
    police_only = {q.id for q in dash.checklist("acpo_dash").questions}
    partner = {q.id for q in dash.checklist("safelives").questions}
    question = sorted(police_only - partner)[0]
    line = append(folder, "assessment_answers.csv", f"A-1,{question},yes\n")
    assert where(problems(folder)) == {("assessment_answers.csv", line, "question_id")}


def test_an_unknown_answer_and_checklist(folder: Path) -> None:
    answers = append(folder, "assessment_answers.csv", "A-1,weapons,maybe\n")
    assessments = append(
        folder,
        "assessments.csv",
        "Northbrook IDVA service,A-3,IDVA-2024-001,oasys,2024-02-01,,,,\n",
    )
    assert where(problems(folder)) == {
        ("assessment_answers.csv", answers, "answer"),
        ("assessments.csv", assessments, "checklist"),
    }


def test_judgement_lowering_a_level_is_refused_on_its_row(folder: Path) -> None:
    text = (folder / "assessments.csv").read_text("utf-8")
    write(
        folder,
        "assessments.csv",
        text.replace(",safelives,2024-02-01,,,,", ",safelives,2024-02-01,,medium,,"),
    )
    found = problems(folder)
    assert [(p.file, p.line, p.column) for p in found] == [
        ("assessments.csv", 2, "judgement_level")
    ]
    assert "cannot lower the level from high to medium" in found[0].message


def test_judgement_raising_a_level_needs_reasons(folder: Path) -> None:
    text = (folder / "assessments.csv").read_text("utf-8")
    write(folder, "assessments.csv", text.replace('"Threats escalating; synthetic example"', ""))
    assert where(problems(folder)) == {("assessments.csv", 3, "judgement_reasons")}


def test_a_checklist_before_it_was_in_use(folder: Path) -> None:
    text = (folder / "assessments.csv").read_text("utf-8")
    write(
        folder, "assessments.csv", text.replace(",safelives,2024-02-01,", ",safelives,2001-02-01,")
    )
    found = problems(folder)
    # the answers were to questions not yet in use, and the checklist was not in use
    assert ("assessments.csv", 2, "assessed_on") in where(found)


def test_share_groups_beyond_the_recipients_need(folder: Path) -> None:
    line = append(
        folder,
        "shares.csv",
        "IDVA-2024-001,Northbrook Children's Services,identity;refuge_address;health,"
        "legal_basis,Children Act 1989 s.47,,2024-04-01,,\n",
    )
    found = problems(folder)
    assert where(found) == {("shares.csv", line, "groups")}
    assert found[0].message.startswith(
        "refuge_address, health: not needed by a Children's social care"
    )


def test_share_rules(folder: Path) -> None:
    line = append(
        folder,
        "shares.csv",
        "IDVA-2024-001,Northbrook IDVA service,identity,consent,,2024-01-01,2024-04-01,,\n"
        "IDVA-2024-001,Northbrook Police CSU,identity;secrets,legal_basis,,,2024-04-01,,\n"
        "IDVA-2024-001,Northbrook Police CSU,identity,legal_basis,s.115,,2024-04-02,2024-04-01,\n",
    )
    assert where(problems(folder)) == {
        ("shares.csv", line, "to_agency"),
        ("shares.csv", line + 1, "groups"),
        ("shares.csv", line + 2, "withdrawn_reason"),
        ("shares.csv", line + 2, "withdrawn_on"),
    }


def test_identifiers_and_lists(folder: Path) -> None:
    line = append(
        folder,
        "people.csv",
        "Northbrook IDVA service,P-7,A,B,,,,,,,,,nhs\n"
        "Northbrook IDVA service,P-8,A,B,,,,,,,,,nhs:1;nhs:2\n"
        "Northbrook IDVA service,P-9,A,B,,,,,,,,not-an-address,\n",
    )
    assert where(problems(folder)) == {
        ("people.csv", line, "identifiers"),
        ("people.csv", line + 1, "identifiers"),
        ("people.csv", line + 2, "email"),
    }


def test_referral_and_case_rules(folder: Path) -> None:
    referrals = append(
        folder,
        "referrals.csv",
        f"R-9,IDVA-2024-001,{MARAC_BY_IDVA},2024-05-01,repeat;hunch,,given,,,\n"
        f"R-10,IDVA-2024-001,{MARAC_BY_IDVA},2024-05-01,repeat,,not_sought,,,\n",
    )
    cases = append(
        folder,
        "cases.csv",
        "Northbrook IDVA service,X-1,P-001,,,closed,2024-01-01,,true,false,\n"
        "Northbrook IDVA service,X-2,P-001,,,closed,2024-01-01,2023-12-01,true,false,\n",
    )
    assert where(problems(folder)) == {
        ("referrals.csv", referrals, "criteria"),
        ("referrals.csv", referrals + 1, "consent_reason"),
        ("cases.csv", cases, "closed_on"),
        ("cases.csv", cases + 1, "closed_on"),
    }


def test_a_problem_reads_file_line_column_problem() -> None:
    assert str(Problem("cases.csv", 7, "opened_on", "a value is needed")) == (
        "cases.csv:7: opened_on: a value is needed"
    )


def test_the_document_holds_every_file_and_column() -> None:
    doc = DOC.read_text("utf-8")
    for spec in fmt.FILES:
        assert f"### {spec.filename}" in doc
        section = doc.split(f"### {spec.filename}")[1].split("### ")[0]
        for column in spec.columns:
            assert f"| `{column.name}` |" in section, (spec.filename, column.name)


def test_the_documents_tables_are_the_formats() -> None:
    doc = DOC.read_text("utf-8")
    found = re.search(r"tables_markdown\(\): start -->\n(.*)<!-- generated", doc, re.S)
    assert found is not None
    assert found.group(1) == fmt.tables_markdown(), (
        "docs/cases-format.md is out of date: paste dsvb.cases.interchange.tables_markdown() "
        "between its generated markers"
    )


def test_two_assessments_a_reimport_could_not_tell_apart_are_refused(folder: Path) -> None:
    line = append(
        folder,
        "assessments.csv",
        "Northbrook IDVA service,A-3,IDVA-2024-001,safelives,2024-02-01,,,,Another IDVA\n",
    )
    found = problems(folder)
    assert where(found) == {("assessments.csv", line, "case, agency, checklist, assessed_on")}
    assert found[0].message.endswith("assessed_on '2024-02-01' is on line 2 already")


def test_a_value_longer_than_its_field_is_refused(folder: Path) -> None:
    line = append(folder, "people.csv", f"Northbrook IDVA service,P-7,{'A' * 101},B,,,,,,,,,\n")
    found = problems(folder)
    assert [str(p) for p in found] == [
        f"people.csv:{line}: given_name: the value is 101 characters long; at most 100"
    ]


def test_a_share_on_consent_recorded_after_it_was_made_is_refused(folder: Path) -> None:
    """Each share passes the web's own check (sharing.check_share) on its shared_on."""
    line = append(
        folder,
        "shares.csv",
        "IDVA-2024-001,Northbrook Police CSU,identity;risk,consent,,2024-05-02,2024-05-01,,\n"
        "IDVA-2024-001,Northbrook Police CSU,identity;risk,consent,,2024-05-01,2024-05-03,,\n",
    )
    found = problems(folder)
    assert where(found) == {("shares.csv", line, "consent_recorded_on")}
    assert found[0].message == (
        "consent recorded on 2024-05-02 is after the share on 2024-05-01: a share on consent "
        "needs the consent first"
    )


def test_two_agency_names_differing_only_in_case_or_spacing_are_one_agency(
    folder: Path,
) -> None:
    line = append(folder, "agencies.csv", "northbrook  police csu,police,E09000022,,\n")
    found = problems(folder)
    assert where(found) == {("agencies.csv", line, "name")}
    assert "'Northbrook Police CSU' of line 3" in found[0].message


def test_an_agency_named_extract_is_refused_on_its_row(folder: Path) -> None:
    """Person linkage calls the police extract's records source 'extract': an agency of that
    name would have its people taken for the police's (decision 0046)."""
    line = append(folder, "agencies.csv", " EXTRACT ,idva,E09000022,,\n")
    found = problems(folder)
    assert where(found) == {("agencies.csv", line, "name")}
    assert "police extract" in found[0].message
