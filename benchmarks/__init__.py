"""Benchmarks for dsvb (not part of the installed package).

``run.py`` measures the indicator engine and the extract import against floors
(hand-written DuckDB SQL, DuckDB's bare ``read_csv``) and a ceiling (plain pandas):
``python benchmarks/run.py --sizes 1000000`` (``make bench``).
"""
