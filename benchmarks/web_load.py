"""Load benchmark of the web application: the overview and scorecard pages under load.

    python benchmarks/web_load.py                      # make bench-web
    python benchmarks/web_load.py --clients 20 --duration 60 --incidents 135312
    python benchmarks/web_load.py --database-url postgres://...   # application DB on PostgreSQL

What it does, all on 127.0.0.1:

1. builds a demo installation in a temporary data folder (``dsvb demo``: one year of
   London-scale synthetic records, about 135,000 incidents, the published tables, the demo
   accounts, and the indicators the main pages need computed ahead);
2. starts the application as a user would (``dsvb serve``: gunicorn, 2 workers × 4 threads
   by default) on a free port;
3. warms up: signs in as the demo board member and requests every page variant once;
4. drives the overview and scorecard pages with ``--clients`` concurrent clients for
   ``--duration`` seconds with locust (headless, in its own process: it monkey-patches the
   standard library). Each client signs in through the real sign-in page, then requests
   pages back to back, varying family, period and borough among the periods whose
   indicators ``dsvb demo`` computed ahead (the latest 12 months and the latest quarter);
5. prints, per page: requests, errors, p50/p95/p99/max, requests per second, and whether
   the target (p95 ≤ 200 ms with zero errors) is met; writes the same as JSON.

The load generator shares the machine's cores with the server, which is the pessimistic
way round. Exit status: 0 when the run completed (whether or not the target was met),
1 when it could not run. ``--require-target`` makes a missed target exit 2.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import http.cookiejar
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
LOCUSTFILE = Path(__file__).resolve().parent / "web_locustfile.py"
DEFAULT_OUT = REPO / "bench-results" / "web"
TARGET_P95_MS = 200.0
PAGES = ("overview", "scorecard")
FAMILIES = ("dv", "serious_sexual", "sexual", "other_sexual")  # if the page offers none
BOARD_MEMBER = "board"  # the demo account (dsvb.web.demo.ACCOUNTS)
MARKERS = {"overview": "<table", "scorecard": "<table"}


class LoadError(Exception):
    """The benchmark could not run (not: the target was missed)."""


# --- the installation and its server ------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _dsvb() -> list[str]:
    script = Path(sys.executable).parent / "dsvb"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from dsvb.cli import main; sys.exit(main())"]


def application_env(data_dir: Path, database_url: str | None) -> dict[str, str]:
    """The environment of a plain local installation in ``data_dir``.

    Nothing of the caller's dsvb or Django settings leaks in (a test run's settings module,
    a developer's DATABASE_URL): the application database is SQLite in the data folder
    unless ``database_url`` is given.
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DSVB_", "DJANGO_")) and k != "DATABASE_URL"
    }
    env["DSVB_DATA_DIR"] = str(data_dir)
    env["DJANGO_SETTINGS_MODULE"] = "dsvb.web.settings"
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def load_demo(data_dir: Path, env: dict[str, str], incidents: int | None, log: Path) -> float:
    """``dsvb demo`` into ``data_dir``; returns the seconds it took."""
    command = [*_dsvb(), "demo", *(["--incidents", str(incidents)] if incidents else [])]
    started = time.perf_counter()
    with log.open("a", encoding="utf-8") as out:
        result = subprocess.run(
            command, env=env, cwd=data_dir, stdout=out, stderr=subprocess.STDOUT, check=False
        )
    if result.returncode != 0:
        raise LoadError(f"'dsvb demo' failed (exit {result.returncode}); see {log}")
    return time.perf_counter() - started


def demo_password(data_dir: Path, username: str = BOARD_MEMBER) -> str:
    for line in (data_dir / "demo-accounts.txt").read_text(encoding="utf-8").splitlines():
        name, password = line.split("\t")[:2]  # then the role, and any authenticator key
        if name == username:
            return password
    raise LoadError(f"no demo account {username!r} in {data_dir / 'demo-accounts.txt'}")


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)  # gunicorn: graceful stop
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
            except ProcessLookupError:
                pass


