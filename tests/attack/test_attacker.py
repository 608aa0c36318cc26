"""An independent outsider attacks what dsvb publishes (DOMAIN.md, "Disclosure control").

First the attacker itself, on tables made by hand whose answers are known by hand: these
show it can find a disclosure (and that it does not cry wolf on a safe table). Then the real
thing: demo stores of several sizes and seeds, published as the public gets them, every
published file attacked at once; the engine on the same store gives the true values, so the
test knows which narrowed counts are small. It fails, listing every disclosure, when any
small count can be narrowed below the protection width.
"""

from __future__ import annotations

import collections
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest

from dsvb.demo.generator import generate_extract
from dsvb.indicators import definitions
from tests.attack import attacker as A
from tests.attack.scenarios import (
    DEMO_START,
    Truth,
    build_store,
    import_into,
    published_csvs,
    snapshot_extracts,
)

YEAR = (dt.date(2010, 1, 1), dt.date(2010, 12, 31))


# --- hand-made publications --------------------------------------------------------------------


def write(path: Path, rows: list[dict[str, object]]) -> Path:
    """A published CSV file in the public format, from short rows (defaults filled in)."""
    lines = [",".join(A.COLUMNS)]
    for r in rows:
        period = r.get("period", YEAR)
        force = r["area"] == "ALL"
        record = {
            "area_code": r["area"],
            "area_name": "Force (all areas)" if force else f"Area {r['area']}",
            "geography_level": "force" if force else "area",
            "family": r.get("family", "dv"),
            "family_label": "",
            "indicator": r["indicator"],
            "indicator_label": "",
            "period_start": period[0].isoformat(),
            "period_end": period[1].isoformat(),
            "numerator": r["n"],
            "denominator": r.get("d", "[z]"),
            "value": r.get("value", r["n"] if r.get("d", "[z]") == "[z]" else "[c]"),
            "disclosure_policy": "hand-made",
            "disclosure_policy_version": 1,
            "caveat": "",
        }
        lines.append(",".join(str(record[c]) for c in A.COLUMNS))
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def run(paths: list[Path], truth: dict | None = None, remainders: dict | None = None):
    """Every finding (no shortcut: exact ranges), judged against ``truth`` (key -> value)."""
    known = None if remainders is None else (lambda p, f, c: remainders.get((p, f, c)))
    attack = A.Attack(A.build_model(A.read_published(paths), known))
    found = attack.findings(width=None)
    return A.judge(found, (truth or {}).get), attack


def finding(findings, area: str, name: str, family: str = "dv", period=YEAR) -> A.Finding:
    (f,) = [
        f
        for f in findings
        if (f.target.area, f.target.name, f.target.family, f.target.period)
        == (area, name, family, period)
    ]
    return f


def key(area: str, count: str, family: str = "dv", period=YEAR) -> A.Key:
    return (period, family, area, count)


def test_ten_suppressed_areas_sharing_eleven_cautions_are_each_one_or_two(tmp_path) -> None:
    areas = [f"A{k:02}" for k in range(20)]
    rows = [
        {"area": a, "indicator": "caution_share", "n": "[c]" if k < 10 else 0, "d": 50}
        for k, a in enumerate(areas)
    ]
    rows.append({"area": "ALL", "indicator": "caution_share", "n": 11, "d": 1000, "value": 0.011})
    truth = {key(a, "cautions"): 1 + (k == 0) for k, a in enumerate(areas[:10])}
    findings, _ = run([write(tmp_path / "t.csv", rows)], truth)
    for a in areas[:10]:
        f = finding(findings, a, "cautions")
        assert (f.lo, f.hi) == (1, 2)
        assert f.disclosure
        assert {"areas + remainder = force", "a [c] is never 0"} <= set(f.relations)


def test_the_same_table_with_forty_cautions_between_them_is_safe(tmp_path) -> None:
    areas = [f"A{k:02}" for k in range(20)]
    rows = [
        {"area": a, "indicator": "caution_share", "n": "[c]" if k < 10 else 0, "d": 50}
        for k, a in enumerate(areas)
    ]
    rows.append({"area": "ALL", "indicator": "caution_share", "n": 40, "d": 1000, "value": 0.04})
    truth = {key(a, "cautions"): 4 for a in areas[:10]}
    findings, _ = run([write(tmp_path / "t.csv", rows)], truth)
    assert (finding(findings, "A00", "cautions").lo, finding(findings, "A00", "cautions").hi) == (
        1,
        31,
    )
    assert not [f for f in findings if f.disclosure]


