"""The commissioning brief's words, per year: a small Markdown-ish text the secretariat edits.

Sections B2 to B5 (the board's questions), the brief's opening, section A's notes and the
equality and diversity section change from year to year at the board's wish, not dsvb's;
so they are text, one file per year in ``brief_templates/`` (``2010.md``: the brief printed
in the appendix of the 2010 annual report, the default), and the web app stores an edited
copy per year and passes it in. :func:`load_template` takes the latest year at or before
the one asked for.

The syntax is the little of Markdown a brief needs (``# `` title, ``## KEY: Title``
sections, ``### `` subsections, ``- `` bullets, ``1. `` numbered items, ``> `` notes,
paragraphs separated by blank lines, ``<!-- -->`` comments). A mistake is reported with the
template's name, the line and what was expected, because the person who made it is editing
a text box, not reading a stack trace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

from dsvb.oversight.document import Block, BulletList, Paragraph, Section

__all__ = [
    "REQUIRED_SECTIONS",
    "BriefTemplate",
    "TemplateError",
    "load_template",
    "template_years",
]

#: Every brief has these sections: A administration, B1 data, B2–B5 the questions, and the
#: equality and diversity section (DOMAIN.md: "an equality and diversity section is required").
REQUIRED_SECTIONS = ("A", "B1", "B2", "B3", "B4", "B5", "EQUALITY")
DEFAULT_TITLE = "Commissioning brief"
_LABEL = re.compile(r"^([A-Z][A-Z0-9]{0,9})\s*:\s*(\S.*)$")
_NUMBERED = re.compile(r"^\d{1,3}[.)]\s+(.*)$")


class TemplateError(ValueError):
    """A mistake in a brief template, naming the template, the line and the fix."""

    def __init__(self, name: str, line: int | None, message: str) -> None:
        where = f"{name}, line {line}" if line is not None else name
        super().__init__(f"{where}: {message}")
        self.name = name
        self.line = line
        self.message = message


@dataclass(frozen=True)
class BriefTemplate:
    """A parsed template: the title, the blocks before the first section (the brief's
    opening), and the sections (each keyed: ``A``, ``B1`` … ``B5``, ``EQUALITY``)."""

    title: str
    preamble: tuple[Block, ...]
    sections: tuple[Section, ...]
    name: str = "brief template"
    year: int | None = None

    def section(self, key: str) -> Section:
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(key)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.sections)

    @classmethod
    def parse(
        cls, text: str, name: str = "brief template", year: int | None = None
    ) -> BriefTemplate:
        """Read a template; raises :class:`TemplateError` naming the line of a mistake,
        or the required sections it lacks."""
        return _Parser(name).parse(text, year)


class _Parser:
    def __init__(self, name: str) -> None:
        self.name = name
        self.title: str | None = None
        self.preamble: list[Block] = []
        # (key, title, blocks, subsections as (title, blocks), line)
        self.sections: list[tuple[str, str, list[Block], list[tuple[str, list[Block]]], int]] = []
        self.kind: str | None = None  # the open block: paragraph | bullets | numbered | note
        self.lines: list[str] = []

    def fail(self, line: int | None, message: str) -> TemplateError:
        return TemplateError(self.name, line, message)

    def target(self) -> list[Block]:
        if not self.sections:
            return self.preamble
        subsections = self.sections[-1][3]
        return subsections[-1][1] if subsections else self.sections[-1][2]

    def flush(self) -> None:
        if self.kind is None:
            return
        if self.kind == "paragraph":
            self.target().append(Paragraph(" ".join(self.lines)))
        elif self.kind == "note":
            self.target().append(Paragraph(" ".join(self.lines), emphasis=True))
        else:
            self.target().append(BulletList(tuple(self.lines), numbered=self.kind == "numbered"))
        self.kind, self.lines = None, []

    def add(self, kind: str, text: str, *, item: bool) -> None:
        """Start a block of ``kind`` or continue the open one (a new item of a list)."""
        if self.kind != kind:
            self.flush()
            self.kind = kind
        if item or not self.lines:
            self.lines.append(text)
        else:
            self.lines[-1] += " " + text

    def parse(self, text: str, year: int | None) -> BriefTemplate:
        comment_from: int | None = None
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.rstrip()
            if comment_from is not None:
                if "-->" in line:
                    comment_from = None
                    line = line.split("-->", 1)[1]
                else:
                    continue
            while "<!--" in line:
                before, _, after = line.partition("<!--")
                if "-->" in after:
                    line = before + after.split("-->", 1)[1]
                else:
                    line, comment_from = before, number
            self.line(number, line)
        if comment_from is not None:
            raise self.fail(comment_from, "a comment opened with <!-- is never closed with -->")
        self.flush()
        keys = [s[0] for s in self.sections]
        missing = [k for k in REQUIRED_SECTIONS if k not in keys]
        if missing:
            raise self.fail(
                None,
                f"the brief lacks section(s) {', '.join(missing)}; every brief has "
                + ", ".join(REQUIRED_SECTIONS)
                + ' (write each as "## B2: Title"; the equality and diversity section as '
                '"## EQUALITY: Equality and diversity")',
            )
        sections = tuple(
            Section(
                title=_shown(key, title),
                blocks=tuple(blocks),
                subsections=tuple(
                    Section(t, tuple(b), level=3, key=f"{key}.{i}")
                    for i, (t, b) in enumerate(subs, start=1)
                ),
                key=key,
            )
            for key, title, blocks, subs, _line in self.sections
        )
        return BriefTemplate(
            self.title or DEFAULT_TITLE, tuple(self.preamble), sections, self.name, year
        )

    def line(self, number: int, line: str) -> None:
        stripped = line.strip()
        if not stripped:  # a blank line ends the open paragraph, note or list
            self.flush()
            return
        if stripped.startswith("#"):
            self.heading(number, stripped)
            return
        if stripped.startswith(("- ", "* ")):
            self.add("bullets", stripped[2:].strip(), item=True)
        elif m := _NUMBERED.match(stripped):
            self.add("numbered", m.group(1).strip(), item=True)
        elif stripped.startswith(">"):
            self.add("note", stripped[1:].strip(), item=False)
        elif self.kind in ("bullets", "numbered") and line[:1].isspace():
            self.add(self.kind, stripped, item=False)  # an indented line continues the item
        else:
            self.add("paragraph", stripped, item=False)

    def heading(self, number: int, text: str) -> None:
        self.flush()
        hashes = len(text) - len(text.lstrip("#"))
        title = text[hashes:].strip()
        if not title:
            raise self.fail(number, "a heading with no words")
        if hashes == 1:
            if self.title is not None or self.sections:
                raise self.fail(number, "only one title (# …), before the first section")
            self.title = title
        elif hashes == 2:
            m = _LABEL.match(title)
            if m is None:
                raise self.fail(
                    number,
                    f"a section heading starts with its key and a colon, e.g. "
                    f'"## B2: Policy compliance" (found "## {title}")',
                )
            key = m.group(1)
            for other in self.sections:
                if other[0] == key:
                    raise self.fail(number, f"section {key} again (first on line {other[4]})")
            self.sections.append((key, m.group(2).strip(), [], [], number))
        elif hashes == 3:
            if not self.sections:
                raise self.fail(number, "a subsection (### …) before any section (## …)")
            self.sections[-1][3].append((title, []))
        else:
            raise self.fail(number, "only #, ## and ### headings are used in a brief")


def _shown(key: str, title: str) -> str:
    """How a section's heading is printed: "B2: Policy compliance …" as the 2010 brief
    prints it; a section keyed by a word (EQUALITY) by its title alone."""
    return title if len(key) > 2 else f"{key}: {title}"


# --- the stored templates -----------------------------------------------------------------------


def template_years() -> tuple[int, ...]:
    """The years with a template held in the package, oldest first."""
    folder = resources.files("dsvb.oversight").joinpath("brief_templates")
    return tuple(
        sorted(int(p.name[:-3]) for p in folder.iterdir() if re.fullmatch(r"\d{4}\.md", p.name))
    )


def load_template(year: int, text: str | None = None) -> BriefTemplate:
    """The template for briefs of ``year``: ``text`` when the secretariat has edited one
    for that year (the web app passes it), else the held file of the latest year at or
    before ``year`` (the earliest held when ``year`` is before them all)."""
    if text is not None:
        return BriefTemplate.parse(text, name=f"brief template for {year}", year=year)
    years = template_years()
    if not years:  # pragma: no cover - the package ships 2010.md
        raise LookupError("no brief templates are held")
    chosen = max((y for y in years if y <= year), default=years[0])
    source = resources.files("dsvb.oversight").joinpath("brief_templates", f"{chosen}.md")
    return BriefTemplate.parse(
        source.read_text(encoding="utf-8"), name=f"brief_templates/{chosen}.md", year=chosen
    )
