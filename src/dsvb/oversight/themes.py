"""The themes of the board's findings: one list, used by the findings rules (each rule's
theme), the findings the secretariat writes, the recommendations, and the annual report's
"findings by theme" (DOMAIN.md, "The board's cycle": the commissioning brief's sections B1-B5,
then the thematic sessions), in the report's order."""

from __future__ import annotations

THEMES: tuple[tuple[str, str], ...] = (
    ("data", "Data"),
    ("policy_qa", "Policy compliance and quality assurance"),
    ("partnership", "Partnership working and community safety partnerships"),
    ("victims_communities", "Victims and communities"),
    ("organisational_improvement", "Organisational improvement"),
    ("thematic", "Thematic sessions"),
)

TITLES: dict[str, str] = dict(THEMES)


def title(key: str) -> str:
    """The theme's title, or the key itself for one no longer listed (older records)."""
    return TITLES.get(key, key)
