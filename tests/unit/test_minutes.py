"""Minutes in, actions out: the real board notes of 6 November 2007, synthetic minutes in each
other style (Markdown, Word, plain text, PDF), and text built to trick the reader."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsvb.oversight.minutes import FORMS, MinutesError, parse_minutes
from dsvb.oversight.reading import DocumentError

SEED = Path(__file__).parents[1] / "data" / "seeds" / "003_board_notes_2007-11-06.txt"
KINGSTON, HACKNEY, SUTTON = "E09000021", "E09000012", "E09000029"

# The seed's fifteen action lines, read by hand from the file (not from the parser): the line
# number, the paragraph it follows, its owners and how its task starts. Line 234 is written in
# the passive ("Disproportionality to be discussed…") and names nobody: the Board holds it until
# it allocates it (and a warning says so).
# Line 324 is "Action: Kingston" after paragraph 91's list of points: the task is the points.
SEED_ACTIONS = [
    (90, "6", ("Shaun Sawyer",), "update on SLA"),
    (106, "12", ("Board staff",), "invite LSP Chairs"),
    (108, "12", ("Board staff",), "write to Jacqui Smith"),
    (110, "12", ("Board staff",), "find information on molestation orders"),
    (114, "13", ("Shaun Sawyer",), "inform Board how LCJB learning"),
    (124, "15", ("Board staff",), "obtain LCJB Audit report"),
    (134, "17", ("Board staff",), "invite Simon Foy"),
    (150, "22", ("Cindy Butts",), "meet with Shaun Sawyer to discuss pilots"),
    (167, "29", ("Shaun Sawyer",), "identify case"),
    (179, "31", ("Shaun Sawyer",), "update on end-to-end review"),
    (192, "35", ("Board staff",), "invite Tim Godwin"),  # written "Board Staff"
    (200, "37", ("Shaun Sawyer",), "request update"),
    (210, "40", ("Shaun Sawyer",), "provide copy of HMIC report"),
    (234, "51", ("Board",), "Disproportionality to be discussed at separate meeting"),
    (324, "91", ("Kingston upon Thames",), "The murder review."),
]


@pytest.fixture(scope="module")
def seed():
    return parse_minutes(SEED)


def test_the_seed_yields_its_fifteen_action_lines_with_their_owners(seed) -> None:
    got = [(a.line, a.paragraph, a.owners, a.task) for a in seed.actions]
    assert len(got) == 15
    for (line, paragraph, owners, task), (g_line, g_par, g_owners, g_task) in zip(
        SEED_ACTIONS, got, strict=True
    ):
        assert (g_line, g_par, g_owners) == (line, paragraph, owners)
        assert g_task.startswith(task), (line, g_task)
    # every one is written "Action: …"; the passive one and "Kingston" carry no "to <task>"
    assert {a.form for a in seed.actions} == {"action_to", "action_owner"}
    kingston = seed.actions[-1]
    assert kingston.form == "action_owner" and kingston.owner_area_codes == (KINGSTON,)
    assert kingston.task.count("; ") == 5  # its six points
    assert "congratulations to all the staff" in kingston.task
    assert all(code == "" for a in seed.actions[:-1] for code in a.owner_area_codes)


def test_the_seed_warns_of_the_ownerless_action_and_the_doubled_paragraph(seed) -> None:
    messages = [str(w) for w in seed.warnings]
    assert any(
        "line 234" in m and "names no owner" in m and "003_board_notes" in m for m in messages
    )
    assert any("paragraph 94 is numbered twice" in m and "line 342" in m for m in messages)
    assert len(messages) == 2


def test_prose_about_action_in_the_seed_is_not_an_action(seed) -> None:
    lines = {a.line for a in seed.actions}
    # "the police action piece" (177), "initiated an action called Right First Time" (342)
    assert not lines & {177, 271, 342}


def test_the_seed_paragraphs_numbers_headings_and_lines(seed) -> None:
    assert seed.numbering == "document"
    assert seed.title.startswith("Notes from the Metropolitan Police Authority Domestic")
    assert seed.meeting_date == dt.date(2007, 11, 6)
    numbers = [p.number for p in seed.paragraphs]
    assert numbers[:3] == ["1", "2", "3"] and numbers[-1] == "137"
    assert numbers.count("94") == 2 and "95" not in numbers  # as the minutes number them
    assert seed.paragraph("1").heading == "Service Level Agreement"
    assert seed.paragraph("1").text.startswith("Shaun Sawyer said neither")
    assert seed.paragraph("14").heading == "Tower Hamlet Response"
    assert seed.paragraph("24").heading == "Suicides within DV relationships"
    assert seed.paragraph("30").heading == "Hammersmith & Fulham"  # written "30 **H…" (no dot)
    assert seed.paragraph("37").heading == "Sutton"
    assert seed.paragraph("53").heading == "Kingston Borough Report"
    assert seed.paragraph("58").heading == "Questions"
    assert seed.paragraph("137").heading == "Hackney Borough Report"
    # paragraph 28 runs over a page break; the running header is not part of it
    p28 = seed.paragraph("28")
    assert "If we are saying that the MPS need to re-visit" in p28.text
    assert "Metropolitan Police Authority" not in p28.text
    assert p28.lines == (157, 163)
    # the action line belongs to the paragraph it follows; the bullet points to theirs
    assert seed.paragraph("6").lines == (88, 90)
    assert seed.paragraph("30").text.count("\n- ") == 3


def test_the_seed_attendance(seed) -> None:
    groups = {g.label: g.names for g in seed.attendance}
    assert list(groups) == ["Board Members", "MPS", "MPA", "Other Attendees"]
    assert groups["Board Members"][0] == "Cindi Butts" and len(groups["Board Members"]) == 7
    assert "Laura Nicholson" in groups["MPS"]
    assert groups["Other Attendees"].count("Marion Todd") == 1  # listed twice
    assert "Sawsan Satim" in groups["Other Attendees"]  # after the page break
    assert seed.apologies == ()


# --- Markdown ---------------------------------------------------------------------------

MARKDOWN = """\
# Minutes of the Domestic Violence Board, 12 March 2008

