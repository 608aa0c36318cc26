"""Reviewing linkage on the web: the summary (counts), a linked person's records with the
evidence that linked them, and splitting a wrong link (decision 0048)."""
