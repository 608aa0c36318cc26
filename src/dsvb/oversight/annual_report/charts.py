"""Charts: the report's charts (sanction detections with cautions; volumes by borough).

Made with Altair and drawn to SVG and PNG by vl_convert (no browser, no network), from the
printed cells only. Separate because they are the only part that needs the charting
libraries (imported when a chart is drawn) and their colours and fonts.
"""

from __future__ import annotations

from typing import Any

from dsvb.indicators import formatting
from dsvb.indicators.definitions import FAMILIES
from dsvb.indicators.periods import months_label
from dsvb.oversight.annual_report.figures import Printed
from dsvb.oversight.document import Chart

FONT = "Arial, Helvetica, sans-serif"  # as the pages' charts (dsvb.web.performance.charts)
TEXT = "#0b0c0c"
GREY = "#505a5f"
CAUTIONS = "#d55e00"  # Okabe-Ito: distinguishable with every common colour-vision deficiency
OTHER_SDS = "#0072b2"


def _render(chart: Any, caption: str, alt: str) -> Chart:
    """Altair → Vega-Lite → SVG and PNG (vl_convert: no browser, no network)."""
    import vl_convert

    spec = (
        chart.configure(font=FONT)
        .configure_axis(labelColor=TEXT, titleColor=TEXT, domainColor=GREY, tickColor=GREY)
        .configure_legend(labelColor=TEXT, titleColor=TEXT, orient="bottom")
        .configure_view(stroke=None)
        .to_dict()
    )
    return Chart(
        caption, vl_convert.vegalite_to_svg(spec), alt, vl_convert.vegalite_to_png(spec, scale=2)
    )


def sd_chart(view: Printed, family: str = "dv") -> Chart | None:
    """Each borough's sanction detection rate as two parts: cautions and the rest (so the
    share of cautions is seen beside the rate), from the published counts only."""
    import altair as alt

    rows, withheld = [], []
    for code, name in view.areas(family, units=False):
        offences = view.count(family, "offences", code)
        sds, cautions = (
            view.count(family, "sd_rate", code),
            view.count(family, "caution_share", code),
        )
        if not offences or sds is None or cautions is None:
            withheld.append(name)
            continue
        rows.append({"area": name, "part": "Cautions", "rate": cautions / offences})
        rows.append(
            {"area": name, "part": "Other sanction detections", "rate": (sds - cautions) / offences}
        )
    if not rows:
        return None
    order = sorted({r["area"] for r in rows})
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_bar()
        .encode(
            y=alt.Y("area:N", sort=order, title=None),
            x=alt.X(
                "rate:Q",
                stack="zero",
                title="Share of offences",
                axis=alt.Axis(format=".0%", tickCount=6),
            ),
            color=alt.Color(
                "part:N",
                title=None,
                scale=alt.Scale(
                    domain=["Other sanction detections", "Cautions"], range=[OTHER_SDS, CAUTIONS]
                ),
            ),
            order=alt.Order("part:N", sort="descending"),
        )
        .properties(width=420, height=14 * len(order))
    )
    caption = (
        f"{FAMILIES[family].label}: sanction detection rate by borough, cautions and other "
        f"sanction detections, {months_label(view.figures.period)}"
    )
    shares = [(r["rate"], r["area"]) for r in rows if r["part"] == "Cautions"]
    most = max(shares)[1]
    alt_text = (
        f"Bar chart of {len(order)} boroughs' sanction detection rates split into cautions and "
        f"other sanction detections; the figures are in the table above. Cautions are the "
        f"largest share of offences in {most}."
        + (f" Not shown (figures withheld): {', '.join(withheld)}." if withheld else "")
    )
    return _render(chart, caption, alt_text)


def volume_chart(view: Printed, family: str = "sexual") -> Chart | None:
    """Offences by borough (and unit), largest first."""
    import altair as alt

    rows, withheld = [], []
    for code, name in view.areas(family):
        offences = view.count(family, "offences", code)
        if offences is None:
            withheld.append(name)
        else:
            rows.append({"area": name, "offences": offences})
    if not rows:
        return None
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_bar(color=OTHER_SDS)
        .encode(
            y=alt.Y("area:N", sort="-x", title=None),
            x=alt.X("offences:Q", title="Offences"),
        )
        .properties(width=420, height=14 * len(rows))
    )
    top = max(rows, key=lambda r: r["offences"])
    where = "borough and investigating unit" if view.figures.units else "borough"
    caption = f"{FAMILIES[family].label} by {where}, {months_label(view.figures.period)}"
    alt_text = (
        f"Bar chart of offences in {len(rows)} boroughs or units, largest first; the figures "
        f"are in the table above. The most were in {top['area']} "
        f"({formatting.count(top['offences'])})."
        + (f" Not shown (figures withheld): {', '.join(withheld)}." if withheld else "")
    )
    return _render(chart, caption, alt_text)
