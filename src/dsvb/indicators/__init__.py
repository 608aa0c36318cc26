"""Indicators: the board's measures, defined once and computed on any engine."""
