"""An outsider reads everything dsvb lets out of a linked store — the public release files
(`dsvb publish`), a Parquet export (`dsvb export-parquet`), `dsvb linked-people`, the
figures by linked person and every command's output — looking for anyone's name, date of
birth or postcode. None is there: identifiers never leave the store (decisions 0045-0047).

Real commands in subprocesses over a demo extract of format 2 (every person with
identifiers), imported, linked and published; every byte written is scanned, Parquet and
XLSX files too (their text read back), for every identifier value the store holds."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from tests.support.commands import run_dsvb, web_env

pytestmark = pytest.mark.slow


def _run(env: dict[str, str], *args: str) -> str:
    done = run_dsvb(env, *args, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def _text_of(path: Path) -> str:
    """What a reader of the file sees: the text of CSV/JSON/HTML, every cell of a Parquet
    file, every part of an XLSX (a zip of XML)."""
    if path.suffix == ".parquet":
        return pq.read_table(path).to_pandas().to_csv()
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as book:
            return "\n".join(book.read(n).decode("utf-8", "replace") for n in book.namelist())
    return path.read_bytes().decode("utf-8", "replace")


def _secrets(store_path: Path) -> tuple[set[str], set[str]]:
    """Every identifier value the store holds, in the forms a leak would take: names as
    written and in capitals, dates of birth as ISO dates, postcodes with and without the
    space. Short names (under 4 letters) are left out: they occur inside ordinary words;
    and dates of birth from the year the records begin, which are also days on which
    things happened (a crime recorded the day a baby was born is not a leak)."""
    con = duckdb.connect(str(store_path), read_only=True)
    try:
        rows = con.execute(
            "SELECT given_name, family_name, CAST(date_of_birth AS VARCHAR), postcode "
            "FROM person_identifiers"
        ).fetchall()
    finally:
        con.close()
    names: set[str] = set()
    values: set[str] = set()
    for given, family, born, postcode in rows:
        for name in (given, family):
            if name and len(name) >= 4:
                names |= {name, name.upper()}
        if born and born < "2009-01-01":
            values.add(born)
        if postcode:
            values |= {postcode, postcode.replace(" ", "")}
    return names, values


def _leaked(text: str, names: set[str], values: set[str]) -> list[str]:
    """Names found as whole words (Lewis, not the Lewis of Lewisham), other values anywhere."""
    words = set(re.findall(r"[A-Za-z][A-Za-z'-]*", text))
    return sorted((names & words) | {v for v in values if v in text})


def test_no_identifier_leaves_a_linked_store(tmp_path: Path) -> None:
    env = {**web_env(tmp_path, "web.sqlite3"), "DSVB_QUERY_CACHE": str(tmp_path / "query-cache")}
    store_path = tmp_path / "store.duckdb"
    outputs: list[str] = []
    _run(env, "demo-data", "--incidents", "4000", "--out", str(tmp_path / "extract"), "--quiet")
    _run(env, "manage", "migrate", "--verbosity", "0")
    outputs.append(_run(env, "import", str(tmp_path / "extract"), "--store", str(store_path)))
    outputs.append(_run(env, "link", "--store", str(store_path)))
    outputs.append(_run(env, "linked-people", "--store", str(store_path), "--format", "csv"))
    outputs.append(_run(env, "repeat-victims", "--store", str(store_path), "--format", "json"))
    linked = ("--people", "linked", "--by", "area,victim_age_band")
    outputs.append(_run(env, "indicators", "--store", str(store_path), *linked))
    _run(env, "export-parquet", "--store", str(store_path), "--out", str(tmp_path / "pq"))
    _run(env, "publish", "--store", str(store_path), "--out", str(tmp_path / "portal"))

    names, values = _secrets(store_path)
    # the scan looks for something: hundreds of names, thousands of dates and postcodes
    assert len(names) > 200 and len(values) > 1000
    written = [
        p
        for folder in ("pq", "portal", "query-cache")
        for p in sorted((tmp_path / folder).rglob("*"))
        if p.is_file()
    ]
    assert any(p.suffix == ".parquet" for p in written)
    assert any(p.suffix in (".csv", ".xlsx") for p in (tmp_path / "portal").rglob("*"))
    texts = {str(p.relative_to(tmp_path)): _text_of(p) for p in written}
    texts.update({f"command output {i}": text for i, text in enumerate(outputs)})
    for where, text in texts.items():
        leaked = _leaked(text, names, values)
        assert not leaked, f"{where} holds identifier values, e.g. {leaked[:5]}"
