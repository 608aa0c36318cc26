"""Finding the same person across records: police extract people and partner agencies'
case people, linked with Splink (decision 0046), each given a stable person key.

Plain Python and DuckDB: nothing here imports Django. What a linkage run reads is
:class:`dsvb.linkage.records.PersonRecord`; what it writes are the tables of
:mod:`dsvb.linkage.tables`, in the analytical store (identifiers never leave it).
"""
