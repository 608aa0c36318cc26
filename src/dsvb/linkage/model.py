"""The linkage model: what is compared, how pairs are found, and how the weights are learnt.

Records are first *prepared* (:data:`PREPARE_SQL`): names lower-cased to letters only, a
given name's common short form mapped to its full name (reference data
``nicknames.csv``), the date of birth as text and as a "day/month either way round" key,
the postcode in one spacing with its sector and district. Splink (decision 0046) then
scores pairs on five comparisons:

- given name: exact, the same full name behind a nickname, Jaro-Winkler >= 0.92, >= 0.80;
- family name: exact, Jaro-Winkler >= 0.92, >= 0.80 (a changed surname scores "else",
  which the other identifiers can outweigh);
- date of birth: exact, day and month transposed, one character different (a typo or a
  year one out), the same day and month in another year;
- postcode: full, sector, district, area (the letters: SE, N);
- sex: the same or not.

A missing value scores nothing either way (the null level). Only pairs that share a
*blocking* key are scored (:data:`BLOCKING_RULES`), so a million records make a few
million pairs, not half a trillion. The weights are learnt (:func:`train`): u by
random sampling of pairs (seeded), m by expectation maximisation on blocked pairs (Splink
samples deterministically), the prior from near-certain matches. The trained model is
saved with each run (``link_runs.model``) and reused, so later runs do not retrain.

Everything here is SQL that Splink runs on DuckDB (or Spark for very large data: the
levels use Splink's own Jaro-Winkler and Damerau-Levenshtein, and plain ``substr``).
"""

from __future__ import annotations

import json
import re
from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import Linker, SettingsCreator, block_on
from splink.internals.exceptions import EMTrainingException  # Splink 5 exports it nowhere else

from dsvb.reference.nicknames import nicknames

#: bump when the comparisons, levels or blocking change: a saved model of another
#: version is not reused (the run trains afresh)
MODEL_VERSION = 3  # 2: term-frequency adjustments on exact names; 3: postcode area
#: fixed seed for the random sampling of u, so that training is repeatable
SEED = 18
#: pairs at or above this match probability are the same person
THRESHOLD = 0.8

#: the prepared table's columns (the input to Splink)
COLUMNS = (
    "unique_id",
    "source",
    "record_id",
    "given_name",
    "given_canon",
    "family_name",
    "dob",
    "dob_canon",
    "postcode",
    "pc_sector",
    "pc_district",
    "pc_area",
    "sex",
)

#: columns whose exact agreement weighs more when the value is rare (a rare surname agreeing
#: says more than "Smith" agreeing): Splink's term-frequency adjustment
TF_COLUMNS = ("given_name", "family_name")

#: the comparisons' names, in the order Splink reports them
COMPARISONS = ("given_name", "family_name", "dob", "postcode", "sex")


def _letters(column: str) -> str:
    return f"nullif(regexp_replace(lower(trim({column})), '[^a-z]', '', 'g'), '')"


#: raw records (``source, record_id, given_name, family_name, date_of_birth, postcode,
#: sex``) in table ``{raw}`` to the prepared table ``{out}``; the nickname table is
#: ``{nicknames}`` (nickname, name)
PREPARE_SQL = f"""
CREATE OR REPLACE TABLE {{out}} AS
WITH clean AS (
    SELECT source, record_id,
        {_letters("given_name")} AS given_name,
        {_letters("family_name")} AS family_name,
        date_of_birth,
        nullif(regexp_replace(upper(postcode), '[^A-Z0-9]', '', 'g'), '') AS pc,
        CASE lower(sex) WHEN 'female' THEN 'F' WHEN 'f' THEN 'F'
                        WHEN 'male' THEN 'M' WHEN 'm' THEN 'M' END AS sex
    FROM {{raw}}
)
SELECT
    source || '|' || record_id AS unique_id,
    source, record_id,
    given_name,
    coalesce(n.name, given_name) AS given_canon,
    family_name,
    strftime(date_of_birth, '%Y-%m-%d') AS dob,
    CASE WHEN date_of_birth IS NOT NULL THEN
        CAST(year(date_of_birth) AS VARCHAR) || '-'
        || CAST(least(month(date_of_birth), day(date_of_birth)) AS VARCHAR) || '-'
        || CAST(greatest(month(date_of_birth), day(date_of_birth)) AS VARCHAR)
    END AS dob_canon,
    CASE WHEN length(pc) >= 5 THEN substr(pc, 1, length(pc) - 3) || ' ' || substr(pc, -3)
    END AS postcode,
    CASE WHEN length(pc) >= 5 THEN substr(pc, 1, length(pc) - 3) || ' ' || substr(pc, -3, 1)
    END AS pc_sector,
    CASE WHEN length(pc) >= 5 THEN substr(pc, 1, length(pc) - 3) END AS pc_district,
    CASE WHEN length(pc) >= 5 THEN regexp_extract(pc, '^[A-Z]+') END AS pc_area,
    sex
FROM clean LEFT JOIN {{nicknames}} n ON n.nickname = clean.given_name
"""