def test_offences_minus_victims_pins_the_further_offences(tmp_path) -> None:
    rows = [
        {"area": "A", "indicator": "offences", "n": 30},
        {"area": "A", "indicator": "repeat_victim_rate", "n": "[c]", "d": 29},
        {"area": "B", "indicator": "offences", "n": 50},
        {"area": "B", "indicator": "repeat_victim_rate", "n": 12, "d": 38, "value": 0.315789},
        {"area": "ALL", "indicator": "offences", "n": 80},
        {"area": "ALL", "indicator": "repeat_victim_rate", "n": 13, "d": 67, "value": 0.19403},
    ]
    truth = {key("A", "offences"): 30, key("A", "victims"): 29, key("A", "repeat_victims"): 1}
    findings, _ = run([write(tmp_path / "t.csv", rows)], truth)
    f = finding(findings, "A", "offences − victims")
    assert (f.lo, f.hi, f.truth, f.disclosure) == (1, 1, 1, True)
    assert "further offences = offences − victims" in f.relations
    # B: 12 further offences is not small, so not a disclosure
    assert not finding(findings, "B", "offences − victims").disclosure


def test_a_rate_beside_its_suppressed_numerator_gives_it_back(tmp_path) -> None:
    rows = [
        {"area": "A", "indicator": "sd_rate", "n": "[c]", "d": 40, "value": 0.075},
        {"area": "B", "indicator": "sd_rate", "n": "[c]", "d": 7, "value": 0.142857},
        {"area": "ALL", "indicator": "sd_rate", "n": 500, "d": 5000, "value": 0.1},
    ]
    truth = {key("A", "sanction_detections"): 3, key("B", "sanction_detections"): 1}
    findings, _ = run([write(tmp_path / "t.csv", rows)], truth)
    for area, value in (("A", 3), ("B", 1)):
        f = finding(findings, area, "sanction_detections")
        assert (f.lo, f.hi, f.disclosure) == (value, value, True)
        assert "rate × denominator = numerator (6 decimals)" in f.relations


def test_two_publications_of_nested_periods_give_the_last_month_away(tmp_path) -> None:
    to_november = (dt.date(2010, 1, 1), dt.date(2010, 11, 30))
    december = (dt.date(2010, 12, 1), dt.date(2010, 12, 31))
    year = write(
        tmp_path / "year.csv",
        [
            {"area": "A", "indicator": "offences", "n": 20},
            {"area": "ALL", "indicator": "offences", "n": 90},
        ],
    )
    eleven = write(
        tmp_path / "eleven.csv",
        [
            {"area": "A", "indicator": "offences", "n": 18, "period": to_november},
            {"area": "ALL", "indicator": "offences", "n": 85, "period": to_november},
        ],
    )
    truth = {key("A", "offences", period=december): 2}
    findings, _ = run([year, eleven], truth)
    f = finding(findings, "A", "offences", period=december)
    assert f.target.kind == "segment"
    assert (f.lo, f.hi, f.disclosure) == (2, 2, True)
    assert "a period's records = the sum of its segments" in f.relations


def test_overlapping_publications_with_large_counts_are_safe(tmp_path) -> None:
    later = (dt.date(2010, 4, 1), dt.date(2011, 3, 31))
    first = write(
        tmp_path / "first.csv",
        [
            {"area": "A", "indicator": "offences", "n": 40},
            {"area": "ALL", "indicator": "offences", "n": 90},
        ],
    )
    second = write(
        tmp_path / "second.csv",
        [
            {"area": "A", "indicator": "offences", "n": 44, "period": later},
            {"area": "ALL", "indicator": "offences", "n": 95, "period": later},
        ],
    )
    findings, _ = run([first, second], {})
    january_to_march = finding(findings, "A", "offences", period=(YEAR[0], dt.date(2010, 3, 31)))
    assert (january_to_march.lo, january_to_march.hi) == (0, 40)
    assert not [f for f in findings if f.disclosure]


