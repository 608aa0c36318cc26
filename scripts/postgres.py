#!/usr/bin/env python3
"""A throwaway PostgreSQL server for the test suite, in ``var/postgres/`` (git-ignored).

    scripts/postgres.py start     initialise (first time), start, print the owner's URL on stdout
    scripts/postgres.py url       print the owner's URL (the server must have been initialised)
    scripts/postgres.py url --role app    print the application role's URL
    scripts/postgres.py env       print both as shell exports (DATABASE_URL, the application's;
                                  DSVB_MIGRATE_DATABASE_URL, the owner's)
    scripts/postgres.py status    exit 0 when running, 3 when not
    scripts/postgres.py stop      stop it (nothing to do when it is not running)
    scripts/postgres.py destroy   stop it and delete the cluster

Every command is idempotent. The server listens on 127.0.0.1 only, on a free port chosen when
it starts (kept while it is free), with its Unix socket inside the cluster's folder. It has
one database, ``dsvb``, and two roles, as production should: ``dsvb`` owns the tables (it
runs the migrations, and may create databases, because the test runner makes ``test_dsvb``
beside it), and ``dsvb_app`` is the application's, which owns nothing (migrate grants it
SELECT and INSERT only on the audit log; see src/dsvb/web/audit/roles.py). The test suite
connects as the owner, since its teardown empties every table; its audit tests connect as
the application role too (``DSVB_TEST_APP_DATABASE_URL``). Messages go to stderr, so that

    export DATABASE_URL="$(scripts/postgres.py start)"     # the owner, as the tests need
    eval "$(scripts/postgres.py env)"                        # the roles, as in production

work. ``initdb`` refuses to run as root: as root, the server runs as the ``postgres`` user
(which Debian's ``postgresql`` package creates); as anyone else, as that user. Only the
Python standard library is used, so this runs before the virtual environment exists.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import hashlib
import json
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_HOME = REPO / "var" / "postgres"
PREFERRED_MAJOR = "15"
DATABASE = USER = "dsvb"
APP_USER = "dsvb_app"  # the application's role: owns nothing
SERVICE_USER = "postgres"


def say(message: str) -> None:
    print(f"postgres: {message}", file=sys.stderr, flush=True)


def fail(message: str) -> None:
    say(message)
    raise SystemExit(1)


def bindir() -> Path:
    """Where the server programs are: $PG_BINDIR, Debian's versioned folder, else $PATH."""
    if os.environ.get("PG_BINDIR"):
        return Path(os.environ["PG_BINDIR"])
    preferred = Path(f"/usr/lib/postgresql/{PREFERRED_MAJOR}/bin")
    if (preferred / "initdb").exists():
        return preferred
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    fail(
        "cannot find PostgreSQL's server programs (initdb, pg_ctl). Install them with "
        "'make system-deps' (Debian: apt-get install postgresql-15), or set PG_BINDIR."
    )
    raise AssertionError  # unreachable


