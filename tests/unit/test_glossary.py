"""The glossary data: the shipped file loads and holds the terms the pages use; a bad file
fails with its file, line and column named. No Django here: the glossary is domain data."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from dsvb.indicators.definitions import FAMILIES, INDICATORS
from dsvb.reference.glossary import GlossaryError, glossary, load_glossary

HEADER = "id,term,matches,definition,see_also,source\n"
ABBREVIATION = re.compile(r"\b(?:\d+[A-Z]+|[A-Z]{2,}\d*)\b")  # CAD, CRIS, SCD2, 124D, DV


def test_the_shipped_glossary_loads_with_unique_ids_and_resolving_links() -> None:
    g = glossary()
    ids = [t.id for t in g]
    assert len(ids) == len(set(ids)) and len(ids) >= 40
    for t in g:
        assert t.definition.strip() and t.source.strip() and t.term.strip()
        for other in t.see_also:
            assert other in g, f"{t.id} refers to {other}"


def test_the_terms_the_issue_names_are_there() -> None:
    g = glossary()
    for phrase, term_id in {
        "CAD": "cad",
        "CRIS": "cris",
        "124D": "dash",
        "DASH": "dash",
        "SCD2": "scd2",
        "Sapphire": "scd2",
        "HBV": "hbv",
        "FM": "fm",
        "FGM": "fgm",
        "Havens": "havens",
        "sanction detection": "sanction_detection",
        "MARAC": "marac",
        "IDVA": "idva",
        "MAPPA": "mappa",
        "Victims' Code": "vcop",
        "funnel plot": "funnel_plot",
        "[c]": "suppressed",
    }.items():
        term = g.lookup(phrase)
        assert term is not None and term.id == term_id, phrase


def test_every_abbreviation_in_an_indicator_or_family_label_has_an_entry() -> None:
    labels = [i.label for i in INDICATORS.values()] + [f.label for f in FAMILIES.values()]
    found = {a for label in labels for a in ABBREVIATION.findall(label)}
    assert {"CAD", "CRIS", "DASH", "124D", "DV", "HBV", "FGM", "LGBT"} <= found
    missing = sorted(a for a in found if glossary().lookup(a) is None)
    assert not missing, f"abbreviations in indicator labels with no glossary entry: {missing}"


def test_every_indicator_label_naming_a_special_term_links_to_it() -> None:
    g = glossary()
    assert [t.id for t in g.terms_in(INDICATORS["cad_to_cris"].label)] == ["cad_to_cris"]
    assert "havens" in [t.id for t in g.terms_in(INDICATORS["havens_referral_rate"].label)]
    assert [t.id for t in g.terms_in(INDICATORS["hbv_fm_crimes"].label)] == ["hbv", "fm"]
    assert "dash" in [t.id for t in g.terms_in(INDICATORS["risk_form_supervision"].label)]


def test_segments_link_each_term_once_on_whole_words_and_keep_the_text() -> None:
    g = glossary()
    text = "A cadet checked CAD and CRIS: CAD again, then sanction detections."
    segments = g.segments(text)
    assert "".join(s.text for s in segments) == text
    linked = [(s.text, s.term.id) for s in segments if s.term]
    assert linked == [
        ("CAD", "cad"),
        ("CRIS", "cris"),
        ("sanction detections", "sanction_detection"),
    ]
    # the longest phrase wins: CAD-to-CRIS is one term, not CAD and CRIS
    assert [t.id for t in g.terms_in("CAD-to-CRIS compliance")] == ["cad_to_cris"]
    assert g.segments("") == []


def test_letters_group_terms_a_to_z_with_digits_first() -> None:
    letters = glossary().letters()
    headings = [letter for letter, _ in letters]
    assert headings == sorted(headings, key=lambda h: (not h[0].isdigit(), h))
    for letter, terms in letters:
        assert all(t.letter == letter for t in terms)
        assert [t.sort_key for t in terms] == sorted(t.sort_key for t in terms)


@pytest.mark.parametrize(
    ("rows", "line", "column", "words"),
    [
        ("cad,CAD,CAD,Calls.,,papers\ncad,CAD again,,Calls.,,papers\n", 3, "id", "already used"),
        ('cad,CAD,CAD,"",,papers\n', 2, "definition", "is empty"),
        ("cad,CAD,CAD,Calls.,,\n", 2, "source", "is empty"),
        ("cad,CAD,CAD,Calls.,cris,papers\n", 2, "see_also", "'cris', which is not a term"),
        ("Cad,CAD,CAD,Calls.,,papers\n", 2, "id", "not an id"),
        ("cad,CAD,CAD,Calls.,,papers\ncris,CRIS,CAD,Crimes.,,papers\n", 3, "matches", "one term"),
        ('cad,CAD,CAD,"Calls,\nover two lines.",,papers\ncad,Again,,x,,y\n', 4, "id", "line 2"),
        ("cad,CAD,CAD,Calls.\n", 2, None, "needs 6"),
    ],
)
def test_a_bad_glossary_names_the_file_line_and_column(rows, line, column, words) -> None:
    with pytest.raises(GlossaryError) as caught:
        load_glossary(HEADER + rows, "glossary.csv")
    error = caught.value
    assert (error.file, error.line, error.column) == ("glossary.csv", line, column)
    assert words in str(error) and str(error).startswith(f"glossary.csv, line {line}")


def test_a_wrong_header_is_refused() -> None:
    with pytest.raises(GlossaryError, match=r"glossary.csv, line 1: the header must be"):
        load_glossary("id,term,definition\ncad,CAD,Calls.\n", "glossary.csv")
    with pytest.raises(GlossaryError, match="empty"):
        load_glossary("", "glossary.csv")


def test_the_glossary_loads_without_django() -> None:
    """Domain data: briefs, letters and the CLI read it with no web framework loaded."""
    code = (
        "import sys; from dsvb.reference.glossary import glossary; glossary(); "
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'django' "
        "or m.startswith('dsvb.web')); print(loaded); sys.exit(1 if loaded else 0)"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
