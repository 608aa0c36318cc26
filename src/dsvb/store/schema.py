"""Tables of the analytical store.

Case-level tables mirror the extract format (``dsvb.ingest.extract_format``) with typed
columns, the canonical area code, and the import that last wrote each record. Published
returns are kept cell by cell, exactly as printed, beside the notes made when reading them.
"""

from __future__ import annotations

import duckdb

from dsvb.linkage import tables as linkage_tables

SCHEMA_VERSION = 7  # 2: import_log.replaced; 3: published_returns.report; 4: import_origin;
# 5: import_origin.job_created_at; 6: population; 7: person_identifiers and the linkage tables

CASE_TABLES = """
CREATE TABLE IF NOT EXISTS incidents (
    incident_id VARCHAR NOT NULL,
    reported_at TIMESTAMP NOT NULL,          -- UTC instant
    reported_month DATE NOT NULL,            -- first day of the Europe/London month
    area_code VARCHAR NOT NULL,
    channel VARCHAR NOT NULL,
    dv_flag BOOLEAN NOT NULL,
    sexual_offence_flag BOOLEAN NOT NULL,
    crime_id VARCHAR,
    no_crime_report_reason VARCHAR,
    suspect_present BOOLEAN,
    arrest_made BOOLEAN,
    import_id INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS crimes (
    crime_id VARCHAR NOT NULL,
    incident_id VARCHAR,
    recorded_at TIMESTAMP NOT NULL,
    recorded_month DATE NOT NULL,
    area_code VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    offence_group VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    dv BOOLEAN NOT NULL,
    serious_sexual BOOLEAN NOT NULL,
    hbv BOOLEAN NOT NULL,
    forced_marriage BOOLEAN NOT NULL,
    fgm BOOLEAN NOT NULL,
    lgbt BOOLEAN,
    risk_form VARCHAR,
    risk_form_supervised BOOLEAN,
    risk_level VARCHAR,
    arrested_at TIMESTAMP,
    outcome VARCHAR NOT NULL,                -- empty in the extract is stored as 'pending'
    outcome_at TIMESTAMP,
    unsupported_prosecution BOOLEAN,
    withdrawn_after_charge BOOLEAN,
    havens_referral BOOLEAN,
    import_id INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS people (
    person_id VARCHAR NOT NULL,
    sex VARCHAR NOT NULL,
    birth_year INTEGER,
    ethnicity VARCHAR NOT NULL,
    disabled BOOLEAN,
    lgbt BOOLEAN,
    import_id INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS crime_people (
    crime_id VARCHAR NOT NULL,
    person_id VARCHAR NOT NULL,
    role VARCHAR NOT NULL,
    import_id INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS victim_contacts (
    crime_id VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    due_at TIMESTAMP NOT NULL,
    due_month DATE NOT NULL,
    made_at TIMESTAMP,
    import_id INTEGER NOT NULL
);
"""

LOG_TABLES = """
CREATE TABLE IF NOT EXISTS store_meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS import_log (
    import_id INTEGER PRIMARY KEY,
    kind VARCHAR NOT NULL,                   -- extract | return
    source VARCHAR NOT NULL,                 -- folder or file as given
    content_hash VARCHAR NOT NULL,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP NOT NULL,
    status VARCHAR NOT NULL,                 -- imported | already_imported
    row_counts JSON,
    normalised JSON,
    warnings JSON,
    dsvb_version VARCHAR,
    format_version INTEGER,
    replaced JSON                            -- records of earlier imports this one replaced
);
CREATE TABLE IF NOT EXISTS import_origin (   -- who made each import (none before schema 4)
    import_id INTEGER PRIMARY KEY,
    imported_by VARCHAR NOT NULL,            -- user name (web) or OS user / --by (command line)
    via VARCHAR NOT NULL,                    -- command line | web | demo
    job_id INTEGER,                          -- the web import job, for via = web
    recorded_at TIMESTAMP NOT NULL,          -- UTC
    job_created_at TIMESTAMP                 -- UTC, when that job was made: job ids can
                                             -- come again after the web database is reset,
                                             -- this tells the jobs apart (none before
                                             -- schema 5)
);
"""