def safe_rows() -> list[dict[str, object]]:
    """A table where nothing small can be narrowed: two [c] areas share 10 offences."""
    return [
        {"area": "A", "indicator": "offences", "n": 50},
        {"area": "B", "indicator": "offences", "n": 40},
        {"area": "C", "indicator": "offences", "n": "[c]"},
        {"area": "D", "indicator": "offences", "n": "[c]"},
        {"area": "ALL", "indicator": "offences", "n": 100},
        {"area": "A", "indicator": "sd_rate", "n": 20, "d": 50, "value": 0.4},
        {"area": "B", "indicator": "sd_rate", "n": 0, "d": 40, "value": 0},
        {"area": "C", "indicator": "sd_rate", "n": "[c]", "d": "[c]"},
        {"area": "D", "indicator": "sd_rate", "n": "[c]", "d": "[c]"},
        {"area": "ALL", "indicator": "sd_rate", "n": 25, "d": 100, "value": 0.25},
    ]


def test_a_safe_table_gives_nothing_away_even_with_the_remainder_known(tmp_path) -> None:
    truth = {
        key("C", "offences"): 6,
        key("D", "offences"): 4,
        key("C", "sanction_detections"): 3,
        key("D", "sanction_detections"): 2,
        key("A", "sanction_detections"): 20,
        key("B", "sanction_detections"): 0,
    }
    path = write(tmp_path / "t.csv", safe_rows())
    for remainders in (None, {(YEAR, "dv", "offences"): 0, (YEAR, "dv", "sanction_detections"): 0}):
        findings, _ = run([path], truth, remainders)
        assert not [f.describe() for f in findings if f.disclosure]
        c = finding(findings, "C", "offences")
        assert (c.lo, c.hi) == (1, 9)


def test_knowing_the_remainder_can_pin_what_the_files_alone_do_not(tmp_path) -> None:
    rows = [
        {"area": "A", "indicator": "offences", "n": 50},
        {"area": "B", "indicator": "offences", "n": 45},
        {"area": "C", "indicator": "offences", "n": "[c]"},
        {"area": "ALL", "indicator": "offences", "n": 100},
    ]
    path = write(tmp_path / "t.csv", rows)
    truth = {key("C", "offences"): 5}
    weak, _ = run([path], truth)
    assert (finding(weak, "C", "offences").lo, finding(weak, "C", "offences").hi) == (1, 5)
    assert not finding(weak, "C", "offences").disclosure
    strong, _ = run([path], truth, {(YEAR, "dv", "offences"): 0})
    f = finding(strong, "C", "offences")
    assert (f.lo, f.hi, f.disclosure) == (5, 5, True)
    assert "remainder known" in f.relations


def test_a_published_small_count_is_a_disclosure_below_force_level_only(tmp_path) -> None:
    rows = [
        {"area": "A", "indicator": "offences", "n": 8},
        {"area": "B", "indicator": "offences", "n": 0},
        {"area": "ALL", "indicator": "offences", "n": 8},
    ]
    findings, _ = run([write(tmp_path / "t.csv", rows)], {key("A", "offences"): 8})
    assert [f.target.area for f in findings if f.disclosure] == ["A"]
    assert not [f for f in findings if f.target.area == A.FORCE]  # force figures are public


def test_sexual_minus_serious_sexual_is_a_hidden_count_of_crimes(tmp_path) -> None:
    rows = [
        {"area": "A", "indicator": "offences", "n": 30, "family": "sexual"},
        {"area": "A", "indicator": "offences", "n": 28, "family": "serious_sexual"},
        {"area": "ALL", "indicator": "offences", "n": 300, "family": "sexual"},
        {"area": "ALL", "indicator": "offences", "n": 200, "family": "serious_sexual"},
    ]
    truth = {key("A", "offences", "other_sexual"): 2}
    findings, _ = run([write(tmp_path / "t.csv", rows)], truth)
    f = finding(findings, "A", "offences", family="other_sexual")
    assert (f.lo, f.hi, f.disclosure, f.target.shown) == (2, 2, True, "not published")
    assert "sexual = serious sexual + other sexual" in f.relations


def test_a_whole_minus_its_part_is_protected_like_a_cell(tmp_path) -> None:
    rows = [
        {"area": "A", "indicator": "arrest_rate_offences", "n": 25, "d": 27, "value": 0.925926},
        {"area": "ALL", "indicator": "arrest_rate_offences", "n": 250, "d": 400, "value": 0.625},
    ]
    truth = {key("A", "offences"): 27, key("A", "offences_with_arrest"): 25}
    findings, _ = run([write(tmp_path / "t.csv", rows)], truth)
    f = finding(findings, "A", "offences − offences_with_arrest")
    assert (f.lo, f.hi, f.truth, f.disclosure) == (2, 2, 2, True)