**Present:** Cindy Butts (Chair), Anni Marjoram, Dru Sharpling

**Apologies:** Hilary McCollum, Margaret Barker

## 1. Minutes of the previous meeting

The minutes of 6 November 2007 were agreed as a true record.

## 2. Matters arising

2.1 The board reviewed the transaction costs of the audit and found nothing actionable;
the reaction of the boroughs was positive and no action was needed.

**Action:** Shaun Sawyer and Dru Sharpling to agree the SLA by 31 March 2008

2.2 Cindy Butts said the board would write to the Home Secretary.

ACTION – Board staff / Cindy Butts

## 3. Borough reports

(a) Kingston presented its report. The board asked for the arrest figures to be clarified.

Actions: Kingston

(b) Hackney presented its report. Hackney will send the arrest figures by the next meeting (Action)

(c) The board discussed Merton's one stop shop (Action: board staff)

Item 4: Any other business

The board agreed the dates of its meetings for 2008-09.

Action: to circulate the dates
"""


def test_markdown_minutes(tmp_path: Path) -> None:
    path = tmp_path / "minutes.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    m = parse_minutes(path)
    assert m.title == "Minutes of the Domestic Violence Board, 12 March 2008"
    assert m.meeting_date == dt.date(2008, 3, 12)
    assert m.apologies == ("Hilary McCollum", "Margaret Barker")
    assert m.attendance[0].names == ("Cindy Butts", "Anni Marjoram", "Dru Sharpling")
    assert [(p.number, p.heading) for p in m.paragraphs] == [
        ("1", "Minutes of the previous meeting"),
        ("2.1", "Matters arising"),
        ("2.2", "Matters arising"),
        ("3(a)", "Borough reports"),
        ("3(b)", "Borough reports"),
        ("3(c)", "Borough reports"),
        ("4", "Any other business"),
    ]
    # a paragraph's text keeps its action lines, as the minutes print them
    assert m.paragraph("2.1").text.endswith(
        "no action was needed.\n"
        "Action: Shaun Sawyer and Dru Sharpling to agree the SLA by 31 March 2008"
    )
    got = [(a.paragraph, a.owners, a.form, a.due, a.due_text) for a in m.actions]
    assert got == [
        ("2.1", ("Shaun Sawyer", "Dru Sharpling"), "action_to", dt.date(2008, 3, 31),
         "by 31 March 2008"),
        ("2.2", ("Board staff", "Cindy Butts"), "action_owner", None, ""),
        ("3(a)", ("Kingston upon Thames",), "action_owner", None, ""),
        ("3(b)", ("Hackney",), "trailing", None, "by the next meeting"),
        ("3(c)", ("Board staff",), "trailing", None, ""),  # one spelling per owner
        ("4", (), "action_to", None, ""),
    ]  # fmt: skip
    assert m.actions[0].task == "agree the SLA by 31 March 2008"
    # the owners alone: the task is the paragraph's text
    assert m.actions[1].task == "Cindy Butts said the board would write to the Home Secretary."
    assert m.actions[2].task.startswith("Kingston presented its report.")
    assert m.actions[2].owner_area_codes == (KINGSTON,)
    assert m.actions[3].task == "send the arrest figures by the next meeting"
    assert m.actions[3].owner_area_codes == (HACKNEY,)
    assert m.actions[4].task == "The board discussed Merton's one stop shop"
    assert m.actions[5].task == "circulate the dates"
    assert [w.line for w in m.warnings] == [36]
    assert "names no owner" in m.warnings[0].message


# --- Word ---------------------------------------------------------------------------------


def _docx(tmp_path: Path) -> Path:
    import docx

    d = docx.Document()
    d.add_paragraph("Domestic Violence Board: minutes of 9 June 2008", style="Title")
    d.add_paragraph("Present: Cindy Butts, Anthony Wills")
    d.add_paragraph("Kingston follow-up", style="Heading 1")
    d.add_paragraph("Laura Nicholson reported on the murder review.", style="List Number")
    d.add_paragraph("Action 1: Laura Nicholson to send the terms of reference by 30 June 2008")
    d.add_paragraph("Action 2: Board staff to circulate them to members")
    d.add_paragraph("The board considered Sutton's caution rates.", style="List Number")
    d.add_paragraph("Cautions are above half of sanction detections.", style="List Bullet")
    d.add_paragraph("Repeat cautions were given in 12 cases.", style="List Bullet")
    d.add_paragraph("Sutton")
    d.add_paragraph("Any other business", style="Heading 1")
    d.add_paragraph(
        "Members asked about the transaction log; the reaction was that it is actionable.",
        style="List Number",
    )
    d.add_paragraph("ACTION – Anthony Wills & Hilary McCollum")
    path = tmp_path / "minutes.docx"
    d.save(path)
    return path


def test_word_minutes_numbered_by_the_list_style(tmp_path: Path) -> None:
    m = parse_minutes(_docx(tmp_path))
    assert m.title == "Domestic Violence Board: minutes of 9 June 2008"
    assert m.meeting_date == dt.date(2008, 6, 9)
    assert m.attendance[0].names == ("Cindy Butts", "Anthony Wills")
    assert [(p.number, p.heading) for p in m.paragraphs] == [
        ("1", "Kingston follow-up"),
        ("2", "Kingston follow-up"),
        ("3", "Any other business"),
    ]
    got = [(a.paragraph, a.owners, a.form, a.due) for a in m.actions]
    assert got == [
        ("1", ("Laura Nicholson",), "numbered", dt.date(2008, 6, 30)),
        ("1", ("Board staff",), "numbered", None),
        ("2", ("Sutton",), "borough_after_points", None),
        ("3", ("Anthony Wills", "Hilary McCollum"), "action_owner", None),
    ]
    sutton = m.actions[2]
    assert sutton.owner_area_codes == (SUTTON,)
    assert sutton.task == (
        "Cautions are above half of sanction detections.; Repeat cautions were given in 12 cases."
    )
    assert m.actions[3].task.startswith("Members asked about the transaction log")
    assert m.warnings == ()


def test_word_minutes_read_from_bytes_as_an_upload(tmp_path: Path) -> None:
    data = _docx(tmp_path).read_bytes()
    assert len(parse_minutes(data, "upload.docx").actions) == 4


# --- plain text, no numbers ---------------------------------------------------------------

UNNUMBERED = """\
Domestic Violence Board - notes of the meeting held on 14 October 2008

