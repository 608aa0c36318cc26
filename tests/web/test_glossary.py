"""The glossary page: public, every term anchored, and the links from the performance and
published pages land on anchors that exist."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from django.test import Client

from dsvb.reference.glossary import glossary
from tests.web.conftest import SOUTHWARK


class Anchors(HTMLParser):
    """Every element id on a page, and every link to the glossary with its text."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.duplicate_ids: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        values = dict(attrs)
        if "id" in values:
            if values["id"] in self.ids:
                self.duplicate_ids.append(values["id"])
            self.ids.add(values["id"])
        href = values.get("href") or ""
        if tag == "a" and href.startswith("/glossary/#"):
            self.links.append(href.removeprefix("/glossary/#"))


def parse(html: str) -> Anchors:
    parser = Anchors()
    parser.feed(html)
    parser.close()
    return parser


def glossary_ids(client: Client) -> set[str]:
    response = client.get("/glossary/")
    assert response.status_code == 200
    return parse(response.content.decode()).ids


def test_the_glossary_is_public_with_an_anchor_for_every_term(db) -> None:
    response = Client().get("/glossary/")
    assert response.status_code == 200
    page = response.content.decode()
    anchors = parse(page)
    assert {t.id for t in glossary()} <= anchors.ids
    assert not anchors.duplicate_ids, "an anchor must name one place on the page"
    for term in (
        "CAD (Computer Aided Despatch)",
        "DASH risk assessment (124D form)",
        "Havens (sexual assault referral centres)",
    ):
        assert f'<dt class="govuk-summary-list__key">{term}</dt>' in page
    # the A-Z list jumps to headings that exist, one per letter, in order
    az = re.findall(r'<a class="govuk-link" href="#(letter-\d+)">([^<]+)</a>', page)
    assert [letter for _, letter in az] == [letter for letter, _ in glossary().letters()]
    assert all(target in anchors.ids for target, _ in az)
    # see-also links point at terms on the same page, shown by name
    see_also = re.findall(r"See also: (.*?)</p>", page)
    targets = re.findall(r'href="#([a-z_0-9]+)"', " ".join(see_also))
    assert targets and set(targets) <= {t.id for t in glossary()}
    # the footer of every page links to it
    assert '<a class="govuk-footer__link" href="/glossary/">Glossary</a>' in page


def test_links_from_the_scorecard_land_on_glossary_entries(client_for, demo_store) -> None:
    board = client_for("board_member")
    page = board.get(f"/performance/scorecard/{SOUTHWARK}/?family=dv").content.decode()
    links = parse(page).links
    assert {"cad_to_cris", "dash", "sanction_detection", "hbv", "vcop"} <= set(links)
    assert set(links) <= glossary_ids(board)
    # the link is on the indicator's own name in its row header
    assert (
        '<a class="govuk-link dsvb-term" href="/glossary/#cad_to_cris">CAD-to-CRIS</a> compliance'
        in page
    )


def test_links_from_the_overview_land_on_glossary_entries(client_for, demo_store) -> None:
    board = client_for("board_member")
    page = board.get("/performance/?family=dv&indicator=cad_to_cris").content.decode()
    links = parse(page).links
    assert "cad_to_cris" in links and "dv" in links
    assert set(links) <= glossary_ids(board)


def test_links_from_a_published_table_land_on_glossary_entries(published_store) -> None:
    public = Client()
    page = public.get("/published/families/serious_sexual/").content.decode()
    links = parse(page).links
    assert {"sso", "suppressed"} <= set(links)
    assert set(links) <= glossary_ids(public)


def test_the_link_filter_escapes_the_text_around_the_terms() -> None:
    from dsvb.web.public.templatetags.glossary import glossary_links

    html = str(glossary_links('<script>x</script> CAD & "CRIS"'))
    assert html == (
        "&lt;script&gt;x&lt;/script&gt; "
        '<a class="govuk-link dsvb-term" href="/glossary/#cad">CAD</a> &amp; &quot;'
        '<a class="govuk-link dsvb-term" href="/glossary/#cris">CRIS</a>&quot;'
    )
    assert str(glossary_links(None)) == ""