def test_the_integer_programme_finds_what_the_linear_one_cannot(tmp_path) -> None:
    # A's cautions/SDs are both [c] but their share is printed: 0.4, so SDs = 2.5 × cautions
    # and cautions is even; the totals leave at most 4 cautions and 12 SDs for A.
    rows = [
        {"area": "A", "indicator": "caution_share", "n": "[c]", "d": "[c]", "value": 0.4},
        {"area": "B", "indicator": "caution_share", "n": 26, "d": 50, "value": 0.52},
        {"area": "ALL", "indicator": "caution_share", "n": 30, "d": 62, "value": 0.483871},
    ]
    truth = {key("A", "cautions"): 2, key("A", "sanction_detections"): 5}
    findings, attack = run([write(tmp_path / "t.csv", rows)], truth)
    lp = finding(findings, "A", "cautions")
    assert (lp.lo, lp.hi, lp.disclosure) == (1, 4, False)
    (ip,) = A.judge([attack.integer_finding(lp.target)], truth.get)
    assert (ip.lo, ip.hi, ip.disclosure, ip.method) == (2, 4, True, "milp")


def test_a_file_the_attacker_cannot_read_is_named_with_row_and_column(tmp_path) -> None:
    path = write(
        tmp_path / "bad.csv",
        [
            {"area": "A", "indicator": "offences", "n": 5},
            {"area": "B", "indicator": "offences", "n": "five"},
        ],
    )
    with pytest.raises(A.PublishedFileError, match=r"bad\.csv, row 2, column numerator"):
        A.read_published([path])
    unknown = write(tmp_path / "unknown.csv", [{"area": "A", "indicator": "mystery", "n": 5}])
    with pytest.raises(A.PublishedFileError, match=r"row 1, column indicator"):
        A.read_published([unknown])


def test_two_files_that_disagree_about_a_figure_are_refused(tmp_path) -> None:
    one = write(tmp_path / "one.csv", [{"area": "A", "indicator": "offences", "n": 12}])
    two = write(
        tmp_path / "two.csv",
        [{"area": "A", "indicator": "crime_conversion", "n": 13, "d": 20, "value": 0.65}],
    )
    with pytest.raises(
        A.PublishedFileError,
        match=r"two\.csv, row 1: offences .* is 13 but .*one\.csv, row 1 gives 12",
    ):
        A.read_published([one, two])


# --- what the attacker knows, checked against the definitions ---------------------------------


def test_the_attackers_definitions_match_dsvb_definitions() -> None:
    """The attacker's own table of what each indicator counts, written from the public
    definitions, is checked here against the code, so that a change there is noticed."""
    indicators = {i.id: (i.numerator, i.denominator) for i in definitions.INDICATORS.values()}
    assert indicators == A.INDICATOR_COUNTS
    assert {c.id: c.source for c in definitions.COUNTS.values()} == A.COUNT_SOURCES
    assert set(definitions.FAMILIES) >= {A.SEXUAL, A.SERIOUS_SEXUAL, A.OTHER_SEXUAL}
    for part, whole, _ in A.PARTS:
        assert A.COUNT_SOURCES[part] and A.COUNT_SOURCES[whole], (part, whole)
    for whole, parts, _ in A.PARTITIONS:
        assert {A.COUNT_SOURCES[p] for p in parts} == {A.COUNT_SOURCES[whole]}


def test_every_relation_is_named_once_and_explained() -> None:
    names = [r.name for r in A.RELATIONS]
    assert len(names) == len(set(names))
    assert all(len(r.sentence) > 20 for r in A.RELATIONS)


# --- attacks on real publications ------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    incidents: int
    seed: int
    two_periods: bool = False  # a store of 24 months, published after 12 and after 24
    integer: bool = False  # also try the integer programme (small stores only)


SCENARIOS = {
    "3k-seed1": Scenario(3_000, 1, integer=True),
    "20k-seed7": Scenario(20_000, 7),
    "demo-135k-seed2010": Scenario(135_312, 2010),
    "10k-seed5-two-years": Scenario(10_000, 5, two_periods=True),
}
CUTOFF = dt.date(2010, 12, 1)  # the earlier publication of a two-period scenario: to Nov 2010
NO_END = dt.date(2100, 1, 1)
INTEGER_WIDEST = 6  # the integer programme tries the small counts the LP leaves 3..6 wide