Present: Cindy Butts, Anthony Wills, Davina James-Hanman
Apologies: Dru Sharpling

The board welcomed the Camden borough commander and thanked the borough
for its report, which was received on time.

Action: Camden / Brent to share the one stop shop model by end of January

The board discussed the Victims' Code figures. The reaction of members was
that compliance of 98% deserved praise; no transaction or actionable point arose.

The letter to Sutton was agreed. Board staff will send it (Action)

The board asked Sutton to look at:
- the caution share of sanction detections;
- repeat cautions.

Sutton
"""


def test_unnumbered_text_minutes_are_numbered_in_order_and_say_so(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text(UNNUMBERED, encoding="utf-8")
    m = parse_minutes(path)
    assert m.numbering == "assigned"
    assert "no paragraph numbers" in m.warnings[0].message and m.warnings[0].line is None
    assert m.meeting_date == dt.date(2008, 10, 14)
    assert m.apologies == ("Dru Sharpling",)
    assert [p.number for p in m.paragraphs] == ["1", "2", "3", "4"]
    assert m.paragraphs[0].lines == (6, 7, 9)
    assert m.paragraphs[0].text.startswith("The board welcomed the Camden borough commander and")
    got = [(a.paragraph, a.owners, a.owner_area_codes, a.form, a.due) for a in m.actions]
    assert got == [
        ("1", ("Camden", "Brent"), ("E09000007", "E09000005"), "action_to",
         dt.date(2009, 1, 31)),  # January after an October meeting: the next one
        ("3", ("Board staff",), ("",), "trailing", None),
        ("4", ("Sutton",), (SUTTON,), "borough_after_points", None),
    ]  # fmt: skip
    assert m.actions[1].task == "send it"
    assert m.actions[2].task == "the caution share of sanction detections;; repeat cautions."


def test_pdf_minutes(tmp_path: Path) -> None:
    weasyprint = pytest.importorskip("weasyprint")
    html = (
        "<h1>Minutes of the board, 2 April 2009</h1>"
        "<p>1. Hackney reported on its arrest rate.</p>"
        "<p>Action: Steve Dann to report the October figures by 30 April 2009</p>"
        "<p>2. The board noted the reaction of members.</p>"
    )
    path = tmp_path / "minutes.pdf"
    weasyprint.HTML(string=html).write_pdf(path)
    m = parse_minutes(path)
    assert m.meeting_date == dt.date(2009, 4, 2)
    assert [p.number for p in m.paragraphs] == ["1", "2"]
    [action] = m.actions
    assert (action.paragraph, action.owners, action.due) == (
        "1",
        ("Steve Dann",),
        dt.date(2009, 4, 30),
    )


# --- owners -------------------------------------------------------------------------------


def _minutes(tmp_path: Path, text: str, name: str = "m.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return parse_minutes(path)


def test_owner_spellings_are_one_owner(tmp_path: Path) -> None:
    m = _minutes(
        tmp_path,
        "1. First.\nAction: Board Staff to write\n"
        "2. Second.\nAction: board  staff to phone\n"
        "3. Third.\nAction: Board staff to visit\nAction: Board staff to call\n"
        "4. Fourth.\nAction: SHAUN SAWYER to report\n"
        "5. Fifth.\nAction: Shaun   Sawyer to reply\n",
    )
    assert [a.owners for a in m.actions] == [("Board staff",)] * 4 + [("Shaun Sawyer",)] * 2


def test_owners_joined_every_way_and_boroughs_with_and_in_their_names(tmp_path: Path) -> None:
    m = _minutes(
        tmp_path,
        "1. The boroughs reported.\n"
        "Action: Kingston and Hammersmith & Fulham to share practice\n"
        "Action: Barking and Dagenham, Camden/Brent & Newham to reply\n"
        "Action: Tower Hamlet to send the letter\n",
    )
    first, second, third = m.actions
    assert first.owners == ("Kingston upon Thames", "Hammersmith and Fulham")
    assert first.owner_area_codes == (KINGSTON, "E09000013")
    assert second.owners == ("Barking and Dagenham", "Camden", "Brent", "Newham")
    assert third.owners == ("Tower Hamlets",) and third.owner_area_codes == ("E09000030",)
    assert [str(w) for w in m.warnings] == [
        "m.txt, line 4: owner 'Tower Hamlet' read as Tower Hamlets by similarity"
    ]


# --- attacks ------------------------------------------------------------------------------

PROSE = """\
1. The board discussed the transaction costs of the audit.
2. Members found the report actionable and the reaction positive.
3. Hackney has initiated an action called Right First Time.
4. The core focus will be the police action piece.
Action was taken by the borough before the meeting.
Action-oriented approaches were discussed.
Actionable: nothing further.
Reaction: members were pleased.
Transaction: none recorded.
5. The board took action: it wrote to the borough (see actions below).
"""


def test_words_containing_action_in_prose_are_not_actions(tmp_path: Path) -> None:
    m = _minutes(tmp_path, PROSE)
    assert m.actions == ()
    assert len(m.paragraphs) == 5


@pytest.mark.parametrize("line", ["Action:", "ACTION", "Action –", "Actions:  "])
def test_an_action_with_no_owner_is_kept_with_a_warning(tmp_path: Path, line: str) -> None:
    m = _minutes(tmp_path, f"1. The board agreed to write to the Home Secretary.\n{line}\n")
    [action] = m.actions
    assert action.owners == () and action.owner_area_codes == ()
    assert action.task == "The board agreed to write to the Home Secretary."
    [warning] = m.warnings
    assert warning.line == 2 and "names no owner" in warning.message


def test_an_action_whose_body_is_a_task_not_an_owner(tmp_path: Path) -> None:
    m = _minutes(tmp_path, "1. Noted.\nAction: Write to the Home Secretary\n")
    [action] = m.actions
    assert action.owners == () and action.task == "Write to the Home Secretary"
    assert "names no owner" in m.warnings[0].message


def test_figures_at_the_start_of_a_line_are_not_paragraph_numbers(tmp_path: Path) -> None:
    m = _minutes(
        tmp_path,
        "1. The impact should be an extra\n2000 offenders before the courts.\n"
        "2. The borough has\n2.5 million residents and 40% of them are young.\n"
        "3. Done.\n",
    )
    assert [p.number for p in m.paragraphs] == ["1", "2", "3"]
    assert (
        m.paragraph("1").text == "The impact should be an extra\n2000 offenders before the courts."
    )


def test_a_file_that_is_not_minutes_names_itself(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match=r"empty\.txt: is empty"):
        _minutes(tmp_path, "  \n", "empty.txt")
    with pytest.raises(DocumentError, match=r"x\.csv: is a \.csv"):
        _minutes(tmp_path, "a,b\n", "x.csv")
    with pytest.raises(DocumentError, match=r"fake\.docx: is not a Word"):
        _minutes(tmp_path, "not a zip", "fake.docx")
    with pytest.raises(MinutesError, match=r"only\.md: has no paragraphs"):
        _minutes(tmp_path, "# Minutes of the board, 1 May 2008\n", "only.md")


def test_the_forms_are_the_documented_ones() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "oversight.md").read_text(encoding="utf-8")
    for form in FORMS:
        assert f"`{form}`" in doc


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "",
                    "Action:",
                    "ACTION – ",
                    "Actions: Kingston",
                    "1.",
                    "(a)",
                    "Item 3",
                    "- point",
                    "Sutton",
                    "## 4. Matters arising",
                    "**Action:** to",
                    "(Action)",
                    "x (Action: )",
                    "Action 1: to be done",
                    "2.5 million",
                    "by 31 February 2008",
                    "Present:",
                    "Apologies: ,",
                    "#",
                    "**",
                    "Action: A and and / & B to",
                ]
            ),
            st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
        ),
        min_size=1,
        max_size=25,
    )
)
def test_any_text_gives_minutes_or_a_minutes_error(lines: list[str]) -> None:
    """Whatever the lines, parsing returns minutes (every action on a real line, in a
    known form) or refuses the file with an error naming it — never another exception."""
    data = "\n".join(lines).encode("utf-8")
    try:
        m = parse_minutes(data, "fuzz.txt")
    except DocumentError as exc:
        assert "fuzz.txt" in str(exc)
        return
    count = len(data.decode("utf-8").splitlines())
    for a in m.actions:
        assert a.form in FORMS and 1 <= a.line <= count
        assert len(a.owner_area_codes) == len(a.owners)


def test_minutes_read_from_an_upload_s_bytes() -> None:
    m = parse_minutes(MARKDOWN.encode("utf-8"), "upload.md")
    assert len(m.actions) == 6 and m.name == "upload.md"


ACTION_LIST = """\
1. The board reviewed the borough reports.

