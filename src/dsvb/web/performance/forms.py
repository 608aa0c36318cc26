"""The choices on the performance pages: plain GET forms, so every view has a shareable URL."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Div, Field, Layout
from django import forms

from dsvb.indicators.assessment import indicators_for
from dsvb.web.performance import data, figures


def _helper(*fields: str, submit: str) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False  # the template writes <form method="get"> (no CSRF token in URLs)
    helper.disable_csrf = True
    helper.layout = Layout(
        Div(*(Field.select(name) for name in fields), css_class="dsvb-filters__fields"),
        # no name: the button adds nothing to the URL
        Button.primary("", submit, css_class="dsvb-filters__button"),
    )
    return helper


def _period_choices(current: data.StoreState) -> list[tuple[str, str]]:
    return [(c.key, c.label) for c in figures.period_choices(current)]


class OverviewForm(forms.Form):
    family = forms.ChoiceField(label="Crime family", choices=figures.FAMILY_CHOICES)
    period = forms.ChoiceField(label="Period")
    indicator = forms.ChoiceField(label="Indicator")

    def __init__(self, *args: Any, selection: figures.Selection, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = _period_choices(selection.current)
        self.fields["indicator"].choices = [
            (i.id, i.label) for i in indicators_for(selection.family)
        ]
        self.helper = _helper("family", "period", "indicator", submit="Show")


class ScorecardForm(forms.Form):
    area = forms.ChoiceField(label="Borough")
    family = forms.ChoiceField(label="Crime family", choices=figures.FAMILY_CHOICES)
    period = forms.ChoiceField(label="Period")

    def __init__(
        self, *args: Any, selection: figures.Selection, choose_area: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = _period_choices(selection.current)
        fields = ["family", "period"]
        if choose_area:
            self.fields["area"].choices = list(figures.borough_names().items())
            fields.insert(0, "area")
        else:
            del self.fields["area"]
        self.helper = _helper(*fields, submit="Show")


class EqualityForm(forms.Form):
    """The equality page's choices: the area (London or a borough, for those who see every
    area), the family and the period."""

    area = forms.ChoiceField(label="Area")
    family = forms.ChoiceField(label="Crime family", choices=figures.FAMILY_CHOICES)
    period = forms.ChoiceField(label="Period")

    def __init__(
        self, *args: Any, selection: figures.Selection, choose_area: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = _period_choices(selection.current)
        fields = ["family", "period"]
        if choose_area:
            self.fields["area"].choices = [
                ("ALL", "London (all boroughs)"),
                *figures.borough_names().items(),
            ]
            fields.insert(0, "area")
        else:
            del self.fields["area"]
        self.helper = _helper(*fields, submit="Show")
