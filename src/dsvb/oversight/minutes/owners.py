"""Owners: who an action names, and which borough a name means.

Tells a person's or a team's name from the words around it (verbs, role words, connectors),
splits a list of owners, and reads a borough from an owner, by similarity when it is misspelt.
Separate because the actions and the attendance both read names, and the rules for what
looks like a name are long and change on their own.
"""

from __future__ import annotations

import re
from functools import cache

_VERBS = frozenset(
    {
        "add",
        "agree",
        "arrange",
        "ask",
        "book",
        "bring",
        "chase",
        "check",
        "circulate",
        "clarify",
        "collate",
        "confirm",
        "consider",
        "contact",
        "discuss",
        "draft",
        "ensure",
        "establish",
        "explore",
        "feed",
        "find",
        "follow",
        "identify",
        "include",
        "inform",
        "investigate",
        "invite",
        "liaise",
        "look",
        "meet",
        "obtain",
        "organise",
        "organize",
        "present",
        "prepare",
        "produce",
        "provide",
        "publish",
        "raise",
        "reply",
        "report",
        "request",
        "respond",
        "review",
        "revise",
        "schedule",
        "seek",
        "send",
        "set",
        "share",
        "update",
        "write",
    }
)
_ROLE_WORDS = frozenset(
    {
        "staff",
        "team",
        "secretariat",
        "officer",
        "officers",
        "members",
        "member",
        "chair",
        "co-chair",
        "lead",
        "leads",
        "manager",
        "commander",
        "commanders",
        "unit",
        "board",
        "council",
        "police",
        "partnership",
        "forum",
        "group",
        "co-ordinator",
        "coordinator",
        "all",
    }
)
_CONNECTORS = frozenset({"of", "the", "for", "and", "de", "van", "von", "der", "la", "le", "du"})
_OWNER_SPLIT = re.compile(r"\s*(?:,|;|/|\s&\s|\s\+\s|\band\b)\s*", re.I)
_PLACEHOLDER = "\u0000{}\u0000"
_AREA_NOISE = re.compile(
    r"^(?:the\s+)?(?:(?:royal|london)\s+borough\s+of\s+|lb\s+)|"
    r"\s+(?:council|borough|bocu|mps|police|borough\s+police)$",
    re.I,
)


@cache
def _joined_area_names() -> tuple[re.Pattern[str], ...]:
    """Boroughs whose names contain "and" ("Hammersmith and Fulham", also written with
    "&"), so that splitting a list of owners on "and" and "&" does not split them. (An
    abbreviation such as "H&F" is safe anyway: "&" splits only with spaces around it.)"""
    from dsvb.reference import areas

    patterns = []
    for name in sorted({a.name for a in areas()}, key=len, reverse=True):
        if not re.search(r"\band\b|&", name, re.I):
            continue
        parts = [re.escape(p) for p in re.split(r"\s*(?:\band\b|&)\s*", name, flags=re.I)]
        patterns.append(re.compile(r"\b" + r"\s*(?:and|&)\s*".join(parts) + r"\b", re.I))
    return tuple(patterns)


def _name_like(text: str) -> bool:
    """Whether a phrase reads as a person, a role or an organisation (an owner), not a task."""
    words = text.split()
    if not words or len(words) > 6 or re.search(r"\d", text):
        return False
    first = words[0].lower().strip("'’")
    if first in ("the", "all") and len(words) > 1:
        words = words[1:]
        first = words[0].lower()
    if first in _VERBS or first in {"to", "he", "she", "they", "we", "it", "i", "this", "that"}:
        return False
    if not (words[0][0].isupper() or words[0].lower() in _ROLE_WORDS):
        return False
    ok = sum(
        1 for w in words if w[0].isupper() or w.lower() in _ROLE_WORDS or w.lower() in _CONNECTORS
    )
    return ok == len(words)


def _parse_owners(text: str) -> tuple[str, ...] | None:
    """The owners in "Shaun Sawyer and Dru Sharpling", "Camden / Brent", "Hammersmith &
    Fulham, Board staff"; None when the phrase does not read as owners."""
    text = re.sub(r"\([^)]*\)", " ", text)  # "Shaun Sawyer (MPS)"
    text = " ".join(text.strip().strip(".;:,").split())
    if not text:
        return None
    kept: list[str] = []

    def keep(m: re.Match[str]) -> str:
        kept.append(m.group(0))
        return _PLACEHOLDER.format(len(kept) - 1)

    protected = text
    for pattern in _joined_area_names():
        protected = pattern.sub(keep, protected)
    parts = [p for p in _OWNER_SPLIT.split(protected) if p.strip()]
    owners = []
    for part in parts:
        part = re.sub("\u0000(\\d+)\u0000", lambda m: kept[int(m.group(1))], part).strip()
        if not (_name_like(part) or _area(part)[0]):
            return None
        owners.append(part)
    return tuple(owners) or None


def _area(owner: str) -> tuple[str, str, str]:
    """(code, reference name, how) when the owner is a borough, else ("", "", "")."""
    from dsvb.reference import areas

    registry = areas()
    candidate = _AREA_NOISE.sub("", owner).strip()
    for value in dict.fromkeys((owner, candidate)):
        if len(value) < 3:
            continue
        match = registry.match(value)
        if match.area is not None and match.area.kind == "borough":
            return match.area.code, match.area.name, match.how
    return "", "", ""