Action points:
- Kingston to clarify the arrest figures by 30/06/2008
- Board staff + Cindy Butts to write to the Home Secretary
- circulate the annex

2. The board noted the audit [Action: Board staff]
"""


def test_an_actions_label_over_bullet_points_makes_one_action_each(tmp_path: Path) -> None:
    m = _minutes(tmp_path, ACTION_LIST)
    got = [(a.paragraph, a.owners, a.task, a.form, a.due) for a in m.actions]
    assert got == [
        ("1", ("Kingston upon Thames",), "clarify the arrest figures by 30/06/2008",
         "action_list", dt.date(2008, 6, 30)),
        ("1", ("Board staff", "Cindy Butts"), "write to the Home Secretary", "action_list", None),
        ("1", (), "circulate the annex", "action_list", None),
        ("2", ("Board staff",), "The board noted the audit", "trailing", None),
    ]  # fmt: skip
    [warning] = m.warnings
    assert warning.line == 6 and "names no owner" in warning.message


def test_word_list_levels_number_sub_paragraphs(tmp_path: Path) -> None:
    import docx

    d = docx.Document()
    d.add_paragraph("Matters arising.", style="List Number")
    d.add_paragraph("The SLA goes live in November.", style="List Number 2")
    d.add_paragraph("Agreed action 1: Shaun Sawyer to report on cautions")
    d.add_paragraph("The LCJB audit is near sign-off.", style="List Number 2")
    d.add_paragraph("Kingston's report.", style="List Number")
    path = tmp_path / "levels.docx"
    d.save(path)
    m = parse_minutes(path)
    assert [p.number for p in m.paragraphs] == ["1", "1.1", "1.2", "2"]
    [action] = m.actions
    assert (action.paragraph, action.owners, action.form) == ("1.1", ("Shaun Sawyer",), "numbered")


OWNER_WAYS = """\
1. The board met the borough.
Action: Shaun Sawyer (MPS) to update the board on the
end-to-end review by 31 March 2008
Action: Dru Sharpling – report on attrition
Action: update on SLA (Anni Marjoram)
Action: SS/DS to report
ACTION: SHAUN SAWYER TO UPDATE ON SLA
Action – All members to read the report
Action: Kingston borough to reply
- **Action:** The Chair to write