class Cluster:
    """The cluster's files: ``data/`` (PGDATA), ``server.log`` and ``state.json``."""

    def __init__(self, home: Path) -> None:
        # the server is given real paths: the service user may not pass through a link's folder
        self.link = home if home.is_symlink() else None
        self.home = home.resolve()
        self.data = self.home / "data"
        self.log = self.home / "server.log"
        self.state_file = self.home / "state.json"
        self.as_root = os.geteuid() == 0

    # --- running the server's programs as the right user ---------------------------------

    def _command(self, program: str, *args: str) -> list[str]:
        command = [str(bindir() / program), *args]
        if self.as_root:
            return ["runuser", "-u", SERVICE_USER, "--", *command]
        return command

    def run(self, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            self._command(program, *args),
            cwd="/",  # the service user may not be able to read the current folder
            capture_output=True,
            text=True,
            check=check,
        )

    def _chown(self, *paths: Path) -> None:
        if self.as_root:
            entry = pwd.getpwnam(SERVICE_USER)
            for path in paths:
                os.chown(path, entry.pw_uid, entry.pw_gid)

    # --- state -------------------------------------------------------------------------------

    def state(self) -> dict:
        if not self.state_file.exists():
            return {}
        return json.loads(self.state_file.read_text(encoding="utf-8"))

    def save_state(self, state: dict) -> None:
        self.state_file.write_text(json.dumps(state, indent=2), encoding="utf-8")
        self.state_file.chmod(0o600)

    def url(self, role: str = "owner") -> str:
        state = self.state()
        if not state:
            fail(f"no cluster in {self.home}; run 'scripts/postgres.py start' first")
        if role == "app":
            if "app_password" not in state:
                fail("the application role has not been made yet; run 'scripts/postgres.py start'")
            user, password = APP_USER, state["app_password"]
        else:
            user, password = USER, state["password"]
        return f"postgres://{user}:{password}@127.0.0.1:{state['port']}/{DATABASE}"

    # --- life cycle ----------------------------------------------------------------------------

    def initialised(self) -> bool:
        return (self.data / "PG_VERSION").exists() and bool(self.state())

    def running(self) -> bool:
        if not (self.data / "PG_VERSION").exists():
            return False
        return self.run("pg_ctl", "status", "-D", str(self.data), check=False).returncode == 0

    def initialise(self) -> None:
        if self.as_root:
            try:
                pwd.getpwnam(SERVICE_USER)
            except KeyError:
                fail(
                    f"running as root, but there is no '{SERVICE_USER}' user to run the server "
                    "as (initdb refuses root). Install Debian's postgresql package "
                    "('make system-deps'), which creates it."
                )
        if self.data.exists():
            shutil.rmtree(self.data)  # a half-made cluster from an interrupted start
        self.home.mkdir(parents=True, exist_ok=True)
        self.home.chmod(0o755)
        self.data.mkdir(mode=0o700)
        self.log.touch()
        self._chown(self.data, self.log)
        password = secrets.token_urlsafe(18)
        with tempfile.NamedTemporaryFile("w", dir=self.home, delete=False) as pwfile:
            pwfile.write(password + "\n")
        try:
            os.chmod(pwfile.name, 0o600)
            self._chown(Path(pwfile.name))
            say(f"initialising a cluster in {self.data}")
            result = self.run(
                "initdb",
                "--pgdata",
                str(self.data),
                "--username",
                SERVICE_USER,
                "--pwfile",
                pwfile.name,
                "--auth-local",
                "trust",  # the socket is in the cluster's folder, which only its owner can open
                "--auth-host",
                "scram-sha-256",
                "--encoding",
                "UTF8",
                "--locale",
                "C.UTF-8",
                check=False,
            )
        finally:
            os.unlink(pwfile.name)
        if result.returncode != 0:
            fail(f"initdb failed:\n{result.stdout}{result.stderr}")
        # Only loopback TCP; the socket lives in the (private) cluster folder.
        with (self.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write(
                "\n# dsvb test server\n"
                "listen_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.data}'\n"
                "fsync = off\n"  # a throwaway server: speed over durability
                "synchronous_commit = off\n"
                "full_page_writes = off\n"
                "max_connections = 100\n"
            )
        self.save_state({"password": password, "port": None})

    def start(self) -> str:
        if not self.initialised():
            self.initialise()
        if self.running():
            say(f"already running on 127.0.0.1:{self.state()['port']}")
            return self.url()
        state = self.state()
        port = state.get("port")
        if not port or not port_is_free(port):
            port = free_port()
        result = self.run(
            "pg_ctl",
            "start",
            "--pgdata",
            str(self.data),
            "--log",
            str(self.log),
            "--wait",
            "--timeout",
            "60",
            "-o",
            f"-p {port}",
            check=False,
        )
        if result.returncode != 0:
            tail = self.log.read_text(encoding="utf-8", errors="replace")[-3000:]
            fail(f"the server did not start:\n{result.stdout}{result.stderr}\n{tail}")
        state["port"] = port
        self.save_state(state)
        self._ensure_database(state)
        say(f"running on 127.0.0.1:{port} (cluster {self.data}, log {self.log})")
        return self.url()

    def _psql(self, sql: str, port: int, database: str = "postgres") -> str:
        result = self.run(
            "psql",
            "--no-psqlrc",
            "--quiet",
            "--tuples-only",
            "--no-align",
            "--set",
            "ON_ERROR_STOP=1",
            "--host",
            str(self.data),
            "--port",
            str(port),
            "--username",
            SERVICE_USER,
            "--dbname",
            database,
            "--command",
            sql,
            check=False,
        )
        if result.returncode != 0:
            fail(f"psql failed on {sql!r}:\n{result.stderr}")
        return result.stdout.strip()

    def _ensure_database(self, state: dict) -> None:
        port, password = state["port"], state["password"]
        literal = "'" + password.replace("'", "''") + "'"
        if not self._psql(f"SELECT 1 FROM pg_roles WHERE rolname = '{USER}'", port):
            self._psql(f"CREATE ROLE {USER} LOGIN CREATEDB PASSWORD {literal}", port)
        else:
            self._psql(f"ALTER ROLE {USER} LOGIN CREATEDB PASSWORD {literal}", port)
        if not self._psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'", port):
            self._psql(f"CREATE DATABASE {DATABASE} OWNER {USER}", port)
        # the application's role: may log in, owns nothing, creates nothing
        if "app_password" not in state:
            state["app_password"] = secrets.token_urlsafe(18)
            self.save_state(state)
        app_literal = "'" + state["app_password"].replace("'", "''") + "'"
        verb = (
            "ALTER"
            if self._psql(f"SELECT 1 FROM pg_roles WHERE rolname = '{APP_USER}'", port)
            else "CREATE"
        )
        self._psql(
            f"{verb} ROLE {APP_USER} LOGIN NOCREATEDB NOCREATEROLE PASSWORD {app_literal}", port
        )

    def stop(self) -> None:
        if not self.running():
            say("not running")
            return
        result = self.run(
            "pg_ctl", "stop", "--pgdata", str(self.data), "--mode", "fast", "--wait", check=False
        )
        if result.returncode != 0:
            fail(f"could not stop the server:\n{result.stdout}{result.stderr}")
        say("stopped")

    def destroy(self) -> None:
        self.stop()
        if self.link is not None:
            self.link.unlink()
        if self.home.exists():
            shutil.rmtree(self.home)
        say(f"deleted {self.home}")


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _reachable_by_service_user(path: Path) -> bool:
    """Can the service user reach ``path`` (every folder above it searchable)?"""
    probe = path
    while not probe.exists():
        probe = probe.parent
    result = subprocess.run(
        ["runuser", "-u", SERVICE_USER, "--", "test", "-x", str(probe)],
        cwd="/",
        capture_output=True,
        check=False,
    )
    return result.returncode == 0


def home_for(requested: Path) -> Path:
    """The cluster's folder. As root, when the service user cannot reach the repository (say
    it is under /root), the cluster goes to a folder in /tmp, linked from ``var/postgres``."""
    if os.geteuid() != 0 or requested.is_symlink() or _reachable_by_service_user(requested):
        return requested
    digest = hashlib.sha256(str(requested).encode()).hexdigest()[:10]
    elsewhere = Path(tempfile.gettempdir()) / f"dsvb-postgres-{digest}"
    elsewhere.mkdir(mode=0o755, exist_ok=True)
    elsewhere.chmod(0o755)
    requested.parent.mkdir(parents=True, exist_ok=True)
    if requested.exists():
        shutil.rmtree(requested)
    requested.symlink_to(elsewhere, target_is_directory=True)
    say(f"'{SERVICE_USER}' cannot reach {requested}; the cluster lives in {elsewhere}")
    return requested


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("start", "stop", "status", "url", "env", "destroy"))
    parser.add_argument(
        "--role",
        choices=("owner", "app"),
        default="owner",
        help="url: the tables' owner (default) or the application's role",
    )
    parser.add_argument(
        "--home",
        type=Path,
        default=Path(os.environ.get("DSVB_PG_HOME", DEFAULT_HOME)),
        help="the cluster's folder (default: var/postgres in the repository)",
    )
    args = parser.parse_args(argv)
    cluster = Cluster(home_for(args.home.absolute()))
    if args.command == "start":
        for attempt in range(3):
            try:
                print(cluster.start(), flush=True)
                break
            except SystemExit:
                # another program may have taken the free port between choosing and binding
                if attempt == 2 or not re.search(
                    "already in use", cluster.log.read_text(errors="replace")[-2000:]
                ):
                    raise
                with contextlib.suppress(Exception):
                    state = cluster.state()
                    state["port"] = None
                    cluster.save_state(state)
                time.sleep(0.5)
    elif args.command == "url":
        print(cluster.url(args.role))
    elif args.command == "env":
        print(f"export DATABASE_URL='{cluster.url('app')}'")
        print(f"export DSVB_MIGRATE_DATABASE_URL='{cluster.url('owner')}'")
    elif args.command == "status":
        running = cluster.running()
        say("running" if running else "not running")
        return 0 if running else 3
    elif args.command == "stop":
        cluster.stop()
    elif args.command == "destroy":
        cluster.destroy()
    return 0


if __name__ == "__main__":
    sys.exit(main())
