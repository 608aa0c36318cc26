"""What the audit log records of linkage review. Views of a linked person are
``page_viewed`` entries naming the person key (one per view); a split is its own entry
naming the record, the key it left and the key it got -- never a name, a date of birth, a
postcode or the reason's words (a reason may quote a name; it is kept in the store with
the split, where the identifiers already are)."""

from __future__ import annotations

from dsvb.web.audit.models import register_action

LINK_SPLIT = register_action("link_split", "Linked record split off a person")