def start_server(
    data_dir: Path, env: dict[str, str], workers: int, threads: int, log: Path
) -> Server:
    port = _free_port()
    out = log.open("a", encoding="utf-8")
    process = subprocess.Popen(
        [
            *_dsvb(),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--threads",
            str(threads),
        ],
        env=env,
        cwd=data_dir,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, stopped as one
    )
    out.close()
    server = Server(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise LoadError(f"'dsvb serve' exited with {process.returncode}; see {log}")
        try:
            with urllib.request.urlopen(f"{server.url}/health/", timeout=2) as response:
                if response.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    server.stop()
    raise LoadError(f"'dsvb serve' did not answer within 120 s; see {log}")


# --- a signed-in client for the warm-up ----------------------------------------------------------


class Browser:
    """A minimal cookie-keeping HTTP client (standard library only)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[int, str, str]:
        try:
            with self.opener.open(self.base + path, timeout=120) as response:
                return response.status, response.geturl(), response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.geturl(), exc.read().decode(errors="replace")

    def sign_in(self, username: str, password: str) -> str:
        _, _, page = self.get("/accounts/sign-in/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if token is None:
            raise LoadError("no CSRF token on the sign-in page")
        body = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token.group(1), "username": username, "password": password}
        ).encode()
        request = urllib.request.Request(
            self.base + "/accounts/sign-in/",
            data=body,
            headers={"Referer": self.base + "/accounts/sign-in/"},
        )
        with self.opener.open(request, timeout=60) as response:
            landed = response.geturl()
        if "/accounts/sign-in/" in landed:
            raise LoadError(f"signing in as {username!r} was refused")
        return landed


def _options(page: str, name: str) -> list[str]:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
    if select is None:
        return []
    return [html.unescape(v) for v in re.findall(r'<option[^>]*value="([^"]*)"', select.group(1))]


def plan_requests(browser: Browser, max_boroughs: int | None = None) -> dict[str, Any]:
    """The page variants to request: families × the two precomputed periods (× boroughs).

    Read from the overview page's own choices, so the plan follows the pages.
    """
    from dsvb import reference

    status, _, overview = browser.get("/performance/")
    if status != 200:
        raise LoadError(f"the overview page answered {status}")
    periods = _options(overview, "period")
    latest = [next((p for p in periods if p.startswith(kind)), None) for kind in ("12m-", "3m-")]
    latest = [p for p in latest if p]
    if not latest:
        raise LoadError("the overview page offers no period (is the store empty?)")
    families = _options(overview, "family") or list(FAMILIES)
    boroughs = sorted(a.code for a in reference.areas() if a.kind == "borough")
    if max_boroughs is not None:
        boroughs = boroughs[:: max(1, len(boroughs) // max_boroughs)][:max_boroughs]
    overview_urls = [
        f"/performance/?{urllib.parse.urlencode({'family': f, 'period': p})}"
        for f in families
        for p in latest
    ]
    scorecard_urls = [
        f"/performance/scorecard/{b}/?{urllib.parse.urlencode({'family': f, 'period': p})}"
        for b in boroughs
        for f in families
        for p in latest
    ]
    return {
        "periods": latest,
        "families": families,
        "boroughs": len(boroughs),
        "overview": overview_urls,
        "scorecard": scorecard_urls,
        "marker": MARKERS,
    }


def warm_up(browser: Browser, plan: dict[str, Any], parallel: int = 4) -> dict[str, Any]:
    """Request every variant once (a few at a time); return the first-request (cold) timings
    and any failures."""

    def fetch(page: str, url: str) -> tuple[str, float, str | None]:
        started = time.perf_counter()
        status, _, body = browser.get(url)
        took = (time.perf_counter() - started) * 1000
        failed = status != 200 or MARKERS[page] not in body
        return page, took, f"{url}: HTTP {status}" if failed else None

    with ThreadPoolExecutor(max_workers=parallel) as pool:
        done = list(pool.map(lambda job: fetch(*job), [(p, u) for p in PAGES for u in plan[p]]))
    times = {p: [t for page, t, _ in done if page == p] for p in PAGES}
    return {
        page: {
            "requests": len(t),
            "median_ms": round(statistics.median(t), 1),
            "max_ms": round(max(t), 1),
        }
        for page, t in times.items()
        if t
    } | {"failures": [f for _, _, f in done if f]}


# --- the load ---------------------------------------------------------------------------------


def percentile(sorted_values: list[float], q: float) -> float:
    """The q-th percentile (0–100), linear interpolation between closest ranks."""
    if not sorted_values:
        return float("nan")
    k = (len(sorted_values) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def run_locust(
    server: Server,
    plan: dict[str, Any],
    password: str,
    clients: int,
    duration: float,
    think: float,
    work: Path,
) -> tuple[list[tuple[str, float, bool]], float]:
    plan_file = work / "plan.json"
    plan_file.write_text(
        json.dumps({**plan, "username": BOARD_MEMBER, "password": password}), encoding="utf-8"
    )
    plan_file.chmod(0o600)
    timings_file = work / "timings.json"
    env = {
        **os.environ,
        "DSVB_LOAD_PLAN": str(plan_file),
        "DSVB_LOAD_TIMINGS": str(timings_file),
        "DSVB_LOAD_THINK_SECONDS": str(think),
    }
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--host",
        server.url,
        "--users",
        str(clients),
        "--spawn-rate",
        str(clients),
        "--run-time",
        f"{max(1, round(duration))}s",
        "--stop-timeout",
        "10",
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--skip-log-setup",
    ]
    log = work / "locust.log"
    started = time.perf_counter()
    with log.open("w", encoding="utf-8") as out:
        result = subprocess.run(
            command,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
            timeout=duration + 120,
        )
    elapsed = time.perf_counter() - started
    if not timings_file.exists():
        raise LoadError(f"locust exited with {result.returncode} and no timings; see {log}")
    timings = [tuple(t) for t in json.loads(timings_file.read_text(encoding="utf-8"))]
    return timings, min(elapsed, duration + 10)


def _ms(value: float) -> float | None:
    return None if value != value else round(value, 1)  # NaN (no requests): None


def summarise(
    timings: list[tuple[str, float, bool]], duration: float, target_p95_ms: float
) -> dict[str, Any]:
    pages: dict[str, Any] = {}
    for page in PAGES:
        rows = [t for t in timings if t[0] == page]
        times = sorted(t[1] for t in rows)
        errors = sum(1 for t in rows if not t[2])
        p95 = percentile(times, 95)
        pages[page] = {
            "requests": len(rows),
            "errors": errors,
            "p50_ms": _ms(percentile(times, 50)),
            "p95_ms": _ms(p95),
            "p99_ms": _ms(percentile(times, 99)),
            "max_ms": _ms(times[-1]) if times else None,
            "mean_ms": _ms(statistics.fmean(times)) if times else None,
            "requests_per_s": round(len(rows) / duration, 1),
            "met": bool(rows) and errors == 0 and p95 <= target_p95_ms,
        }
    sign_ins = [t for t in timings if t[0] == "sign-in"]
    return {
        "pages": pages,
        "sign_in": {"requests": len(sign_ins), "errors": sum(1 for t in sign_ins if not t[2])},
        "met": all(p["met"] for p in pages.values()),
    }


# --- the whole run ------------------------------------------------------------------------------


@dataclass
class Options:
    clients: int = 20
    duration: float = 60.0
    incidents: int | None = None  # dsvb demo's default: the real London volume
    think: float = 0.0
    workers: int = 2
    threads: int = 4
    database_url: str | None = None
    data_dir: Path | None = None  # reuse (or keep) an installation here
    boroughs: int | None = None  # scorecards of this many boroughs (default: all 32)
    target_p95_ms: float = TARGET_P95_MS


def run(options: Options, say: Callable[[str], None] = print) -> dict[str, Any]:
    temporary = options.data_dir is None
    data_dir = Path(tempfile.mkdtemp(prefix="dsvb-web-load-")) if temporary else options.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir / "web-load.log"
    env = application_env(data_dir, options.database_url)
    server: Server | None = None
    try:
        say(
            f"Building the demo installation in {data_dir} "
            f"({options.incidents or 'the default'} incidents)..."
        )
        demo_seconds = load_demo(data_dir, env, options.incidents, log)
        say(f"  done in {demo_seconds:.1f} s")
        say(f"Starting dsvb serve ({options.workers} workers × {options.threads} threads)...")
        server = start_server(data_dir, env, options.workers, options.threads, log)
        say(f"  answering at {server.url}")
        browser = Browser(server.url)
        browser.sign_in(BOARD_MEMBER, demo_password(data_dir))
        plan = plan_requests(browser, options.boroughs)
        say(
            f"Warming up: {len(plan['overview'])} overview and {len(plan['scorecard'])} "
            f"scorecard variants (families {', '.join(plan['families'])}; periods "
            f"{', '.join(plan['periods'])}; {plan['boroughs']} boroughs)..."
        )
        cold = warm_up(browser, plan)
        if cold["failures"]:
            # left out of the load (they would only add fast error pages), but reported, and
            # the target cannot be met
            say(
                f"  {len(cold['failures'])} variants failed:\n    "
                + "\n    ".join(cold["failures"])
            )
            failed = {f.rsplit(": HTTP", 1)[0] for f in cold["failures"]}
            for page in PAGES:
                plan[page] = [u for u in plan[page] if u not in failed]
            if not all(plan[page] for page in PAGES):
                raise LoadError("every variant of a page failed in the warm-up")
        say(
            f"Load: {options.clients} clients for {options.duration:g} s"
            f"{f', think time {options.think:g} s' if options.think else ', no think time'}..."
        )
        load_before = os.getloadavg()
        timings, elapsed = run_locust(
            server,
            plan,
            demo_password(data_dir),
            options.clients,
            options.duration,
            options.think,
            data_dir,
        )
        summary = summarise(timings, options.duration, options.target_p95_ms)
        if cold["failures"]:
            summary["met"] = False
        return {
            "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "machine": {
                "cpus": os.cpu_count(),
                "load_average_before": [round(x, 2) for x in load_before],
                "load_average_after": [round(x, 2) for x in os.getloadavg()],
                "python": platform.python_version(),
                "platform": platform.platform(),
            },
            "settings": {
                "clients": options.clients,
                "duration_s": options.duration,
                "think_s": options.think,
                "incidents": options.incidents or "dsvb demo default (135,312)",
                "workers": options.workers,
                "threads": options.threads,
                "application_database": "postgresql" if options.database_url else "sqlite",
                "target_p95_ms": options.target_p95_ms,
            },
            "demo_seconds": round(demo_seconds, 1),
            "plan": {k: plan[k] for k in ("periods", "families", "boroughs")}
            | {"variants": {p: len(plan[p]) for p in PAGES}},
            "cold": cold,
            "load_seconds": round(elapsed, 1),
            **summary,
        }
    finally:
        if server is not None:
            server.stop()
        if temporary:
            shutil.rmtree(data_dir, ignore_errors=True)


def report_text(result: dict[str, Any]) -> str:
    s = result["settings"]
    lines = [
        f"Web load benchmark, {result['when']}: {s['clients']} clients, {s['duration_s']:g} s, "
        f"think time {s['think_s']:g} s; {s['workers']} workers × {s['threads']} threads; "
        f"application database {s['application_database']}; {result['machine']['cpus']} CPUs "
        "shared by server and load generator (load average before "
        f"{result['machine']['load_average_before'][0]}, after "
        f"{result['machine']['load_average_after'][0]})",
        f"Demo installation built in {result['demo_seconds']} s; first (cold) request medians: "
        + ", ".join(
            f"{p} {result['cold'][p]['median_ms']} ms (max {result['cold'][p]['max_ms']} ms)"
            for p in PAGES
        ),
        "",
        f"{'page':<10} {'requests':>9} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'max ms':>8} {'req/s':>7}  target (p95 ≤ {s['target_p95_ms']:g} ms, "
        "no errors)",
    ]
    for page, p in result["pages"].items():
        p = {k: ("–" if v is None else v) for k, v in p.items()}
        lines.append(
            f"{page:<10} {p['requests']:>9,} {p['errors']:>7,} {p['p50_ms']:>8} {p['p95_ms']:>8} "
            f"{p['p99_ms']:>8} {p['max_ms']:>8} {p['requests_per_s']:>7}  "
            f"{'met' if p['met'] else 'NOT MET'}"
        )
    lines.append(
        f"sign-ins: {result['sign_in']['requests']} ({result['sign_in']['errors']} errors)"
    )
    if result["cold"]["failures"]:
        lines.append(
            f"{len(result['cold']['failures'])} page variants failed in the warm-up and were "
            "left out of the load:"
        )
        lines.extend(f"  {f}" for f in result["cold"]["failures"])
    lines.append(f"Target {'met' if result['met'] else 'NOT met'}.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (20)")
    parser.add_argument("--duration", type=float, default=60, help="seconds of load (60)")
    parser.add_argument(
        "--incidents", type=int, default=None, help="demo size (default: dsvb demo's, ~135k)"
    )
    parser.add_argument(
        "--think", type=float, default=0.0, help="mean pause between a client's requests (0)"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (4)")
    parser.add_argument(
        "--database-url", default=None, help="application database (default: SQLite)"
    )
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="build (or reuse) the installation here"
    )
    parser.add_argument(
        "--boroughs", type=int, default=None, help="scorecards of only this many boroughs"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for the JSON")
    parser.add_argument(
        "--require-target", action="store_true", help="exit 2 when the target is missed"
    )
    args = parser.parse_args(argv)
    options = Options(
        clients=args.clients,
        duration=args.duration,
        incidents=args.incidents,
        think=args.think,
        workers=args.workers,
        threads=args.threads,
        database_url=args.database_url,
        data_dir=args.data_dir,
        boroughs=args.boroughs,
    )
    try:
        result = run(options)
    except LoadError as exc:
        print(f"web load benchmark: {exc}", file=sys.stderr)
        return 1
    text = report_text(result)
    print()
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = result["when"].replace(":", "").replace("-", "")
    for name in (f"web-load-{stamp}.json", "latest.json"):
        (args.out / name).write_text(json.dumps(result, indent=2), encoding="utf-8")
    (args.out / "latest.txt").write_text(text + "\n", encoding="utf-8")
    print(f"\nWritten to {args.out / 'latest.json'}")
    return 2 if args.require_target and not result["met"] else 0


if __name__ == "__main__":
    if __package__ in (None, ""):
        sys.path.insert(0, str(REPO))
    sys.exit(main())
