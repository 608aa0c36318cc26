"""What the audit log records of linkage review. Views of a linked person are
``page_viewed`` entries naming the person key (one per view); a lookup that finds nothing
is :data:`LINK_LOOKUP_MISSED`; a split is two entries, :data:`LINK_SPLIT_REQUESTED` written
before the store is touched (if the log cannot be written, nothing is split) and
:data:`LINK_SPLIT` once the store has committed it (or :data:`LINK_SPLIT_NOT_MADE`), naming
the records, the key they left and the key they got -- never a name, a date of birth, a
postcode or the reason's words (a reason may quote a name; it is kept in the store with
the split, where the identifiers already are)."""

from __future__ import annotations

from dsvb.web.audit.models import register_action

LINK_SPLIT = register_action("link_split", "Linked record split off a person")
LINK_SPLIT_REQUESTED = register_action("link_split_requested", "Split of linked records requested")
LINK_SPLIT_NOT_MADE = register_action(
    "link_split_not_made", "Split of linked records not made (refused or store busy)"
)
LINK_LOOKUP_MISSED = register_action(
    "link_lookup_missed", "Linked person or record looked up and not found"
)
