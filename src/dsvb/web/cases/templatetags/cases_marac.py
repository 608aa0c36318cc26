"""Template tags of the MARAC part: ``{% marac_proposal case %}`` shows, on a case's pages
(after a DASH assessment), the MARAC referral the rules propose, with its reasons."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def marac_proposal(context: Any, case: Any) -> str:
    """The proposal panel for ``case`` ('' when no rule is met) -- the MARAC part fills it."""
    return ""
