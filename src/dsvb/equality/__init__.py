"""Equality: who is a victim or a suspect, per head of the population they belong to."""
