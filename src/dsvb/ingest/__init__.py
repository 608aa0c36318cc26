"""Ingest: police case-level extracts and published aggregate returns."""
