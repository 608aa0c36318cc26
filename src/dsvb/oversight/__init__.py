"""Oversight: the board's cycle of briefs, sessions, letters and recommendations."""