@dataclass
class Attacked:
    name: str
    files: list[Path]
    findings: list[A.Finding]  # the stronger outsider's (remainders known), small targets
    weak: dict[A.Target, A.Finding]  # the files-only outsider, on what the stronger found
    integer: list[A.Finding]  # narrowed by the integer programme beyond the linear one
    integer_tried: int  # targets the integer programme was tried on

    def disclosures(self) -> list[A.Finding]:
        return [f for f in self.findings if f.disclosure] + [
            f for f in self.integer if f.disclosure
        ]


def _stores(scenario: Scenario, folder: Path) -> list[tuple[Path, dt.date]]:
    if not scenario.two_periods:
        return [(build_store(folder, scenario.incidents, scenario.seed), NO_END)]
    full = folder / "extract"
    generate_extract(
        full, incidents=scenario.incidents, seed=scenario.seed, start=DEMO_START, months=24
    )
    snapshot_extracts(full, CUTOFF, folder / "before", folder / "after")
    return [
        (import_into(folder / "before.duckdb", folder / "before"), CUTOFF),
        (import_into(folder / "after.duckdb", folder / "after"), NO_END),
    ]


@pytest.fixture(scope="module", params=list(SCENARIOS))
def attacked(request, tmp_path_factory) -> Attacked:
    scenario = SCENARIOS[request.param]
    folder = tmp_path_factory.mktemp(request.param)
    stores = _stores(scenario, folder)
    files = published_csvs([path for path, _ in stores], folder / "published")
    truth = Truth(stores)

    def small(target: A.Target) -> bool:
        """Only a small count can be disclosed: the attack spends its time on those."""
        value = A.true_value(target, truth)
        return value is not None and 1 <= value <= A.THRESHOLD

    pub = A.read_published(files)
    strong = A.Attack(A.build_model(pub, truth.remainders(files)))
    findings = A.judge(strong.findings(select=small), truth)
    weak_attack = A.Attack(A.build_model(pub))
    weak = {
        f.target: A.judge([weak_attack.finding(f.target, width=None)], truth)[0]
        for f in findings
        if f.disclosure
    }
    integer, tried = [], 0
    if scenario.integer:
        for f in findings:
            if f.disclosure or f.width > INTEGER_WIDEST:  # (a wide range is at least as wide)
                continue
            lp = f if f.exact else strong.finding(f.target, width=None)
            if A.PROTECTION_WIDTH <= lp.width <= INTEGER_WIDEST:
                tried += 1
                (g,) = A.judge([strong.integer_finding(f.target)], truth)
                if g.width < lp.width:
                    integer.append(g)
    return Attacked(request.param, files, findings, weak, integer, tried)


def test_the_attackers_knowledge_holds_on_real_data(attacked: Attacked) -> None:
    """Every range the attacker works out holds the true value: each relation it assumes is
    true of the data (a false one would make its findings worthless, either way)."""
    wrong = A.unsound([*attacked.findings, *attacked.weak.values(), *attacked.integer])
    assert not wrong, "\n".join(f.describe() for f in wrong)
    assert attacked.files  # every release published (two in the two-year scenario)
    assert len(attacked.files) == (2 if SCENARIOS[attacked.name].two_periods else 1)
    assert attacked.findings
    # (the integer programme may find nothing left 3..6 wide to try once the publisher
    # protects well; its own test is test_the_integer_programme_finds_what_the_linear_one_...)


def test_no_small_count_can_be_narrowed_from_everything_published(attacked: Attacked) -> None:
    found = attacked.disclosures()
    assert not found, report(attacked, found)


def report(attacked: Attacked, found: list[A.Finding]) -> str:
    """Every disclosure, counted by kind, then one line each (with what pins it)."""
    kinds = collections.Counter(
        f"{f.target.kind}, shown {'a number' if f.target.shown[0].isdigit() else f.target.shown}"
        + (" (integer programme)" if f.method == "milp" else "")
        for f in found
    )
    weak = [attacked.weak.get(f.target) for f in found]
    lines = [
        f"{len(found)} small counts disclosed by the publications of {attacked.name} "
        f"(an outsider who knows the remainders; {sum(bool(w and w.disclosure) for w in weak)} "
        f"also from the files alone; protection width {A.PROTECTION_WIDTH}, threshold "
        f"{A.THRESHOLD}):",
        *(f"  {n} × {k}" for k, n in kinds.most_common()),
    ]
    order = sorted(
        zip(found, weak, strict=True),
        key=lambda fw: (fw[0].target.kind, fw[0].target.family, fw[0].target.name),
    )
    for f, w in order:
        lines.append(f"- {f.describe()}" + (" [files alone too]" if w and w.disclosure else ""))
    return "\n".join(lines)