RETURN_TABLES = """
CREATE TABLE IF NOT EXISTS published_returns (
    return_id INTEGER PRIMARY KEY,           -- equals the import_id that loaded it
    content_hash VARCHAR NOT NULL,
    source_name VARCHAR NOT NULL,
    layout VARCHAR NOT NULL,
    title VARCHAR,
    period_label VARCHAR,
    period_start DATE,
    period_end DATE,
    report VARCHAR                           -- the report the table belongs to; NULL in stores
                                             -- made before it was recorded (then derived
                                             -- from the return when read)
);
CREATE TABLE IF NOT EXISTS published_cells (
    return_id INTEGER NOT NULL,
    row_number INTEGER NOT NULL,             -- data row, 1 = first row after the header
    row_label VARCHAR NOT NULL,              -- as printed
    column_number INTEGER NOT NULL,          -- 0 = the row label column, then as printed
    column_name VARCHAR NOT NULL,            -- as printed
    area_code VARCHAR,                       -- normalised; NULL for units and total rows
    unit VARCHAR,
    period_label VARCHAR,
    family VARCHAR,
    measure VARCHAR,
    raw VARCHAR,                             -- the cell exactly as published
    value DOUBLE,                            -- NULL when missing or unreadable
    value_kind VARCHAR,                      -- count | proportion | ratio | money | text
    is_total BOOLEAN NOT NULL,
    status VARCHAR NOT NULL,                 -- ok | missing | garbled
    scope VARCHAR                            -- force | boroughs | specialist_units; NULL for an
                                             -- area or unit row
);
CREATE TABLE IF NOT EXISTS published_notes (
    return_id INTEGER NOT NULL,
    note_number INTEGER NOT NULL,            -- order in which the reader made the notes
    kind VARCHAR NOT NULL,                   -- normalised | garbled | reconciliation | unread
                                             -- | interpreted
    row_number INTEGER,
    column_name VARCHAR,
    message VARCHAR NOT NULL,
    expected DOUBLE,
    found DOUBLE
);
"""

POPULATION_TABLES = """
CREATE TABLE IF NOT EXISTS population (     -- population estimates (dsvb import-population)
    area_code VARCHAR NOT NULL,
    year INTEGER NOT NULL,                   -- the mid-year (30 June) estimated
    sex VARCHAR NOT NULL,                    -- female | male
    age_band VARCHAR NOT NULL,               -- under_18 | 18_35 | 36_60 | 61_plus
    ethnicity VARCHAR NOT NULL,              -- white | black | asian | mixed | other
    population BIGINT NOT NULL,
    source VARCHAR NOT NULL,                 -- where the estimates come from, as imported
    synthetic BOOLEAN NOT NULL,              -- made up (the demo's), not published
    import_id INTEGER NOT NULL
);
"""


IDENTIFIER_TABLES = """
CREATE TABLE IF NOT EXISTS person_identifiers (  -- extract format 2's identifiers of people
    person_id VARCHAR NOT NULL,              -- people.person_id; a row only for a person with
                                             -- at least one identifier
    given_name VARCHAR,                      -- as written (trimmed)
    family_name VARCHAR,
    date_of_birth DATE,
    postcode VARCHAR,                        -- upper case, one space before the inward code
    import_id INTEGER NOT NULL               -- the import that wrote it (with the person)
);
"""
# Special-category personal data: read only to link records (dsvb.linkage), never exported,
# published, logged or put in an audit entry (docs/decisions/0045-person-identifiers.md).
IDENTIFIER_TABLE_NAMES = ("person_identifiers",)


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(CASE_TABLES)
    con.execute(LOG_TABLES)
    con.execute(RETURN_TABLES)
    con.execute(POPULATION_TABLES)  # also what a store made before schema 6 lacks
    con.execute(IDENTIFIER_TABLES)  # and these, before schema 7
    linkage_tables.ensure_tables(con)
    # stores made by an earlier dsvb: add what they lack (their entries replaced nothing
    # that was recorded)
    con.execute("ALTER TABLE import_log ADD COLUMN IF NOT EXISTS replaced JSON")
    con.execute("ALTER TABLE published_returns ADD COLUMN IF NOT EXISTS report VARCHAR")
    con.execute("ALTER TABLE import_origin ADD COLUMN IF NOT EXISTS job_created_at TIMESTAMP")
    con.execute(
        "INSERT INTO store_meta VALUES ('schema_version', ?) "
        "ON CONFLICT DO UPDATE SET value = excluded.value",
        [str(SCHEMA_VERSION)],
    )


CASE_TABLE_NAMES = ("incidents", "crimes", "people", "crime_people", "victim_contacts")
