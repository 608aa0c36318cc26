"""The one way forms are laid out: crispy-forms renders the fields, the template the <form>.

crispy's ``{% crispy form %}`` writes a ``<form>`` element of its own unless told not to, and
every template here already writes one (its method, action, CSRF token and ``novalidate``):
together they nested a form inside a form, which HTML forbids and browsers repair by dropping
the inner one. Every form's helper comes from :func:`fields_only`, so crispy never writes the
element and the template's own is the only one.
"""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Layout


def fields_only(*layout: Any) -> FormHelper:
    """A crispy helper that renders ``layout`` without a ``<form>`` element or CSRF token
    (the template writes both)."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.layout = Layout(*layout)
    return helper
