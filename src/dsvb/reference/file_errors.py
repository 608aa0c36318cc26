"""The one error for a reference file that cannot be used (a glossary, a rules file): it
names the file, the true line and the column, so whoever edits the file finds the mistake."""

from __future__ import annotations


class ReferenceFileError(ValueError):
    """A reference file that cannot be used, with the file, line and column named."""

    def __init__(self, file: str, line: int, column: str | None, problem: str) -> None:
        where = f"{file}, line {line}" + (f", column '{column}'" if column else "")
        super().__init__(f"{where}: {problem}")
        self.file = file
        self.line = line
        self.column = column
        self.problem = problem