def _letters_only(name: str) -> str:
    return re.sub("[^a-z]", "", name.lower())


def canonical_names() -> dict[str, str]:
    """Each nickname's full name, as :data:`PREPARE_SQL` compares them (letters only). A
    short form of several names ("sam": Samantha, Samuel) takes the first in the file; the
    other identifiers tell those apart. Two nicknames of one name (Liz, Beth) meet there."""
    canonical: dict[str, str] = {}
    for name, nickname in nicknames().pairs:
        canonical.setdefault(_letters_only(nickname), _letters_only(name))
    return canonical


def prepare(con: Any, raw: str, out: str) -> None:
    """Prepare the records of table ``raw`` into table ``out`` (on ``con``, DuckDB)."""
    names = sorted(canonical_names().items())
    con.execute("CREATE OR REPLACE TEMP TABLE dsvb_nicknames (nickname VARCHAR, name VARCHAR)")
    con.executemany("INSERT INTO dsvb_nicknames VALUES (?, ?)", names)
    con.execute(PREPARE_SQL.format(raw=raw, out=out, nicknames="dsvb_nicknames"))


def comparisons() -> list[Any]:
    """The five comparisons (see the module's docstring for why each level is there)."""
    return [
        cl.CustomComparison(
            output_column_name="given_name",
            comparison_levels=[
                cll.NullLevel("given_name"),
                cll.ExactMatchLevel("given_name", term_frequency_adjustments=True).configure(
                    label_for_charts="exact"
                ),
                cll.CustomLevel("given_canon_l = given_canon_r", "nickname"),
                cll.JaroWinklerLevel("given_name", 0.92).configure(label_for_charts="jw>=0.92"),
                cll.JaroWinklerLevel("given_name", 0.80).configure(label_for_charts="jw>=0.80"),
                cll.ElseLevel(),
            ],
        ),
        cl.CustomComparison(
            output_column_name="family_name",
            comparison_levels=[
                cll.NullLevel("family_name"),
                cll.ExactMatchLevel("family_name", term_frequency_adjustments=True).configure(
                    label_for_charts="exact"
                ),
                cll.JaroWinklerLevel("family_name", 0.92).configure(label_for_charts="jw>=0.92"),
                cll.JaroWinklerLevel("family_name", 0.80).configure(label_for_charts="jw>=0.80"),
                cll.ElseLevel(),
            ],
        ),
        cl.CustomComparison(
            output_column_name="dob",
            comparison_levels=[
                cll.NullLevel("dob"),
                cll.ExactMatchLevel("dob").configure(label_for_charts="exact"),
                cll.CustomLevel("dob_canon_l = dob_canon_r", "day and month transposed"),
                cll.DamerauLevenshteinLevel("dob", 1).configure(
                    label_for_charts="one character different"
                ),
                cll.CustomLevel("substr(dob_l, 6, 5) = substr(dob_r, 6, 5)", "same day and month"),
                cll.ElseLevel(),
            ],
        ),
        cl.CustomComparison(
            output_column_name="postcode",
            comparison_levels=[
                cll.NullLevel("postcode"),
                cll.ExactMatchLevel("postcode").configure(label_for_charts="exact"),
                cll.ExactMatchLevel("pc_sector").configure(label_for_charts="same sector"),
                cll.ExactMatchLevel("pc_district").configure(label_for_charts="same district"),
                cll.ExactMatchLevel("pc_area").configure(label_for_charts="same area"),
                cll.ElseLevel(),
            ],
        ),
        cl.CustomComparison(
            output_column_name="sex",
            comparison_levels=[
                cll.NullLevel("sex"),
                cll.ExactMatchLevel("sex").configure(label_for_charts="exact"),
                cll.ElseLevel(),
            ],
        ),
    ]