2. Kingston reported.
Actions: Kingston
- clarify the arrest figures
- look at the 124D forms

3. Shaun Sawyer said he would look into it (Action)
"""


def test_owners_written_before_after_and_around_the_task(tmp_path: Path) -> None:
    m = _minutes(tmp_path, OWNER_WAYS)
    got = [(a.paragraph, a.owners, a.task, a.line) for a in m.actions]
    assert got == [
        ("1", ("Shaun Sawyer",), "update the board on the end-to-end review by 31 March 2008", 2),
        ("1", ("Dru Sharpling",), "report on attrition", 4),
        ("1", ("Anni Marjoram",), "update on SLA", 5),
        ("1", ("SS", "DS"), "report", 6),
        ("1", ("Shaun Sawyer",), "UPDATE ON SLA", 7),  # the capitals' owner is one owner
        ("1", ("All members",), "read the report", 8),
        ("1", ("Kingston upon Thames",), "reply", 9),
        ("1", ("The Chair",), "write", 10),
        # "Actions: Kingston" over its own points: one action, the points its task
        ("2", ("Kingston upon Thames",), "clarify the arrest figures; look at the 124D forms", 13),
        ("3", ("Shaun Sawyer",), "look into it", 17),
    ]
    assert m.actions[0].due == dt.date(2008, 3, 31)  # read from the wrapped line
    assert m.warnings == ()


def test_an_action_table_in_word_and_in_markdown(tmp_path: Path) -> None:
    import docx

    d = docx.Document()
    d.add_paragraph("Minutes of the board, 1 May 2008", style="Title")
    d.add_paragraph("The board heard the Kingston report.", style="List Number")
    table = d.add_table(rows=4, cols=4)
    cells = [
        ("No.", "Action", "Owner", "Due"),
        ("1", "Send the review", "Laura Nicholson", "30 June 2008"),
        ("2", "Clarify arrests", "Kingston", "by the next meeting"),
        ("3", "Write to the Home Office", "", ""),
    ]
    for row, values in zip(table.rows, cells, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    d.add_paragraph("Any other business: none.", style="List Number")
    path = tmp_path / "table.docx"
    d.save(path)
    m = parse_minutes(path)
    assert [p.number for p in m.paragraphs] == ["1", "2"]  # the table's "1", "2" are not
    assert "Send the review | Laura Nicholson" in m.paragraph("1").text
    got = [(a.paragraph, a.owners, a.task, a.line, a.due, a.form) for a in m.actions]
    assert got == [
        ("1", ("Laura Nicholson",), "Send the review", 4, dt.date(2008, 6, 30), "action_table"),
        ("1", ("Kingston upon Thames",), "Clarify arrests", 5, None, "action_table"),
        ("1", (), "Write to the Home Office", 6, None, "action_table"),
    ]
    assert m.actions[1].due_text == "by the next meeting"
    assert [w.line for w in m.warnings] == [6]

    md = _minutes(
        tmp_path,
        "1. Noted.\n\n| Item | Action | Who |\n|---|---|---|\n"
        "| 4.2 | Chase the audit | Board staff |\n",
        "table.md",
    )
    [action] = md.actions
    assert (action.paragraph, action.owners, action.task, action.line) == (
        "4.2", ("Board staff",), "Chase the audit", 5,
    )  # fmt: skip


def test_an_action_at_the_end_of_a_paragraphs_line_is_found():
    """ "… forum. ACTION – <owners>" and "… figures. Action: X to Y" written inside the
    paragraph, not on their own line; "Action was taken" mid-paragraph is prose."""
    text = (
        "1. Welcome.\n"
        "2. The borough described its One Stop Shop and will report to the DV forum. "
        "ACTION – Barking & Dagenham\n"
        "3. Action was taken by the police. The board noted it.\n"
        "4. The CPS will send the figures. Action: CPS to send the charging figures by "
        "31 March 2008.\n"
    ).encode()
    m = parse_minutes(text, "inline.txt")
    found = [(a.paragraph, a.owners, a.form) for a in m.actions]
    assert found == [
        ("2", ("Barking and Dagenham",), "inline"),
        ("4", ("CPS",), "inline"),
    ]
    assert m.actions[0].task.startswith("The borough described its One Stop Shop")
    assert m.actions[0].owner_area_codes == ("E09000002",)
    assert m.actions[1].task == "send the charging figures by 31 March 2008"
    assert str(m.actions[1].due) == "2008-03-31"
