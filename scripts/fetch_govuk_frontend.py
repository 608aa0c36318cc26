"""Fetch GOV.UK Frontend's compiled assets (CSS, JS, fonts, images) from the npm registry.

The Python packages for GOV.UK Frontend ship no assets. This downloads the pinned release
tarball, checks its SHA-512 against the pinned integrity value, and unpacks the compiled CSS
and JavaScript into ``src/dsvb/web/static/govuk-frontend/``. Node.js is not needed. Run by
``make install``.

Only the CSS and JavaScript are taken: the GOV.UK crown, logo and GDS Transport font are for
services on GOV.UK domains, which dsvb is not (see docs/decisions/0006-design-system.md).
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import shutil
import sys
import tarfile
import urllib.request
from pathlib import Path

VERSION = "6.0.0"  # matches govuk-frontend-django 0.22
URL = f"https://registry.npmjs.org/govuk-frontend/-/govuk-frontend-{VERSION}.tgz"
INTEGRITY = (
    "sha512-n1DUbQD6coHL3UkQS0yTbd4ziIxLBzkWBODVCjXMclSY7FvOGeHcTg3c72z6u7DQECQb0tfZofhPjGxPUOIizA=="
)
FILES = (
    "dist/govuk/govuk-frontend.min.css",
    "dist/govuk/govuk-frontend.min.js",
    "package.json",
)
TARGET = Path(__file__).resolve().parents[1] / "src" / "dsvb" / "web" / "static" / "govuk-frontend"


def _use_arial(css_path: Path) -> None:
    """Drop the GDS Transport @font-face rules and name, leaving the Arial stack."""
    css = css_path.read_text(encoding="utf-8")
    css = re.sub(r"@font-face\{[^}]*\}", "", css)
    css = css.replace("GDS Transport,", "")
    css = css.replace("font-family:GDS Transport", "font-family:arial")
    css_path.write_text(css, encoding="utf-8")


def main() -> int:
    marker = TARGET / "VERSION"
    if marker.exists() and marker.read_text().strip() == VERSION:
        return 0
    with urllib.request.urlopen(URL, timeout=60) as response:
        data = response.read()
    algorithm, expected = INTEGRITY.split("-", 1)
    actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if actual != expected:
        print(f"govuk-frontend {VERSION}: integrity check failed", file=sys.stderr)
        return 1
    if TARGET.exists():
        shutil.rmtree(TARGET)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        members = [archive.getmember(f"package/{name}") for name in FILES]
        for member in members:
            member.name = Path(member.name).name
        archive.extractall(TARGET, members=members, filter="data")
    _use_arial(TARGET / "govuk-frontend.min.css")
    marker.write_text(VERSION + "\n")
    print(f"govuk-frontend {VERSION} assets in {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