#: pairs never linked whatever their score: given names entirely different (not the same,
#: not a nickname, not close in spelling) while the family names agree. This is the
#: pattern of twins and siblings, whose other identifiers (surname, date of birth, address,
#: sex) all agree, so that their sum outweighs the given names however those are weighted:
#: the comparisons are scored as independent, and twins are where they are not. A person
#: whose records give two unrelated given names is missed instead (rare; a reviewer can
#: see both records under the same surname and date of birth). Levels count down from the
#: most alike (given name: exact 4 ... else 0; family name: exact 3, jw>=0.92 2, ...).
VETO_SQL = "gamma_given_name = 0 AND gamma_family_name >= 2"

#: the pairs that are scored: each rule catches matches the others miss (a typo in the
#: surname, a transposed or missing date of birth, a changed surname, a move)
BLOCKING_RULES = (
    "l.dob_canon = r.dob_canon AND substr(l.given_canon, 1, 1) = substr(r.given_canon, 1, 1)",
    "l.dob_canon = r.dob_canon AND substr(l.family_name, 1, 1) = substr(r.family_name, 1, 1)",
    "l.family_name = r.family_name AND l.postcode = r.postcode",
    "l.given_canon = r.given_canon AND l.family_name = r.family_name "
    "AND l.pc_district = r.pc_district",
    "l.given_canon = r.given_canon AND l.postcode = r.postcode",
    "l.dob = r.dob AND l.postcode = r.postcode",
)


def settings(prior: float | None = None) -> SettingsCreator:
    """The untrained model (with ``prior``, the chance two random records match, if given)."""
    extra = {} if prior is None else {"probability_two_random_records_match": prior}
    return SettingsCreator(
        **extra,
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=comparisons(),
        blocking_rules_to_generate_predictions=list(BLOCKING_RULES),
        retain_matching_columns=True,  # the levels (gamma_*) come only with them
        retain_intermediate_calculation_columns=True,
        max_iterations=20,
    )


def train(db_api: Any, table: Any, n_records: int, *, starting: bool = True) -> dict[str, Any]:
    """Learn the weights on the prepared records ``table`` (a registered SplinkDataFrame);
    returns the trained model (Splink's settings dictionary, with :data:`MODEL_VERSION`).

    Deterministic: u from a seeded sample of random pairs, m by EM on pairs blocked on
    the date of birth (teaching the names, postcode and sex) and on the full name (teaching
    the date of birth), each capped at a deterministic sample of pairs. When EM's m values
    are implausible (:func:`plausible`) and ``starting`` is true, the shipped starting
    model's m values are used with this data's u values and prior.
    """
    linker = Linker(table, settings())
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_canon", "family_name", "dob")], recall=0.7
    )
    if not linker.misc.save_model_to_json()["probability_two_random_records_match"] > 0:
        # no two records alike in full name and date of birth (a store where nobody is
        # recorded twice): Splink estimates a prior of 0, whose log every later step
        # takes, so the starting model's prior, scaled to these records, stands
        linker = Linker(
            table, settings(starting_model(n_records)["probability_two_random_records_match"])
        )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=SEED)
    try:
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on("dob"), max_pairs=3e5
        )
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on("given_canon", "family_name"), max_pairs=3e5
        )
    except EMTrainingException:
        if not starting:
            raise
        # no blocked pairs to learn m from: the starting model's m with this data's u
        model = linker.misc.save_model_to_json()
        model["dsvb_model_version"] = MODEL_VERSION
        model["dsvb_trained_on_records"] = n_records
        return with_m_from(model, starting_model(n_records))
    model = linker.misc.save_model_to_json()
    model["dsvb_model_version"] = MODEL_VERSION
    model["dsvb_trained_on_records"] = n_records
    if starting and not plausible(model):
        model = with_m_from(model, starting_model(n_records))
        # how often one person's records give another postcode is not a property of record
        # keeping but of how their ids came about (the demo's second ids are all at another
        # home): learnt from the pairs agreeing on full name and date of birth, nearly all
        # one person where namesakes are rare, with u fixed at the data's own
        # (none such pairs: the starting model's postcode m stays)
        linker = Linker(table, splink_settings(model))
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                block_on("given_canon", "family_name", "dob"),
                fix_u_probabilities=True,
                max_pairs=3e5,
            )
        except EMTrainingException:
            return model
        model = with_m_of(model, linker.misc.save_model_to_json(), "postcode")
    return model


