"""Links from where a term appears to its entry on the glossary page.

``{{ text|glossary_links }}`` marks the first appearance of each glossary phrase in a piece of
text as a link to its definition (use it only where the text is not itself inside a link);
``{% glossary_terms text %}`` lists the terms a text names, as links, for places where the
text is a link or a heading. The phrases and definitions are data in
``dsvb.reference.glossary``; this module only renders them.
"""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from dsvb.reference.glossary import Term, glossary

register = template.Library()


def term_href(term: Term) -> str:
    """The address of a term's definition on the glossary page."""
    return f"{reverse('glossary')}#{term.id}"


@register.filter
def glossary_links(text: object) -> SafeString:
    """The text, escaped, with each glossary term's first appearance linked to its entry."""
    parts = []
    for segment in glossary().segments("" if text is None else str(text)):
        if segment.term is None:
            parts.append(escape(segment.text))
        else:
            parts.append(
                format_html(
                    '<a class="govuk-link dsvb-term" href="{}">{}</a>',
                    term_href(segment.term),
                    segment.text,
                )
            )
    return mark_safe("".join(parts))  # every piece is escaped above


@register.inclusion_tag("_glossary_terms.html")
def glossary_terms(*texts: object) -> dict:
    """The glossary terms the texts name, for a 'In the glossary:' line."""
    seen: dict[str, Term] = {}
    for text in texts:
        for term in glossary().terms_in("" if text is None else str(text)):
            seen.setdefault(term.id, term)
    return {"terms": [(t, term_href(t)) for t in seen.values()]}
