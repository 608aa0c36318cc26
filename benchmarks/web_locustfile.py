"""The load that ``benchmarks/web_load.py`` puts on the web application (run by locust).

Each simulated client signs in through the real sign-in page as the demo board member, then
requests overview and scorecard pages one after another (no think time unless
``DSVB_LOAD_THINK_SECONDS`` is set), each time with a family, period and borough drawn from
the lists in ``DSVB_LOAD_PLAN`` (a JSON file written by web_load.py). A response counts as an
error unless it is a 200 page of the kind asked for: a redirect to the sign-in page, an
error page or a page without its table is an error. Every request's time is written to
``DSVB_LOAD_TIMINGS`` (JSON) when locust stops, so that percentiles are exact rather than
locust's rounded ones.

Not for import: locust monkey-patches the standard library (gevent) when it starts.
"""

from __future__ import annotations

import json
import os
import random
import re
from pathlib import Path
from typing import Any

from locust import between, constant, events, task
from locust.contrib.fasthttp import FastHttpUser

PLAN = json.loads(Path(os.environ["DSVB_LOAD_PLAN"]).read_text(encoding="utf-8"))
THINK = float(os.environ.get("DSVB_LOAD_THINK_SECONDS", "0"))
TIMINGS: list[tuple[str, float, bool]] = []
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@events.request.add_listener
def _keep(name: str, response_time: float, exception: Any, **_: Any) -> None:
    TIMINGS.append((name, response_time, exception is None))


@events.quitting.add_listener
def _write(**_: Any) -> None:
    Path(os.environ["DSVB_LOAD_TIMINGS"]).write_text(json.dumps(TIMINGS), encoding="utf-8")


class BoardMember(FastHttpUser):
    """A board member's browser (geventhttpclient: cheap, so the load generator takes less of
    the CPU the server needs). Redirects are not followed: a page that redirects (to the
    sign-in page, say) is an error."""

    wait_time = between(0, 2 * THINK) if THINK else constant(0)

    def on_start(self) -> None:
        form = self.client.get("/accounts/sign-in/", name="sign-in")
        token = CSRF.search(form.text)
        if token is None:
            raise RuntimeError("no CSRF token on the sign-in page")
        with self.client.post(
            "/accounts/sign-in/",
            data={
                "csrfmiddlewaretoken": token.group(1),
                "username": PLAN["username"],
                "password": PLAN["password"],
            },
            headers={"Referer": f"{self.host}/accounts/sign-in/"},
            name="sign-in",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            landing = response.headers.get("Location", "")
            if response.status_code != 302 or "/accounts/sign-in/" in landing:
                response.failure(f"sign-in refused (HTTP {response.status_code})")

    def _page(self, name: str, url: str) -> None:
        with self.client.get(
            url, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            elif PLAN["marker"][name] not in (response.text or ""):
                response.failure("not the page asked for")

    @task
    def overview(self) -> None:
        self._page("overview", random.choice(PLAN["overview"]))

    @task
    def scorecard(self) -> None:
        self._page("scorecard", random.choice(PLAN["scorecard"]))