def with_m_of(model: dict[str, Any], source: dict[str, Any], name: str) -> dict[str, Any]:
    """``model`` with comparison ``name``'s m values from ``source`` (EM on the pairs alike
    in full name and date of birth), level by level where ``source`` learnt a possible
    one (at least 1e-6; else the level keeps its own); the model says so."""
    result = json.loads(json.dumps(model))
    theirs = {c["output_column_name"]: c for c in source["comparisons"]}[name]
    for comparison in result["comparisons"]:
        if comparison["output_column_name"] == name:
            for level, other in zip(
                comparison["comparison_levels"], theirs["comparison_levels"], strict=True
            ):
                if not level.get("is_null_level") and _m(other) >= 1e-6:
                    level["m_probability"] = other["m_probability"]
    learnt = f"{name}'s from EM on pairs alike in full name and date of birth"
    result["dsvb_m_from"] = f"{result.get('dsvb_m_from', 'trained')}; {learnt}"
    return result


def _m(level: dict[str, Any]) -> float:
    return float(level.get("m_probability") or 0.0)


def plausible(model: dict[str, Any]) -> bool:
    """Whether EM's m values make sense: for every comparison, two records of one person
    agree exactly more often than they disagree entirely, and no level is impossible for
    them. EM fails this where matches are rare among its blocked pairs (a store where
    most people are recorded once): it then finds another grouping of the pairs than
    "the same person" (the demo's extract: m of an exact date of birth 0.005)."""
    for comparison in model.get("comparisons", []):
        levels = [lvl for lvl in comparison["comparison_levels"] if not lvl.get("is_null_level")]
        if not levels or _m(levels[0]) <= _m(levels[-1]):
            return False
        if any(_m(lvl) < 1e-6 for lvl in levels):
            return False
    return True


def with_m_from(model: dict[str, Any], source: dict[str, Any]) -> dict[str, Any]:
    """``model`` with the m values of ``source`` (same comparisons and levels): how often
    one person's records disagree is a property of record keeping, carried over; u and the
    prior stay the data's own. The model says so (``dsvb_m_from``)."""
    result = json.loads(json.dumps(model))
    by_name = {c["output_column_name"]: c for c in source["comparisons"]}
    for comparison in result["comparisons"]:
        theirs = by_name[comparison["output_column_name"]]["comparison_levels"]
        for level, other in zip(comparison["comparison_levels"], theirs, strict=True):
            if not level.get("is_null_level"):
                level["m_probability"] = other["m_probability"]
    result["dsvb_m_from"] = "starting model (EM's m values were implausible)"
    return result


#: fewer records than this are too few to learn from (EM needs matches among its blocked
#: pairs, the prior needs near-certain matches): the run starts from the shipped model
MIN_TRAINING_RECORDS = 1000
#: the shipped starting model: trained by ``scripts/train_linkage_model.py`` on synthetic
#: records (dsvb.demo.identities) with the error rates of real ones
STARTING_MODEL = "linkage_model.json"


def starting_model(n_records: int) -> dict[str, Any]:
    """The shipped model, its prior scaled to ``n_records``: the matching pairs grow with
    the records, all pairs with their square, so the chance that two random records match
    falls as the records grow."""
    from importlib import resources

    text = resources.files("dsvb.reference").joinpath("data", STARTING_MODEL).read_text("utf-8")
    model = json.loads(text)
    trained_on = model["dsvb_trained_on_records"]
    prior = model["probability_two_random_records_match"] * (trained_on - 1) / max(n_records - 1, 1)
    model["probability_two_random_records_match"] = min(prior, 0.5)
    model["dsvb_starting"] = True
    return model


def dumps(model: dict[str, Any]) -> str:
    return json.dumps(model, sort_keys=True)


def loads(text: str | None) -> dict[str, Any] | None:
    """A saved model, or None when it is missing or of another version (train afresh)."""
    if not text:
        return None
    try:
        model = json.loads(text)
    except ValueError:
        return None
    if not isinstance(model, dict) or model.get("dsvb_model_version") != MODEL_VERSION:
        return None
    return model


def splink_settings(model: dict[str, Any]) -> dict[str, Any]:
    """The model as Splink takes it (without dsvb's own keys)."""
    return {k: v for k, v in model.items() if not k.startswith("dsvb_")}
