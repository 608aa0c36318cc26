"""The layers: everything that is not the web application imports no Django and no
``dsvb.web`` (docs/decisions/0018). The domain is plain Python, testable without settings or
a database; the web app, the CLI and background jobs are adapters over it.

Two checks: every import statement of every domain module, wherever it is (at the top or
inside a function, where a lazy import would otherwise hide), read from the source; and
every domain module imported for real in a fresh interpreter, after which neither Django
nor ``dsvb.web`` may be loaded.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import dsvb

PACKAGE = Path(dsvb.__file__).parent
#: the adapters: the web application, and the command line that starts it
ADAPTERS = ("web", "cli.py", "__main__.py")
FORBIDDEN = ("django", "dsvb.web")


def domain_modules() -> list[Path]:
    return sorted(
        path for path in PACKAGE.rglob("*.py") if path.relative_to(PACKAGE).parts[0] not in ADAPTERS
    )


def module_name(path: Path) -> str:
    parts = ("dsvb", *path.relative_to(PACKAGE).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> list[tuple[int, str]]:
    """Every module an import statement in the file names, with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            if node.module == "dsvb":  # from dsvb import web
                found += [(node.lineno, f"dsvb.{alias.name}") for alias in node.names]
    return found


def forbidden(name: str) -> bool:
    return any(name == f or name.startswith(f"{f}.") for f in FORBIDDEN)


def test_the_domain_is_the_whole_package_but_its_adapters() -> None:
    names = {module_name(p) for p in domain_modules()}
    # the packages the layering is about are all covered (a rename would silently drop one)
    for package in (
        "access",
        "ingest",
        "store",
        "indicators",
        "reference",
        "reports",
        "demo",
        "equality",
    ):
        assert f"dsvb.{package}" in names
    assert "dsvb.indicators.assessment" in names
    assert not any(n.startswith("dsvb.web") for n in names)


def test_no_domain_module_imports_django_or_the_web_app() -> None:
    offences = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: imports {name}"
        for path in domain_modules()
        for line, name in imports_of(path)
        if forbidden(name)
    ]
    assert offences == []


def test_the_check_finds_an_import_hidden_in_a_function(tmp_path: Path) -> None:
    hidden = tmp_path / "hidden.py"
    hidden.write_text(
        "def later():\n    from django.conf import settings\n    from dsvb import web\n"
    )
    assert [name for _, name in imports_of(hidden) if forbidden(name)] == [
        "django.conf",
        "dsvb.web",
    ]


def test_importing_every_domain_module_loads_neither_django_nor_the_web_app() -> None:
    names = [module_name(p) for p in domain_modules()]
    script = (
        "import importlib, json, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules "
        "if m == 'django' or m.startswith(('django.', 'dsvb.web')))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=300
    )
    assert json.loads(out.stdout) == []
